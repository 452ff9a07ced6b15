"""The outcome screens: enter a RAND-36 or Q-TFA response, set the Q-TFA up, see the trends."""

import datetime as dt
import json

from django.core.files.uploadedfile import SimpleUploadedFile

from osseo.outcomes.actions import record_response
from osseo.outcomes.models import InstrumentConfig, Questionnaire, QuestionnaireResponse
from tests.conftest import client_for
from tests.outcomes.test_outcomes_api import SYNTHETIC_RULES_JSON
from tests.outcomes.test_rand36_scoring import COMPLETE


def test_the_rand_36_form_saves_answers_and_shows_the_scores(world):
    client = client_for(world.users["surgeon"])
    url = f"/patients/{world.patient.uuid}/questionnaires/rand-36/new/"
    page = client.get(url).content.decode()
    assert "In general, would you say your health is:" in page
    data = {"authored_on": "2025-02-01", **{f"item_{k}": str(v) for k, v in COMPLETE.items()}}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = QuestionnaireResponse.objects.get()
    assert stored.answers["21"] == 3
    detail = client.get(response["Location"]).content.decode()
    assert "67.5" in detail  # pain: (60 + 75) / 2


def test_a_partly_answered_rand_36_form_scores_the_answered_scales_only(world):
    client = client_for(world.users["surgeon"])
    url = f"/patients/{world.patient.uuid}/questionnaires/rand-36/new/"
    # Only the two pain items: pain is (60 + 75) / 2, every other scale is empty.
    response = client.post(url, {"authored_on": "2025-02-01", "item_21": "3", "item_22": "2"})
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = QuestionnaireResponse.objects.get()
    assert stored.answers == {"21": 3, "22": 2}
    scores = dict(stored.scores.values_list("scale", "value"))
    assert scores["pain"] == 67.5
    assert scores["physical_functioning"] is None


def test_the_q_tfa_form_says_it_is_not_configured_yet_and_stores_answers_only(world):
    client = client_for(world.users["surgeon"])
    url = f"/patients/{world.patient.uuid}/questionnaires/q-tfa/new/"
    page = client.get(url).content.decode()
    # Neither wording nor rules: no page of placeholder items (issue 20).
    assert "Not configured yet" in page
    assert "wording supplied by the clinic" not in page
    response = client.post(
        url,
        {
            "authored_on": "2025-02-01",
            "limb": str(world.limb.uuid),
            "item_use.days": "7",
            "item_use.hours": "4",
        },
    )
    assert response.status_code == 302
    stored = QuestionnaireResponse.objects.get()
    assert (stored.scored, stored.scores.count()) == (False, 0)


def test_a_clinic_admin_uploads_the_wording_and_the_rules(world):
    client = client_for(world.users["clinic_admin"])
    url = "/settings/questionnaires/q-tfa/"
    wording = SimpleUploadedFile(
        "qtfa.csv", b"linkId,text\ncapability.1,Clinic wording for the first capability item\n"
    )
    response = client.post(
        url, {"rules": json.dumps(SYNTHETIC_RULES_JSON), "item_text_file": wording}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    config = InstrumentConfig.objects.get()
    assert config.item_text == {"capability.1": "Clinic wording for the first capability item"}
    page = (
        client_for(world.users["surgeon"])
        .get(f"/patients/{world.patient.uuid}/questionnaires/q-tfa/new/")
        .content.decode()
    )
    assert "Clinic wording for the first capability item" in page
    assert "Scoring not configured" not in page
    # The rules list each item's responses: the form offers those and nothing else.
    assert 'type="radio" name="item_capability.1" value="3"' in page
    assert 'name="item_capability.1" value="4"' not in page


def test_with_rules_a_response_the_rules_do_not_score_is_refused_beside_its_item(world):
    InstrumentConfig.objects.create(
        organisation=world.clinic,
        questionnaire=Questionnaire.objects.get(code="q-tfa"),
        rules=SYNTHETIC_RULES_JSON,
        rules_source=SYNTHETIC_RULES_JSON["source"],
        set_by=world.users["clinic_admin"],
        set_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    client = client_for(world.users["surgeon"])
    url = f"/patients/{world.patient.uuid}/questionnaires/q-tfa/new/"
    form = {"authored_on": "2025-02-01", "limb": str(world.limb.uuid), "item_use.days": "7"}
    response = client.post(url, {**form, "item_use.hours": "9"})
    assert response.status_code == 422
    assert "Select a valid choice. 9 is not one of the available choices." in (
        response.content.decode()
    )
    assert QuestionnaireResponse.objects.count() == 0
    response = client.post(url, {**form, "item_use.hours": "4"})
    assert response.status_code == 302
    stored = QuestionnaireResponse.objects.get()
    assert stored.scores.get(scale="prosthetic_use").value == 100.0


def test_a_bad_wording_file_is_refused_naming_the_line(world):
    client = client_for(world.users["clinic_admin"])
    bad = SimpleUploadedFile("qtfa.csv", b"linkId,text\ncapability.99,Nope\n")
    response = client.post("/settings/questionnaires/q-tfa/", {"item_text_file": bad})
    assert response.status_code == 422
    assert "qtfa.csv, line 2: unknown linkId &#x27;capability.99&#x27;" in response.content.decode()
    assert InstrumentConfig.objects.count() == 0
    assert (
        client_for(world.users["surgeon"]).get("/settings/questionnaires/q-tfa/").status_code == 403
    )


def test_scores_trend_on_the_patient_page_as_svg_charts_with_a_table(world):
    rand = Questionnaire.objects.get(code="rand-36")
    for when, pain in [(dt.date(2024, 6, 1), 1), (dt.date(2025, 1, 1), 3)]:
        record_response(
            actor=world.users["surgeon"],
            patient=world.patient,
            questionnaire=rand,
            data={"authored_on": when, "answers": {"21": pain, "22": pain}},
        )
    page = (
        client_for(world.users["surgeon"]).get(f"/patients/{world.patient.uuid}/").content.decode()
    )
    assert page.count('role="img"') == 8
    # Pain: item 21 = 1 -> 100, 22 = 1 -> 100; then 21 = 3 -> 60, 22 = 3 -> 50: 55.
    assert "Pain (0 to 100, higher is better): 100 on 01 Jun 2024, 55 on 01 Jan 2025." in page
    assert '<th scope="row">1 Jan 2025</th>' in page


def test_the_settings_page_shows_the_rules_in_force_and_keeps_them_on_a_wording_upload(world):
    client = client_for(world.users["clinic_admin"])
    url = "/settings/questionnaires/q-tfa/"
    page = client.get(url).content.decode()
    assert "The shape of the scoring rules" in page
    assert "&quot;walking-habits&quot;" in page  # every section is named in the shape
    client.post(url, {"rules": json.dumps(SYNTHETIC_RULES_JSON)})
    page = client.get(url).content.decode()
    assert "Test fixture: made-up numbers" in page.split("<dt>Scoring</dt>", 1)[1]
    # Importing the rules in force again sets nothing again.
    config = InstrumentConfig.objects.get()
    shown = json.dumps(config.rules, indent=2, ensure_ascii=False)
    response = client.post(url, {"rules": shown})
    assert response.status_code == 302
    assert InstrumentConfig.objects.get().set_at == config.set_at
    # A wording file alone keeps the rules.
    wording = SimpleUploadedFile("qtfa.json", b'{"global#5": "Very good (clinic wording)"}')
    response = client.post(url, {"rules": shown, "item_text_file": wording})
    assert response.status_code == 302
    config = InstrumentConfig.objects.get()
    assert config.rules == SYNTHETIC_RULES_JSON
    assert config.item_text == {"global#5": "Very good (clinic wording)"}
