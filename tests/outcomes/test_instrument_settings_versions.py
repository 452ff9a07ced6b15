"""The clinic's Q-TFA wording and rules carry a version: the API's ETag and If-Match, and the
settings form's version, keep a colleague's change from being silently undone."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from osseo.audit.models import AuditEntry
from osseo.outcomes.actions import configure_instrument
from osseo.outcomes.models import InstrumentConfig, Questionnaire
from tests.conftest import api_client, client_for, make_user
from tests.outcomes.test_outcomes_api import SYNTHETIC_RULES_JSON

RULES_URL = "/api/v1/questionnaires/q-tfa/rules"
PAGE = "/settings/questionnaires/q-tfa/"


def _put(client, body, **headers):
    return client.put(RULES_URL, json.dumps(body), content_type="application/json", headers=headers)


def _wording(line="capability.1,Clinic wording for the first capability item"):
    return SimpleUploadedFile("qtfa.csv", f"linkId,text\n{line}\n".encode())


def test_the_definition_carries_the_clinics_version_and_setting_rules_raises_it(world):
    client = api_client(world.users["clinic_admin"])
    assert client.get("/api/v1/questionnaires/q-tfa")["ETag"] == '"1"'  # Osseo's defaults
    first = _put(client, SYNTHETIC_RULES_JSON, **{"If-Match": '"1"'})
    assert (first.status_code, first["ETag"]) == (200, '"2"')
    assert client.get("/api/v1/questionnaires/q-tfa")["ETag"] == '"2"'


def test_a_stale_if_match_on_the_rules_is_refused_with_412_and_nothing_changes(world):
    client = api_client(world.users["clinic_admin"])
    assert _put(client, SYNTHETIC_RULES_JSON).status_code == 200
    entries = AuditEntry.objects.filter(action="outcomes.instrument.configured").count()
    stale = _put(client, {**SYNTHETIC_RULES_JSON, "source": "Other"}, **{"If-Match": '"1"'})
    assert (stale.status_code, stale["ETag"]) == (412, '"2"')
    config = InstrumentConfig.objects.get()
    assert (config.rules_source, config.version) == (SYNTHETIC_RULES_JSON["source"], 2)
    assert AuditEntry.objects.filter(action="outcomes.instrument.configured").count() == entries


def test_new_rules_keep_the_clinics_wording(world):
    admin = world.users["clinic_admin"]
    qtfa = Questionnaire.objects.get(code="q-tfa")
    configure_instrument(actor=admin, questionnaire=qtfa, item_text_file=_wording())
    assert _put(api_client(admin), SYNTHETIC_RULES_JSON).status_code == 200
    config = InstrumentConfig.objects.get()
    assert config.item_text == {"capability.1": "Clinic wording for the first capability item"}
    assert (config.rules_source, config.version) == (SYNTHETIC_RULES_JSON["source"], 3)


def _opened(client):
    form = client.get(PAGE).context["form"]
    rules = form.initial.get("rules", "")
    return {"version": str(form.initial["version"]), "rules": rules, "initial-rules": rules}


def test_a_form_opened_before_a_colleague_sent_wording_keeps_it(world):
    colleague = make_user("admin2", "clinic_admin", world.clinic)
    me = client_for(world.users["clinic_admin"])
    data = _opened(me)
    configure_instrument(
        actor=colleague,
        questionnaire=Questionnaire.objects.get(code="q-tfa"),
        item_text_file=_wording(),
    )
    data["rules"] = json.dumps(SYNTHETIC_RULES_JSON)
    saved = me.post(PAGE, data, follow=True)
    assert saved.redirect_chain, saved.content.decode()[:2000]
    config = InstrumentConfig.objects.get()
    assert config.rules == SYNTHETIC_RULES_JSON
    assert config.item_text == {"capability.1": "Clinic wording for the first capability item"}
