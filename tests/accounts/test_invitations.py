"""A coordinator invites a patient from the screen: an e-mailed link, valid once and for the
clinic's `patient_invitation_hours`, through the configured mail backend, audited; the patient
sets a password (the validators apply) and lands on their own record."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied

from osseo.accounts.invitation_actions import accept_invitation, tokens
from osseo.accounts.models import Membership, User
from osseo.audit.models import AuditEntry
from osseo.errors import Conflict
from osseo.patients.invitations import invite_patient
from tests.conftest import client_for, make_patient

BASE = "http://testserver/"
GOOD = "Kestrel-orchard-lantern-47"


@pytest.fixture
def newcomer(world):
    return make_patient(world.users["coordinator"], given_name="Nell", email="nell@example.org")


def _link(message):
    return re.search(r"http://testserver(/accounts/invitation/\S+/)", message.body).group(1)


def test_the_coordinator_invites_and_the_mail_names_no_clinical_detail(
    world, newcomer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_patient(
            actor=world.users["coordinator"], patient=newcomer, base_url=BASE
        )
    account = invitation.account
    assert (account.username, account.email, account.has_usable_password()) == (
        "nell@example.org",
        "nell@example.org",
        False,
    )
    assert account.membership.patient == newcomer
    (message,) = mail.outbox
    assert message.to == ["nell@example.org"]
    assert message.subject == "Test Clinic: set up your Osseo account"
    for clinical in ("femur", "Femur", "amputation", "osseointegration", "Quarrell", "episode"):
        assert clinical not in message.body
    assert "works once, for 72 hours" in message.body
    entry = AuditEntry.objects.get(action="accounts.patient.invited")
    assert (entry.actor, entry.patient) == (world.users["coordinator"], newcomer)


def test_the_patient_sets_a_password_and_lands_on_their_own_pages(
    world, newcomer, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite_patient(actor=world.users["coordinator"], patient=newcomer, base_url=BASE)
    link = _link(mail.outbox[0])
    page = client.get(link)
    assert page.status_code == 200
    weak = client.post(link, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 422
    assert not User.objects.get(username="nell@example.org").has_usable_password()
    done = client.post(link, {"new_password1": GOOD, "new_password2": GOOD}, follow=True)
    assert done.redirect_chain[-1][0] == "/me/"  # the patient's own pages
    assert done.status_code == 200
    assert AuditEntry.objects.filter(action="accounts.invitation.accepted").count() == 1
    again = client.get(link)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


def test_an_expired_link_is_refused_and_says_so(world, newcomer, client):
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        invitation = invite_patient(
            actor=world.users["coordinator"], patient=newcomer, base_url=BASE
        )
    path = invitation.link.removeprefix("http://testserver")
    with time_machine.travel(dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC), tick=False):
        assert client.get(path).status_code == 200  # 72 hours: still in time
    with time_machine.travel(dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC), tick=False):
        late = client.post(path, {"new_password1": GOOD, "new_password2": GOOD})
    assert late.status_code == 410
    assert "This invitation link has expired." in late.content.decode()
    assert not User.objects.get(pk=invitation.account.pk).has_usable_password()


def test_a_new_invitation_replaces_the_earlier_link(world, newcomer, client):
    first = invite_patient(actor=world.users["coordinator"], patient=newcomer, base_url=BASE)
    second = invite_patient(actor=world.users["coordinator"], patient=newcomer, base_url=BASE)
    assert first.account == second.account
    assert client.get(first.link.removeprefix("http://testserver")).status_code == 410
    assert client.get(second.link.removeprefix("http://testserver")).status_code == 200


def test_a_link_cannot_be_used_twice_even_by_the_action(world, newcomer):
    invitation = invite_patient(actor=world.users["coordinator"], patient=newcomer, base_url=BASE)
    token = invitation.link.rstrip("/").rsplit("/", 1)[1]
    accept_invitation(account=invitation.account, token=token, new_password=GOOD)
    with pytest.raises(Conflict):
        accept_invitation(account=invitation.account, token=token, new_password=GOOD + "x")
    assert tokens.status(User.objects.get(pk=invitation.account.pk), token) == "invalid"


def test_a_patient_with_an_account_is_not_invited_again(world):
    with pytest.raises(Conflict):
        invite_patient(actor=world.users["coordinator"], patient=world.patient, base_url=BASE)


def test_without_an_e_mail_address_the_form_says_so(world):
    bare = make_patient(world.users["coordinator"], given_name="Bare")
    client = client_for(world.users["coordinator"])
    response = client.post(f"/patients/{bare.uuid}/account/", {"email": ""})
    assert response.status_code == 422
    assert not Membership.objects.filter(patient=bare).exists()


def test_the_screen_invites_and_shows_the_setting_as_not_validated(
    world, newcomer, django_capture_on_commit_callbacks
):
    client = client_for(world.users["coordinator"])
    page = client.get(f"/patients/{newcomer.uuid}/account/")
    html = page.content.decode()
    assert "No account yet." in html
    assert "for 72 hours (the default)" in html and "not validated" in html
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/patients/{newcomer.uuid}/account/", {"email": "nell2@example.org"})
    assert sent.status_code == 302
    assert mail.outbox[0].to == ["nell2@example.org"]
    assert "Invited" in client.get(f"/patients/{newcomer.uuid}/account/").content.decode()


@pytest.mark.parametrize("persona", ["surgeon", "rehab_specialist", "patient", "outsider"])
def test_other_roles_cannot_invite(world, newcomer, persona):
    user = world.users[persona]
    with pytest.raises(PermissionDenied):
        invite_patient(actor=user, patient=newcomer, base_url=BASE)
    response = client_for(user).post(
        f"/patients/{newcomer.uuid}/account/", {"email": "x@example.org"}
    )
    assert response.status_code in (403, 404)
    assert not Membership.objects.filter(patient=newcomer).exists()
    assert mail.outbox == []


def test_a_made_up_link_is_refused(world, client):
    assert (
        client.get(f"/accounts/invitation/{world.users['patient'].uuid}/abc-def/").status_code
        == 410
    )
    staff = world.users["surgeon"]
    assert (
        client.get(f"/accounts/invitation/{staff.uuid}/{tokens.make_token(staff)}/").status_code
        == 410
    )


def _invite_api(user, patient, body):
    import json

    from tests.conftest import api_client

    return api_client(user).post(
        f"/api/v1/patients/{patient.uuid}/invitation",
        json.dumps(body),
        content_type="application/json",
    )


def test_the_api_invites_with_the_recorded_address_and_refuses_twice(
    world, newcomer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite_api(world.users["coordinator"], newcomer, {})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["username"], body["email"]) == ("nell@example.org", "nell@example.org")
    assert mail.outbox[0].to == ["nell@example.org"]
    token = _link(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    accept_invitation(
        account=User.objects.get(uuid=body["account"]), token=token, new_password=GOOD
    )
    again = _invite_api(world.users["coordinator"], newcomer, {})
    assert again.status_code == 409
    assert again.json()["missing"][0]["code"] == "no_account"


def test_the_api_names_a_missing_address_and_refuses_other_roles(world):
    bare = make_patient(world.users["coordinator"], given_name="Bare")
    missing = _invite_api(world.users["coordinator"], bare, {"email": ""})
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["email"]
    assert _invite_api(world.users["surgeon"], bare, {"email": "b@example.org"}).status_code == 403
    assert _invite_api(world.users["outsider"], bare, {"email": "b@example.org"}).status_code == 404
    assert not Membership.objects.filter(patient=bare).exists()
