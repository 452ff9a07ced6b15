"""The clinic sets its retention period; until validated, screens say "not validated"."""

from osseo.audit.models import AuditEntry
from osseo.portal.models import EnquirySettings
from tests.conftest import client_for


def test_a_clinic_admin_sets_the_retention_period_and_it_is_audited(world):
    client = client_for(world.users["clinic_admin"])
    page = client.get("/enquiries/settings/").content.decode()
    assert "180 days" in page and "not validated" in page
    response = client.post(
        "/enquiries/settings/",
        {"retention_days": "90", "validated": "on", "basis": "IG committee, March 2026"},
    )
    assert response.status_code == 302
    row = EnquirySettings.objects.get(organisation=world.clinic)
    assert (row.retention_days, row.validated, row.set_by) == (
        90,
        True,
        world.users["clinic_admin"],
    )
    entry = AuditEntry.objects.get(action="portal.settings.changed")
    assert entry.changes == {
        "retention_days": [180, 90],
        "validated": [False, True],
        "basis": ["", "IG committee, March 2026"],
    }
    assert "for 90 days" in client.get("/enquire/clinic/").content.decode()
    assert "not validated" not in client.get("/enquiries/").content.decode()


def test_validating_needs_a_basis_and_the_period_has_bounds(world):
    client = client_for(world.users["clinic_admin"])
    no_basis = client.post("/enquiries/settings/", {"retention_days": "90", "validated": "on"})
    assert no_basis.status_code == 422
    assert "Say who approved the period" in no_basis.content.decode()
    for days in ["0", "3651", "ninety"]:
        assert client.post("/enquiries/settings/", {"retention_days": days}).status_code == 422
    assert not EnquirySettings.objects.exists()


def test_only_a_clinic_admin_changes_the_settings(world):
    for persona in ["coordinator", "surgeon", "rehab_specialist", "patient", "outsider"]:
        response = client_for(world.users[persona]).post(
            "/enquiries/settings/", {"retention_days": "1"}
        )
        assert response.status_code == 403, persona
    assert not EnquirySettings.objects.exists()
