"""The clinic sets its retention period; until validated, screens say "not validated"."""

from osseo.audit.models import AuditEntry
from osseo.portal import actions
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


def _opened(client, url):
    """The settings form's fields as the page showed them (with their opened values)."""
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form.initial.get(name, "")
        value = "" if value is None else value
        if isinstance(value, bool):
            value = "on" if value else ""
        data[name] = str(value)
        if name != "version":
            data[f"initial-{name}"] = str(value)
    return {k: v for k, v in data.items() if v != ""}


def test_a_form_opened_before_a_colleagues_change_keeps_it(world):
    from tests.conftest import make_user

    colleague = make_user("admin2", "clinic_admin", world.clinic)
    me = client_for(world.users["clinic_admin"])
    data = _opened(me, "/enquiries/settings/")
    assert data["version"] == "1"  # the defaults: no row yet
    actions.set_enquiry_settings(actor=colleague, data={"notify_email": "triage@example.org"})
    data["retention_days"] = "60"
    saved = me.post("/enquiries/settings/", data, follow=True)
    assert saved.redirect_chain, saved.content
    row = EnquirySettings.objects.get(organisation=world.clinic)
    assert (row.retention_days, row.notify_email, row.version) == (60, "triage@example.org", 3)
    assert "their changes were kept" in saved.content.decode()


def test_a_form_changing_the_same_field_as_a_colleague_shows_theirs_and_saves_nothing(world):
    from tests.conftest import make_user

    colleague = make_user("admin2", "clinic_admin", world.clinic)
    colleague.first_name = "Siân"
    colleague.save()
    me = client_for(world.users["clinic_admin"])
    data = _opened(me, "/enquiries/settings/")
    actions.set_enquiry_settings(actor=colleague, data={"retention_days": 90})
    data["retention_days"] = "30"
    refused = me.post("/enquiries/settings/", data)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Changed by someone else since you opened this form (Siân" in page
    assert "it was 180, it is now 90" in page
    assert EnquirySettings.objects.get(organisation=world.clinic).retention_days == 90
    again = refused.context["form"].data.dict()
    assert me.post("/enquiries/settings/", again).status_code == 302
    assert EnquirySettings.objects.get(organisation=world.clinic).retention_days == 30
