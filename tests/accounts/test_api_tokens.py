"""API tokens: their owner lists and revokes them (and a clinic administrator a colleague's);
they expire after the clinic's `api_token_hours`; expired ones are removed."""

import datetime as dt

import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from osseo.accounts.actions import issue_api_token, set_clinic_setting
from osseo.accounts.models import ApiToken
from osseo.audit.models import AuditEntry
from tests.conftest import client_for

TOKENS = "/api/v1/auth/tokens"


def _bearer(raw):
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_a_user_lists_their_tokens_with_when_each_was_issued_used_and_expires(world):
    surgeon = world.users["surgeon"]
    issue_api_token(user=surgeon)
    raw = issue_api_token(user=surgeon)
    issue_api_token(user=world.users["coordinator"])  # someone else's: not listed
    listed = _bearer(raw).get(TOKENS).json()
    assert listed["count"] == 2
    assert [item["current"] for item in listed["items"]] == [True, False]
    used = ApiToken.objects.get(uuid=listed["items"][0]["id"])
    assert used.last_used_at is not None
    assert set(listed["items"][0]) == {"id", "created_at", "expires_at", "last_used_at", "current"}


def test_a_revoked_token_stops_at_once_and_the_revocation_is_audited(world):
    surgeon = world.users["surgeon"]
    keep, drop = issue_api_token(user=surgeon), issue_api_token(user=surgeon)
    dropped = ApiToken.objects.get(digest=ApiToken.digest_of(drop))
    assert _bearer(keep).delete(f"{TOKENS}/{dropped.uuid}").status_code == 204
    assert _bearer(drop).get("/api/v1/patients").status_code == 401
    assert _bearer(keep).get("/api/v1/patients").status_code == 200
    assert AuditEntry.objects.filter(action="accounts.token.revoked").count() == 1


def test_nobody_else_sees_or_revokes_a_token_but_the_owners_clinic_admin(world):
    surgeon = world.users["surgeon"]
    issue_api_token(user=surgeon)
    token = ApiToken.objects.get(user=surgeon)
    for persona in ("coordinator", "outsider", "patient", "rehab_specialist"):
        client = client_for(world.users[persona])
        assert client.delete(f"{TOKENS}/{token.uuid}").status_code == 404
        assert client.get(TOKENS, {"account": str(surgeon.uuid)}).status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()
    admin = client_for(world.users["clinic_admin"])
    assert admin.get(TOKENS, {"account": str(surgeon.uuid)}).json()["count"] == 1
    assert admin.delete(f"{TOKENS}/{token.uuid}").status_code == 204
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_tokens_expire_after_the_clinics_hours_and_are_purged(world):
    surgeon = world.users["surgeon"]
    set_clinic_setting(actor=world.users["clinic_admin"], key="api_token_hours", value=2)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        old = issue_api_token(user=surgeon)
        clock.shift(dt.timedelta(hours=1))
        fresh = issue_api_token(user=surgeon)
        clock.shift(dt.timedelta(hours=1, minutes=1))
        assert _bearer(old).get("/api/v1/patients").status_code == 401
        assert _bearer(fresh).get(TOKENS).json()["count"] == 1
        call_command("tokens", "purge", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert list(ApiToken.objects.filter(user=surgeon).values_list("digest", flat=True)) == [
            ApiToken.digest_of(fresh)
        ]
    assert AuditEntry.objects.filter(action="accounts.tokens.purged").count() == 1


def test_the_account_page_lists_and_revokes_the_users_tokens(world):
    surgeon = world.users["surgeon"]
    issue_api_token(user=surgeon)
    token = ApiToken.objects.get(user=surgeon)
    client = client_for(surgeon)
    page = client.get("/accounts/me/")
    assert page.status_code == 200
    assert list(page.context["tokens"]) == [token]
    assert b"not validated" in page.content
    assert client.post("/accounts/me/", {"revoke": str(token.uuid)}).status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    other = issue_api_token(user=world.users["coordinator"])
    theirs = ApiToken.objects.get(digest=ApiToken.digest_of(other))
    assert client.post("/accounts/me/", {"revoke": str(theirs.uuid)}).status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
