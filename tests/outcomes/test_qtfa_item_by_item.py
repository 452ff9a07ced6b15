"""The clinic enters the Q-TFA's scoring rules and wording item by item in typed fields (issue 20),
exports them as JSON and another clinic imports them: checked whole, with the line of a JSON
error and the field of a value that cannot be used, all or nothing."""

import json

from osseo.accounts.actions import create_organisation, enrol_totp_for
from osseo.audit.models import AuditEntry
from osseo.outcomes.models import InstrumentConfig
from osseo.outcomes.scoring import scoring_for
from tests.conftest import TEST_TOTP_KEY, client_for, make_user
from tests.outcomes.synthetic_qtfa import SYNTHETIC_RULES, qtfa_form


def _admin(username, clinic):
    """Another clinic administrator, with the authenticator the clinic requires of admins."""
    user = make_user(username, "clinic_admin", clinic)
    enrol_totp_for(user=user, key=TEST_TOTP_KEY)
    return user


PAGE = "/settings/questionnaires/q-tfa/"
SCALES = PAGE + "scoring/"
SOURCE = "Test fixture: made-up numbers, NOT the published Q-TFA values"

# SYNTHETIC_RULES as typed into the scales form.
TYPED = {
    "source": SOURCE,
    "hours_first": "1",
    "hours_values": "0, 4, 8, 16",
    "hours_words": "None\nUp to 4 hours\nUp to 8 hours\nMore than 15 hours",
    "capability_first": "1",
    "capability_values": "0, 50, 100",
    "capability_words": "Cannot\nWith difficulty\nEasily",
    "walking_aid_first": "1",
    "walking_aid_values": "0, 100",
    "walking_habits_first": "1",
    "walking_habits_values": "0, 25, 50, 75, 100",
    "problem_first": "1",
    "problem_values": "0, 50, 100",
    "global_first": "1",
    "global_values": "0, 25, 50, 75, 100",
}


def _opened(client, url):
    """What the browser sends back from the form as the page showed it."""
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form.initial.get(name, "")
        value = (
            form.fields[name].prepare_value(value)
            if hasattr(form.fields[name], "prepare_value")
            else value
        )
        value = "on" if value is True else "" if value in (False, None) else str(value)
        data[name] = value
        if name != "version":
            data[f"initial-{name}"] = value
    return data


def _enter_scales(client):
    data = _opened(client, SCALES)
    data.update(TYPED)
    return client.post(SCALES, data)


def _enter_capability_items(client):
    url = PAGE + "items/capability/"
    data = _opened(client, url)
    data["heading"] = "Capability (clinic wording)"
    for n in range(1, 13):
        data[f"text_{n}"] = f"Capability item {n} (clinic wording)"
    data["points_12"] = "100, 50, 0"  # a reversed item
    return client.post(url, data)


def test_the_scales_and_the_items_entered_by_form_are_the_rules_the_scores_use(world):
    admin = world.users["clinic_admin"]
    client = client_for(admin)
    assert _enter_scales(client).status_code == 302
    assert _enter_capability_items(client).status_code == 302
    config = InstrumentConfig.objects.get()
    from osseo.outcomes.instruments.qtfa import QtfaRules

    assert QtfaRules.from_mapping(config.rules) == SYNTHETIC_RULES
    assert config.item_text["capability"] == "Capability (clinic wording)"
    assert config.item_text["capability.12"] == "Capability item 12 (clinic wording)"
    assert config.item_text["capability#3"] == "Easily"
    assert config.item_text["use.hours#4"] == "More than 15 hours"
    setup = scoring_for(world.clinic, config.questionnaire)
    assert setup.configured and not setup.validated
    assert setup.instrument.score(qtfa_form())["mobility"] is not None
    # Reloaded, each form shows what was entered.
    reloaded = _opened(client, SCALES)
    assert {k: reloaded[k] for k in TYPED} == {
        **TYPED,
        "walking_aid_values": "0, 100",
    }
    items = _opened(client, PAGE + "items/capability/")
    assert (items["text_3"], items["points_12"], items["points_1"]) == (
        "Capability item 3 (clinic wording)",
        "100, 50, 0",
        "",
    )
    # The settings page says how far each section is worded.
    page = client.get(PAGE).content.decode()
    assert "12 of 12" in page and "0 of 30" in page


def test_bad_values_are_field_errors_and_save_nothing(world):
    client = client_for(world.users["clinic_admin"])
    data = _opened(client, SCALES)
    data.update(TYPED)
    data["capability_values"] = "0, 50, 120"
    data["global_values"] = "0, lots"
    data["hours_words"] = "a\nb\nc\nd\ne"
    refused = client.post(SCALES, data)
    assert refused.status_code == 422
    errors = refused.context["form"].errors
    assert errors["capability_values"] == ["Entry 3 (120) must be 0 to 100."]
    assert errors["global_values"] == ["Entry 2 (lots) is not a number."]
    assert errors["hours_words"] == ["5 lines of wording for 4 responses."]
    assert not InstrumentConfig.objects.exists()
    # An item's own points need the section's scale, of the same length.
    url = PAGE + "items/capability/"
    data = _opened(client, url)
    data["points_12"] = "100, 0"
    refused = client.post(url, data)
    assert refused.status_code == 422
    assert "points_12" in refused.context["form"].errors
    assert not InstrumentConfig.objects.exists()
    assert _enter_scales(client).status_code == 302
    data = _opened(client, url)
    data["points_12"] = "100, 0"
    refused = client.post(url, data)
    assert refused.context["form"].errors["points_12"] == [
        "Give 3 numbers, one per response of the section."
    ]
    assert InstrumentConfig.objects.get().rules["item_points"] == {}


def test_a_scales_form_opened_before_a_colleagues_change_to_the_same_scale_saves_nothing(world):
    colleague = client_for(_admin("admin2", world.clinic))
    me = client_for(world.users["clinic_admin"])
    assert _enter_scales(me).status_code == 302
    data = _opened(me, SCALES)
    theirs = _opened(colleague, SCALES)
    theirs["capability_values"] = "0, 40, 100"
    assert colleague.post(SCALES, theirs).status_code == 302
    data["capability_values"] = "0, 60, 100"
    refused = me.post(SCALES, data)
    assert refused.status_code == 409
    assert "Changed by someone else since you opened this form (admin2," in refused.content.decode()
    assert InstrumentConfig.objects.get().rules["section_points"]["capability"]["2"] == 40


def test_export_then_import_at_another_clinic_round_trips(world):
    client = client_for(world.users["clinic_admin"])
    _enter_scales(client)
    _enter_capability_items(client)
    exported = client.get(PAGE + "export/")
    assert exported["Content-Disposition"] == 'attachment; filename="q-tfa-settings.json"'
    body = exported.content.decode()
    mine = InstrumentConfig.objects.get(organisation=world.clinic)

    other = create_organisation(name="Third Clinic", slug="third", kind="oi_clinic")
    theirs = client_for(_admin("admin3", other))
    data = _opened(theirs, PAGE)
    data["rules"] = body
    assert theirs.post(PAGE, data).status_code == 302
    imported = InstrumentConfig.objects.get(organisation=other)
    assert (imported.rules, imported.item_text) == (mine.rules, mine.item_text)
    assert theirs.get(PAGE + "export/").content.decode() == body


def test_an_import_with_an_error_names_its_line_or_field_and_saves_nothing(world):
    client = client_for(world.users["clinic_admin"])
    _enter_scales(client)
    good = json.loads(client.get(PAGE + "export/").content)
    before = InstrumentConfig.objects.get()
    audited = AuditEntry.objects.filter(action="outcomes.instrument.configured").count()

    def refused(text):
        data = _opened(client, PAGE)
        data["rules"] = text
        response = client.post(PAGE, data)
        assert response.status_code == 422
        return response.context["form"].errors["rules"][0]

    broken = json.dumps(good, indent=2).replace('"capability": {', '"capability": {,', 1)
    line = broken.splitlines().index(
        next(x for x in broken.splitlines() if '"capability": {,' in x)
    )
    assert refused(broken).startswith(f"Line {line + 1}, column ")
    bad_points = json.loads(json.dumps(good))
    bad_points["rules"]["section_points"]["problem"]["2"] = 150
    text = json.dumps(bad_points, indent=2)
    lines = text.splitlines()
    problem = next(n for n, x in enumerate(lines) if x.strip() == '"problem": {')
    two = next(n for n, x in enumerate(lines) if n > problem and x.strip().startswith('"2"'))
    assert refused(text) == (
        f"Line {two + 1}: These rules cannot be used: "
        "section_points['problem'][2] = 150: must be 0-100"
    )
    bad_text = {**good, "item_text": {**good["item_text"], "capability.99": "No such item"}}
    text = json.dumps(bad_text, indent=2)
    where = next(n for n, x in enumerate(text.splitlines()) if '"capability.99"' in x)
    assert refused(text) == (
        f"Line {where + 1}: This wording cannot be used: capability.99: no such item"
    )
    assert "questionnaire" in refused(json.dumps({**good, "questionnaire": "rand-36"}))
    after = InstrumentConfig.objects.get()
    assert (after.version, after.rules, after.item_text) == (
        before.version,
        before.rules,
        before.item_text,
    )
    assert AuditEntry.objects.filter(action="outcomes.instrument.configured").count() == audited


def test_until_configured_the_q_tfa_form_says_so_instead_of_placeholder_items(world):
    url = f"/patients/{world.patient.uuid}/questionnaires/q-tfa/new/"
    page = client_for(world.users["surgeon"]).get(url).content.decode()
    assert "Not configured yet" in page
    assert "wording supplied by the clinic" not in page
    assert 'name="item_' not in page
    client = client_for(world.users["clinic_admin"])
    _enter_scales(client)
    page = client_for(world.users["surgeon"]).get(url).content.decode()
    assert "Not configured yet" not in page
    assert 'name="item_capability.1"' in page


def test_an_import_does_not_silently_replace_a_colleagues_change_made_since(world):
    me = client_for(world.users["clinic_admin"])
    _enter_scales(me)
    exported = me.get(PAGE + "export/").content.decode()
    data = _opened(me, PAGE)
    colleague = client_for(_admin("admin2", world.clinic))
    theirs = _opened(colleague, SCALES)
    theirs["capability_values"] = "0, 40, 100"
    assert colleague.post(SCALES, theirs).status_code == 302
    changed = InstrumentConfig.objects.get()
    data["rules"] = exported
    refused = me.post(PAGE, data)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "someone else changed the scoring rules (admin2," in page
    assert "Nothing was imported" in page
    now = InstrumentConfig.objects.get()
    assert (now.version, now.rules) == (changed.version, changed.rules)
    # Opened again, the import goes through: a deliberate replacement.
    data = _opened(me, PAGE)
    data["rules"] = exported
    assert me.post(PAGE, data).status_code == 302
    assert InstrumentConfig.objects.get().rules["section_points"]["capability"]["2"] == 50
