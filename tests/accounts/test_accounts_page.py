from osseo.accounts.models import ApiToken, User
from osseo.audit.models import AuditEntry
from tests.conftest import api_client, client_for


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
    client_for(world.users["clinic_admin"]).post("/accounts/manage/", {"toggle": str(target.uuid)})
    target.refresh_from_db()
    assert not target.is_active
    assert not ApiToken.objects.filter(user=target).exists()
    assert AuditEntry.objects.filter(action="accounts.user.deactivated").count() == 1


def test_only_the_clinic_admin_manages_accounts_and_only_their_own(world):
    for persona in ("surgeon", "coordinator", "patient", "rehab_specialist"):
        assert client_for(world.users[persona]).get("/accounts/manage/").status_code == 403
    outsider = world.users["outsider"]
    response = client_for(world.users["clinic_admin"]).post(
        "/accounts/manage/", {"toggle": str(outsider.uuid)}
    )
    assert response.status_code == 403
    outsider.refresh_from_db()
    assert outsider.is_active
