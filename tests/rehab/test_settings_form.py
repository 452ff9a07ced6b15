"""The rehabilitation settings form writes only what its user changed: a colleague's change made
since the form was opened is kept, or shown when it is to the same field."""

from osseo.accounts.clinic_settings import resolve
from osseo.audit.models import AuditEntry
from osseo.rehab.actions import set_rehab_setting
from tests.conftest import client_for, make_user


def _opened(client):
    """The settings form as the page showed it, with the values it was opened with."""
    page = client.get("/rehab/settings/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {"save_settings": "1"}
    for name in form.fields:
        sent = form.as_sent(name, form.initial.get(name))
        data[f"initial-{name}"] = sent
        if name.endswith("_validated"):
            if sent == "True":
                data[name] = "on"
        else:
            data[name] = sent
    return data


def test_a_form_saved_unchanged_writes_nothing(world):
    me = client_for(world.users["clinic_admin"])
    assert me.post("/rehab/settings/", _opened(me)).status_code == 302
    assert not AuditEntry.objects.filter(action="rehab.setting.changed").exists()


def test_a_form_opened_before_a_colleagues_change_keeps_it(world):
    me = client_for(world.users["clinic_admin"])
    data = _opened(me)
    colleague = make_user("admin2", "clinic_admin", world.clinic)
    set_rehab_setting(
        actor=colleague,
        key="follow_up_schedule",
        value={"months": [1, 6], "then_every_months": 12},
        source="Clinic policy 2026",
        validated=True,
    )

    data["under_loading_percent"] = "30"
    saved = me.post("/rehab/settings/", data, follow=True)

    assert saved.redirect_chain, saved.content
    assert resolve(world.clinic, "rehab_under_loading_percent").value == 30
    schedule = resolve(world.clinic, "follow_up_schedule")
    assert (schedule.value, schedule.source) == (
        {"months": [1, 6], "then_every_months": 12},
        "Clinic policy 2026",
    )
    assert "their changes were kept" in saved.content.decode()
    assert list(
        AuditEntry.objects.filter(action="rehab.setting.changed")
        .order_by("seq")
        .values_list("actor__username", "changes")
    ) == [
        (
            "admin2",
            {
                "follow_up_schedule": [
                    {"months": [3, 6, 12], "then_every_months": 12},
                    {"months": [1, 6], "then_every_months": 12},
                ],
                "validated": [None, True],
            },
        ),
        ("admin", {"rehab_under_loading_percent": [20.0, 30.0], "validated": [None, False]}),
    ]


def test_a_form_changing_the_field_a_colleague_changed_shows_theirs_and_saves_nothing(world):
    me = client_for(world.users["clinic_admin"])
    data = _opened(me)
    colleague = make_user("admin2", "clinic_admin", world.clinic)
    set_rehab_setting(actor=colleague, key="rehab_under_loading_percent", value=35)

    data["under_loading_percent"] = "30"
    refused = me.post("/rehab/settings/", data)

    assert refused.status_code == 409
    assert (
        "Changed by someone else since you opened this form (admin2, " in refused.content.decode()
    )
    assert "it is now 35.0" in refused.content.decode()
    assert resolve(world.clinic, "rehab_under_loading_percent").value == 35
    form = refused.context["form"]
    assert form["under_loading_percent"].value() == "30"

    again = dict(form.data.items())
    assert me.post("/rehab/settings/", again).status_code == 302
    assert resolve(world.clinic, "rehab_under_loading_percent").value == 30


def test_the_page_says_what_is_in_force_in_words_with_its_source(world):
    me = client_for(world.users["clinic_admin"])
    page = " ".join(me.get("/rehab/settings/").content.decode().split())
    assert "Now: At 3, 6 and 12 months after surgery, then every 12 months. Source: OGA" in page
    assert "by more than 20 % of the prescribed load" in page
    assert "<strong>Not validated.</strong>" in page  # the thresholds have no source
    assert "<strong>not written yet</strong>" in page
    data = _opened(me)
    data["schedule_months"] = "6, 12"
    data["schedule_every"] = "24"
    assert me.post("/rehab/settings/", data).status_code == 302
    page = " ".join(me.get("/rehab/settings/").content.decode().split())
    assert "Now: At 6 and 12 months after surgery, then every 24 months." in page
