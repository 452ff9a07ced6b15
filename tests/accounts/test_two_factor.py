"""Two-factor sign-in: enrolling from the account page, the code step of the sign-in form,
recovery codes, the policy per role, `osseo otp enrol`, and `"otp"` on POST /api/v1/auth/token."""

import base64
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from osseo.accounts.actions import enrol_totp_for, set_clinic_setting
from osseo.accounts.models import SignInCounter
from osseo.audit.models import AuditEntry
from tests.conftest import PASSWORD, client_for, totp_code

TOKEN = "/api/v1/auth/token"


def _token(username, password=PASSWORD, **extra):
    body = {"username": username, "password": password, **extra}
    return Client().post(TOKEN, json.dumps(body), content_type="application/json")


def _sign_in(client, username, password=PASSWORD):
    return client.post("/accounts/sign-in/", {"username": username, "password": password})


def test_a_user_enrols_by_scanning_a_qr_code_and_confirming_one_code(world):
    client = client_for(world.users["surgeon"])
    page = client.get("/accounts/two-factor/")
    assert b"Set up an authenticator app" in page.content
    client.post("/accounts/two-factor/", {"start": "1"})
    page = client.get("/accounts/two-factor/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in page
    secret = re.search(r"Enter this key in the app: <code>([A-Z2-7 ]+)</code>", page).group(1)
    key = base64.b32decode(secret.replace(" ", ""))
    code = f"{TOTP(key).token():06d}"
    done = client.post("/accounts/two-factor/", {"code": code})
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=world.users["surgeon"]).confirmed
    assert AuditEntry.objects.filter(action="accounts.otp.enrolled", actor=world.users["surgeon"])


def test_a_wrong_code_does_not_confirm_the_enrolment(world):
    client = client_for(world.users["surgeon"])
    client.post("/accounts/two-factor/", {"start": "1"})
    page = client.post("/accounts/two-factor/", {"code": "000000"})
    assert b"That code is not right" in page.content
    assert not TOTPDevice.objects.filter(user=world.users["surgeon"], confirmed=True).exists()


def test_with_a_device_the_password_alone_does_not_sign_in(world):
    client = Client()
    response = _sign_in(client, "admin")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/code/"
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # still signed out


def test_the_code_step_signs_in_and_a_wrong_code_counts_as_a_failed_attempt(world):
    client = Client()
    _sign_in(client, "admin")
    wrong = client.post("/accounts/sign-in/code/", {"code": "000000"})
    assert wrong.status_code == 200
    assert b"That code is not right" in wrong.content
    assert SignInCounter.objects.get(key="account:admin").count == 2  # password + code
    right = client.post("/accounts/sign-in/code/", {"code": totp_code("admin")})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(world.users["clinic_admin"].pk)
    assert SignInCounter.objects.get(key="account:admin").count == 1  # the wrong code stays


def test_wrong_codes_pause_sign_in_like_wrong_passwords(world):
    client = Client()
    _sign_in(client, "admin")
    for _ in range(3):
        client.post("/accounts/sign-in/code/", {"code": "000000"})
    paused = client.post("/accounts/sign-in/code/", {"code": "000000"})
    assert paused.status_code == 429
    assert _sign_in(Client(), "admin").status_code == 429


def test_a_recovery_code_signs_in_once(world):
    code = StaticToken.objects.filter(device__user=world.users["clinic_admin"]).first().token
    client = Client()
    _sign_in(client, "admin")
    assert client.post("/accounts/sign-in/code/", {"code": code}).status_code == 302
    again = Client()
    _sign_in(again, "admin")
    assert again.post("/accounts/sign-in/code/", {"code": code}).status_code == 200
    assert "_auth_user_id" not in again.session


def test_the_code_step_without_the_password_step_goes_back_to_sign_in(world):
    response = Client().post("/accounts/sign-in/code/", {"code": totp_code("admin")})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/"


def test_a_role_the_clinic_requires_must_enrol_before_anything_else(world):
    set_clinic_setting(
        actor=world.users["clinic_admin"], key="two_factor_roles", value=["clinic_admin", "surgeon"]
    )
    client = client_for(world.users["surgeon"])
    response = client.get(f"/patients/{world.patient.uuid}/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/"
    assert b"requires a second factor for your role" in client.get("/accounts/two-factor/").content
    # A role the clinic does not list is not stopped.
    assert client_for(world.users["coordinator"]).get("/").status_code == 200


def test_by_default_clinic_administrators_are_required_to_enrol(world):
    from osseo.accounts.twofactor import required_for

    assert required_for(world.users["clinic_admin"])
    assert not required_for(world.users["surgeon"])


def test_the_clinic_setting_refuses_unknown_roles(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        set_clinic_setting(
            actor=world.users["clinic_admin"], key="two_factor_roles", value=["wizard"]
        )


def test_with_a_device_the_token_endpoint_requires_the_code(world):
    missing = _token("admin")
    assert missing.status_code == 401
    assert missing["Content-Type"] == "application/problem+json"
    assert _token("admin", otp="000000").status_code == 401
    assert SignInCounter.objects.get(key="account:admin").count == 2
    failures = AuditEntry.objects.filter(action="accounts.user.sign_in_failed")
    assert [e.changes["reason"] for e in failures] == ["otp", "otp"]
    good = _token("admin", otp=totp_code("admin"))
    assert good.status_code == 200
    assert good.json()["token"]


def test_wrong_codes_on_the_token_endpoint_end_in_429(world):
    for _ in range(5):
        assert _token("admin", otp="000000").status_code == 401
    refused = _token("admin", otp=totp_code("admin"))
    assert refused.status_code == 429
    assert refused["Retry-After"]


def test_a_required_role_without_a_device_gets_no_token(world):
    TOTPDevice.objects.filter(user=world.users["clinic_admin"]).delete()
    response = _token("admin")
    assert response.status_code == 401
    assert "enrol" in response.json()["title"]


def test_osseo_otp_enrol_prints_an_otpauth_uri_and_recovery_codes(world):
    out = StringIO()
    call_command("otp", "enrol", "surgeon", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("otpauth://totp/Osseo%3Asurgeon?secret=")
    assert len([line for line in lines if line.startswith("  ")]) == 10
    assert _token("surgeon").status_code == 401
    assert _token("surgeon", otp=totp_code("surgeon")).status_code == 200
    entry = AuditEntry.objects.filter(action="accounts.otp.enrolled").last()
    assert entry.actor_label == "osseo otp enrol"


def test_enrolling_again_replaces_the_device_and_the_recovery_codes(world):
    user = world.users["surgeon"]
    _, first = enrol_totp_for(user=user)
    _, second = enrol_totp_for(user=user)
    assert TOTPDevice.objects.filter(user=user).count() == 1
    tokens = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert tokens == set(second)
    assert not tokens & set(first)
