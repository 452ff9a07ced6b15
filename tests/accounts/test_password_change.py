"""A signed-in user changes their password; a password an administrator issued (a new account,
a reset) must be changed before anything else, in the browser and in the API."""

import re

from django.test import Client

from osseo.accounts.actions import issue_api_token, issue_temporary_password
from osseo.accounts.models import ApiToken, User
from osseo.audit.models import AuditEntry
from tests.conftest import PASSWORD, client_for

PAGE = "/accounts/password/"
NEW = "granite-lantern-orbit-97"


def _change(client, old=PASSWORD, new=NEW):
    return client.post(PAGE, {"old_password": old, "new_password1": new, "new_password2": new})


def test_a_signed_in_user_changes_their_password_and_stays_signed_in(world):
    surgeon = world.users["surgeon"]
    client = client_for(surgeon)
    assert client.get(PAGE).status_code == 200
    response = _change(client)
    assert response.status_code == 302
    surgeon.refresh_from_db()
    assert surgeon.check_password(NEW)
    assert surgeon.password_changed_at is not None
    assert client.get("/").status_code == 200  # this session's hash was updated
    assert AuditEntry.objects.filter(action="accounts.password.changed").count() == 1


def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing(world):
    surgeon = world.users["surgeon"]
    client = client_for(surgeon)
    wrong = _change(client, old="not-my-password")
    assert wrong.status_code == 422
    assert "old_password" in wrong.context["form"].errors
    weak = _change(client, new="Summer2026!")
    assert weak.status_code == 422
    assert "new_password2" in weak.context["form"].errors
    same = _change(client, new=PASSWORD)
    assert same.status_code == 422
    surgeon.refresh_from_db()
    assert surgeon.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="accounts.password.changed").exists()


def test_an_account_an_administrator_made_changes_its_password_before_anything_else(world):
    admin = client_for(world.users["clinic_admin"])
    made = admin.post(
        "/accounts/manage/", {"create": "1", "username": "newcoord", "role": "coordinator"}
    )
    issued = re.search(r"<code>([^<]+)</code>", made.content.decode()).group(1)
    newcomer = Client()
    signed_in = newcomer.post(
        "/accounts/sign-in/", {"username": "newcoord", "password": issued}, follow=True
    )
    assert signed_in.redirect_chain[-1][0] == PAGE
    assert b"issued by an administrator" in signed_in.content
    assert newcomer.get("/patients/").url == PAGE
    # The API refuses everything but the account's own endpoints until the password is changed.
    user = User.objects.get(username="newcoord")
    api = Client(headers={"Authorization": f"Bearer {issue_api_token(user=user)}"})
    refused = api.get("/api/v1/patients")
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["type"] == "/problems/password-change-required"
    assert api.get("/api/v1/auth/tokens").status_code == 200

    assert _change(newcomer, old=issued).status_code == 302
    assert newcomer.get("/patients/").status_code == 200
    assert api.get("/api/v1/patients").status_code == 200


def test_an_administrator_resets_a_colleagues_password_to_a_temporary_one(world):
    surgeon = world.users["surgeon"]
    issue_api_token(user=surgeon)
    response = client_for(world.users["clinic_admin"]).post(
        "/accounts/manage/", {"reset_password": str(surgeon.uuid)}
    )
    assert response.status_code == 200
    temporary = response.context["issued"]
    surgeon.refresh_from_db()
    assert surgeon.must_change_password and surgeon.check_password(temporary)
    assert not ApiToken.objects.filter(user=surgeon).exists()
    assert AuditEntry.objects.filter(action="accounts.password.issued").count() == 1


def test_only_a_clinic_admin_of_the_same_organisation_resets_a_password(world):
    import pytest
    from django.core.exceptions import PermissionDenied

    surgeon = world.users["surgeon"]
    for persona in ("coordinator", "outsider", "patient"):
        with pytest.raises(PermissionDenied):
            issue_temporary_password(actor=world.users[persona], account=surgeon)
    denied = client_for(world.users["coordinator"]).post(
        "/accounts/manage/", {"reset_password": str(surgeon.uuid)}
    )
    assert denied.status_code == 403
    surgeon.refresh_from_db()
    assert not surgeon.must_change_password and surgeon.check_password(PASSWORD)


def test_the_api_changes_the_password_after_checking_the_current_one(world):
    surgeon = world.users["surgeon"]
    api = Client(headers={"Authorization": f"Bearer {issue_api_token(user=surgeon)}"})
    wrong = api.post(
        "/api/v1/auth/password",
        {"current_password": "nope", "new_password": NEW},
        content_type="application/json",
    )
    assert wrong.status_code == 422
    assert [e["field"] for e in wrong.json()["errors"]] == ["current_password"]
    weak = api.post(
        "/api/v1/auth/password",
        {"current_password": PASSWORD, "new_password": "          "},
        content_type="application/json",
    )
    assert weak.status_code == 422
    assert {e["field"] for e in weak.json()["errors"]} == {"new_password"}
    done = api.post(
        "/api/v1/auth/password",
        {"current_password": PASSWORD, "new_password": NEW},
        content_type="application/json",
    )
    assert done.status_code == 204
    surgeon.refresh_from_db()
    assert surgeon.check_password(NEW)
