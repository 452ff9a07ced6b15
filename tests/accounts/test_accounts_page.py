import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from osseo.accounts.actions import issue_api_token, set_account_active
from osseo.accounts.models import ApiToken, User
from osseo.audit.models import AuditEntry
from osseo.errors import Conflict, Missing
from tests.conftest import PASSWORD, api_client, client_for


def test_a_clinic_admin_creates_a_staff_account_with_a_one_time_password(world):
    response = client_for(world.users["clinic_admin"]).post(
        "/accounts/manage/",
        {"create": "1", "username": "newcoord", "role": "coordinator", "first_name": "Nia"},
    )
    assert response.status_code == 200
    assert b"One-time password" in response.content
    user = User.objects.get(username="newcoord")
    assert (user.membership.role, user.membership.organisation) == ("coordinator", world.clinic)


def test_deactivating_an_account_stops_its_tokens_and_is_audited(world):
    target = world.users["anaesthetist"]
    api_client(target)
    assert ApiToken.objects.filter(user=target).exists()
    client_for(world.users["clinic_admin"]).post(
        "/accounts/manage/", {"toggle": str(target.uuid), "active": "0"}
    )
    target.refresh_from_db()
    assert not target.is_active
    assert not ApiToken.objects.filter(user=target).exists()
    assert AuditEntry.objects.filter(action="accounts.user.deactivated").count() == 1


def test_only_the_clinic_admin_manages_accounts_and_only_their_own(world):
    for persona in ("surgeon", "coordinator", "patient", "rehab_specialist"):
        assert client_for(world.users[persona]).get("/accounts/manage/").status_code == 403
    outsider = world.users["outsider"]
    response = client_for(world.users["clinic_admin"]).post(
        "/accounts/manage/", {"toggle": str(outsider.uuid), "active": "0"}
    )
    assert response.status_code == 403
    outsider.refresh_from_db()
    assert outsider.is_active


def test_a_second_deactivation_from_a_stale_page_is_refused_not_undone(world):
    """Two administrators click "Deactivate" on the same page: the second click must not
    re-activate the account, as a toggle would."""
    target = world.users["anaesthetist"]
    admin = client_for(world.users["clinic_admin"])
    body = {"toggle": str(target.uuid), "active": "0"}
    assert admin.post("/accounts/manage/", body).status_code == 302
    again = admin.post("/accounts/manage/", body)
    assert again.status_code == 409
    assert "anaesthetist&#x27;s account is already deactivated." in again.content.decode()
    target.refresh_from_db()
    assert not target.is_active
    assert AuditEntry.objects.filter(action="accounts.user.deactivated").count() == 1
    assert admin.post("/accounts/manage/", {"toggle": str(target.uuid)}).status_code == 400


def test_an_administrator_cannot_deactivate_their_own_account(world):
    admin = world.users["clinic_admin"]
    with pytest.raises(Conflict) as err:
        set_account_active(actor=admin, account=admin, active=False)
    assert err.value.missing == [
        Missing("another_administrator", "Another clinic administrator to do it")
    ]
    admin.refresh_from_db()
    assert admin.is_active


def test_a_deactivated_account_is_issued_no_token(world):
    target = world.users["anaesthetist"]
    set_account_active(actor=world.users["clinic_admin"], account=target, active=False)
    with pytest.raises(PermissionDenied):
        issue_api_token(user=target)
    response = Client().post(
        "/api/v1/auth/token",
        json.dumps({"username": "anaesthetist", "password": PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert not ApiToken.objects.filter(user=target).exists()


def test_a_clinic_admin_adds_staff_only_to_their_own_organisation(world):
    response = client_for(world.users["clinic_admin"]).post(
        "/accounts/manage/", {"create": "1", "username": "kit", "role": "patient"}
    )
    assert response.status_code == 422
    assert not User.objects.filter(username="kit").exists()
