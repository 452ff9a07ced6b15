"""The clinic settings screen shows every setting in words, with its help text and its source or
"not validated", and edits each through typed fields: a save round-trips (shown in words, the
form reloaded with the value saved); bad input is a field error and saves nothing."""

import re

import pytest

from osseo.accounts.actions import set_clinic_setting
from osseo.accounts.clinic_settings import SPECS, resolve
from osseo.accounts.models import ClinicSetting
from osseo.audit.models import AuditEntry
from tests.conftest import client_for

PAGE = "/accounts/settings/"


def _forms(response):
    return {
        row.setting.spec.key: form
        for _, entries in response.context["sections"]
        for row, form in entries
    }


def _opened(client, key):
    """What the browser sends back from the setting's form as the page showed it."""
    form = _forms(client.get(PAGE))[key]
    data = {"key": key}
    for name in form.fields:
        value = form.initial.get(name, "")
        values = value if isinstance(value, list) else [value]
        values = ["on" if v is True else "" if v is False else str(v) for v in values]
        data[form.add_prefix(name)] = values
        if name != "version":
            data[form.add_initial_prefix(name)] = values
    return data


def _visible(html):
    return re.sub(r"<[^>]+>", " ", html)


# Each form on the screen, a new value as typed, and the words the overview then shows.
EDITS = [
    (
        "stage_window",
        {"min": "6", "max": "8", "unit": "weeks"},
        {"min": 6, "max": 8, "unit": "weeks"},
        "6 to 8 weeks",
    ),
    ("registry_min_at_risk", {"value": "20"}, 20, "20 implants"),
    ("date_years_ahead", {"value": "5"}, 5, "5 years"),
    (
        "two_factor_roles",
        {"value": ["clinic_admin", "surgeon"]},
        ["clinic_admin", "surgeon"],
        "Surgeon and Clinic administrator",
    ),
    ("session_idle_minutes", {"value": "15"}, 15, "15 minutes"),
    ("password_max_age_days", {"value": "365"}, 365, "365 days"),
    ("api_token_hours", {"value": "1"}, 1, "1 hour"),
]


@pytest.mark.parametrize(("key", "typed", "stored", "words"), EDITS, ids=[e[0] for e in EDITS])
def test_each_setting_round_trips_through_its_form(world, key, typed, stored, words):
    client = client_for(world.users["clinic_admin"])
    data = _opened(client, key)
    form = _forms(client.get(PAGE))[key]
    for name, value in typed.items():
        data[form.add_prefix(name)] = value if isinstance(value, list) else [value]
    data[form.add_prefix("source")] = ["Clinic governance meeting, 3 Dec 2026"]
    data[form.add_prefix("validated")] = ["on"]
    assert client.post(PAGE, data).status_code == 302
    setting = resolve(world.clinic, key)
    assert (setting.value, setting.source, setting.validated) == (
        stored,
        "Clinic governance meeting, 3 Dec 2026",
        True,
    )
    page = client.get(PAGE)
    row = next(r for r in page.context["rows"] if r.setting.spec.key == key)
    assert row.words == words
    assert words in _visible(page.content.decode())
    reloaded = _forms(page)[key]
    shown = {name: reloaded.initial[name] for name in typed}
    expected = stored if isinstance(stored, dict) else {"value": stored}
    assert shown == expected


def test_every_setting_is_shown_in_words_with_its_source_or_not_validated(world):
    admin = world.users["clinic_admin"]
    set_clinic_setting(actor=admin, key="site_profiles", value={"tibia": {"load_recordings": True}})
    page = client_for(admin).get(PAGE)
    words = {r.setting.spec.key: r.words for r in page.context["rows"]}
    assert set(words) == set(SPECS)
    assert (
        words["follow_up_schedule"] == "At 3, 6 and 12 months after surgery, then every 12 months"
    )
    assert words["stoma_care_instructions"] == "Not written yet"
    assert words["two_factor_roles"] == "Clinic administrator"
    assert words["password_max_age_days"] == "Passwords do not expire"
    assert words["rehab_under_loading_percent"] == "20 % of the prescribed load"
    assert words["site_profiles"] == "Tibia (transtibial): load recordings as the wear basis."
    assert words["mdt_disciplines"] == (
        "Surgeon (amputation and reconstruction), Rehabilitation physician and Prosthetist"
    )
    text = _visible(page.content.decode())
    # No Python value and no bare unit word ("Stoma-care instructions: text") anywhere.
    assert not re.search(r"[{}\[\]]|'months'|\btext\b", text)
    for row in page.context["rows"]:
        assert row.setting.validated or "not validated" in text
    # Each form on the screen says what its setting does and where its source is described.
    for key in ("stage_window", "date_years_ahead", "two_factor_roles"):
        assert SPECS[key].help.split(" ")[0] in text
        assert SPECS[key].anchor in text


def test_the_two_factor_setting_explains_its_effect_and_is_on_for_admins_by_default(world):
    page = client_for(world.users["clinic_admin"]).get(PAGE)
    form = _forms(page)["two_factor_roles"]
    assert form.initial["value"] == ["clinic_admin"]
    text = " ".join(_visible(page.content.decode()).split())
    assert "must enrol an authenticator app" in text
    assert "sent to enrol before any other page" in text


@pytest.mark.parametrize(
    ("key", "typed"),
    [
        ("date_years_ahead", "0"),
        ("date_years_ahead", "51"),
        ("date_years_ahead", "soon"),
        ("registry_min_at_risk", "-3"),
        ("api_token_hours", "2.5"),
    ],
)
def test_bad_input_is_a_field_error_and_saves_nothing(world, key, typed):
    client = client_for(world.users["clinic_admin"])
    data = _opened(client, key)
    form = _forms(client.get(PAGE))[key]
    data[form.add_prefix("value")] = [typed]
    refused = client.post(PAGE, data)
    assert refused.status_code == 422
    assert "value" in _forms(refused)[key].errors
    assert not ClinicSetting.objects.filter(organisation=world.clinic, key=key).exists()
    assert not AuditEntry.objects.filter(action="accounts.setting.changed").exists()


def test_a_validated_value_without_a_source_is_refused(world):
    client = client_for(world.users["clinic_admin"])
    data = _opened(client, "date_years_ahead")
    data["date_years_ahead-value"] = ["3"]
    data["date_years_ahead-validated"] = ["on"]
    refused = client.post(PAGE, data)
    assert refused.status_code == 422
    assert "source" in _forms(refused)["date_years_ahead"].errors
    assert resolve(world.clinic, "date_years_ahead").is_default


def test_the_years_ahead_setting_bounds_planned_dates(world):
    from osseo.plausible import years_ahead_for

    client = client_for(world.users["clinic_admin"])
    data = _opened(client, "date_years_ahead")
    data["date_years_ahead-value"] = ["7"]
    assert client.post(PAGE, data).status_code == 302
    assert years_ahead_for(world.patient) == (7, False)


def test_the_site_profiles_round_trip_through_their_checkboxes(world):
    client = client_for(world.users["clinic_admin"])
    form = _forms(client.get(PAGE))["site_profiles"]
    # Only what a site may take is offered: no walking test and no Q-TFA beyond the femur.
    assert "humerus__load_recordings" in form.fields
    assert "femur__load_recordings" not in form.fields  # the femur has them already
    offered = [c for name, f in form.fields.items() for c, _ in getattr(f, "choices", [])]
    assert "six_minute_walk" not in offered and "q-tfa" not in offered
    data = _opened(client, "site_profiles")
    data["site_profiles-hand__load_recordings"] = ["on"]
    assert client.post(PAGE, data).status_code == 302
    assert resolve(world.clinic, "site_profiles").value == {"hand": {"load_recordings": True}}
    page = client.get(PAGE)
    row = next(r for r in page.context["rows"] if r.setting.spec.key == "site_profiles")
    assert row.words == "Hand (digit or metacarpal): load recordings as the wear basis."
    assert _forms(page)["site_profiles"].initial["hand__load_recordings"] is True
    from osseo.patients.sites import for_clinic

    assert for_clinic(world.clinic, "hand").load_recordings
    # Unticked again: nothing added.
    data = _opened(client, "site_profiles")
    data["site_profiles-hand__load_recordings"] = [""]
    assert client.post(PAGE, data).status_code == 302
    words = {r.setting.spec.key: r.words for r in client.get(PAGE).context["rows"]}
    assert words["site_profiles"] == "Nothing added: each site keeps its own profile."
