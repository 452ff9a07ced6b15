"""A clinic setting carries a version: the settings form keeps a colleague's change, or shows it
where both changed the same part; the action writes only the parts it is given."""

from osseo.accounts.actions import set_clinic_setting
from osseo.accounts.clinic_settings import resolve
from osseo.accounts.models import ClinicSetting
from osseo.audit.models import AuditEntry
from tests.conftest import client_for, make_user

PAGE = "/accounts/settings/"


def _opened(client):
    """The stage-window form's fields as the page showed them (with their opened values)."""
    form = client.get(PAGE).context["form"]
    data = {"key": "stage_window"}
    for name in form.fields:
        value = form.initial.get(name, "")
        if isinstance(value, bool):
            value = "on" if value else ""
        data[name] = str(value)
        if name != "version":
            data[f"initial-{name}"] = str(value)
    return {k: v for k, v in data.items() if v != ""}


def test_a_change_names_only_the_parts_it_changes(world):
    admin = world.users["clinic_admin"]
    set_clinic_setting(actor=admin, key="stage_window", value={"max": 8})
    set_clinic_setting(actor=admin, key="stage_window", source="Radboudumc page", validated=True)
    setting = resolve(world.clinic, "stage_window")
    assert (setting.value, setting.source, setting.validated) == (
        {"min": 4, "max": 8, "unit": "months"},
        "Radboudumc page",
        True,
    )
    row = ClinicSetting.objects.get(organisation=world.clinic, key="stage_window")
    assert row.version == 3  # the default is version 1; each change raises it
    set_clinic_setting(actor=admin, key="stage_window", value={"max": 8})  # nothing changes
    assert ClinicSetting.objects.get(pk=row.pk).version == 3
    assert AuditEntry.objects.filter(action="accounts.setting.changed").count() == 2


def test_a_form_opened_before_a_colleagues_change_keeps_it(world):
    colleague = make_user("admin2", "clinic_admin", world.clinic)
    me = client_for(world.users["clinic_admin"])
    data = _opened(me)
    assert data["version"] == "1"
    set_clinic_setting(actor=colleague, key="stage_window", value={"unit": "weeks", "max": 8})
    data["min"] = "6"
    saved = me.post(PAGE, data, follow=True)
    assert saved.redirect_chain, saved.content.decode()[:2000]
    assert resolve(world.clinic, "stage_window").value == {"min": 6, "max": 8, "unit": "weeks"}
    assert "their changes were kept" in saved.content.decode()


def test_a_form_changing_the_part_a_colleague_changed_shows_theirs_and_saves_nothing(world):
    colleague = make_user("admin2", "clinic_admin", world.clinic)
    me = client_for(world.users["clinic_admin"])
    data = _opened(me)
    set_clinic_setting(actor=colleague, key="stage_window", value={"max": 8})
    data["max"] = "5"
    refused = me.post(PAGE, data)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Changed by someone else since you opened this form (admin2," in page
    assert "it was 6, it is now 8" in page
    assert resolve(world.clinic, "stage_window").value["max"] == 8
    again = refused.context["form"].data.dict()
    assert me.post(PAGE, again).status_code == 302
    assert resolve(world.clinic, "stage_window").value == {"min": 4, "max": 5, "unit": "months"}
