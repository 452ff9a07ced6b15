"""Scoring and storing questionnaire responses over the API (examples worked from RAND's table)."""

import json

import pytest

from osseo.audit.models import AuditEntry
from osseo.outcomes.models import InstrumentConfig, QuestionnaireResponse, Score
from tests.conftest import api_client
from tests.outcomes.synthetic_qtfa import qtfa_form
from tests.outcomes.test_rand36_scoring import COMPLETE

SCORE_URL = "/api/v1/questionnaires/rand-36/score"

# The synthetic Q-TFA rules of tests/outcomes/synthetic_qtfa.py, as the clinic's JSON.
SYNTHETIC_RULES_JSON = {
    "source": "Test fixture: made-up numbers, NOT the published Q-TFA values",
    "hours_per_day": {"1": 0, "2": 4, "3": 8, "4": 16},
    "section_points": {
        "capability": {"1": 0, "2": 50, "3": 100},
        "walking-aid": {"1": 0, "2": 100},
        "walking-habits": {"1": 0, "2": 25, "3": 50, "4": 75, "5": 100},
        "problem": {"1": 0, "2": 50, "3": 100},
        "global": {"1": 0, "2": 25, "3": 50, "4": 75, "5": 100},
    },
    "item_points": {"capability.12": {"1": 100, "2": 50, "3": 0}},
}


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def _answers(form):
    return {str(k): v for k, v in form.items()}


def test_it_scores_a_complete_rand_36_form_without_saving(world):
    before = (QuestionnaireResponse.objects.count(), AuditEntry.objects.count())
    response = post(api_client(world.users["surgeon"]), SCORE_URL, {"answers": _answers(COMPLETE)})
    assert response.status_code == 200, response.content
    # Hand-worked from RAND Tables 1 and 2 (see tests/outcomes/test_rand36_scoring.py).
    assert response.json() == {
        "physical_functioning": 60.0,
        "role_physical": 50.0,
        "role_emotional": pytest.approx(200 / 3),
        "energy_fatigue": 70.0,
        "emotional_wellbeing": 80.0,
        "social_functioning": 75.0,
        "pain": 67.5,
        "general_health": 70.0,
    }
    assert QuestionnaireResponse.objects.count() == before[0]


def test_a_partial_form_leaves_unanswered_items_out_and_empty_scales_null(world):
    # Pain: item 21 = 2 -> 80, item 22 absent -> 80. General health: 1 = 1 -> 100 and
    # 33 = 5 -> 100, 34-36 unanswered (36 sent as null) -> 100. Every other scale: null.
    body = post(
        api_client(world.users["surgeon"]),
        SCORE_URL,
        {"answers": {"21": 2, "1": 1, "33": 5, "36": None}},
    ).json()
    assert body == {
        "physical_functioning": None,
        "role_physical": None,
        "role_emotional": None,
        "energy_fatigue": None,
        "emotional_wellbeing": None,
        "social_functioning": None,
        "pain": 80.0,
        "general_health": 100.0,
    }


@pytest.mark.parametrize(
    ("answers", "field", "words"),
    [
        ({"21": 7}, "answers.21", "item 21: response 7 is outside this item's range 1-6"),
        ({"3": 0}, "answers.3", "item 3: response 0 is outside this item's range 1-3"),
        ({"13": 3}, "answers.13", "item 13: response 3 is outside this item's range 1-2"),
        ({"37": 1}, "answers.37", "item 37: no such item in this questionnaire"),
        ({"5": "2"}, "answers.5", "integer"),
        ({"5": 2.5}, "answers.5", "integer"),
        ({"5": True}, "answers.5", "integer"),
    ],
)
def test_an_answer_outside_an_items_range_is_a_422_naming_the_item(world, answers, field, words):
    response = post(api_client(world.users["surgeon"]), SCORE_URL, {"answers": answers})
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert errors[0]["field"] == field
    assert words in errors[0]["message"]


def test_a_whole_number_answer_may_come_as_a_json_float(world):
    # JSON Schema's "integer" (the document's type for an answer) includes 2.0.
    client = api_client(world.users["surgeon"])
    as_floats = {k: float(v) for k, v in _answers(COMPLETE).items()}
    response = post(client, SCORE_URL, {"answers": as_floats})
    assert response.status_code == 200, response.content
    assert response.json() == post(client, SCORE_URL, {"answers": _answers(COMPLETE)}).json()


def test_an_unknown_questionnaire_is_404_and_a_missing_body_is_422(world):
    client = api_client(world.users["surgeon"])
    assert post(client, "/api/v1/questionnaires/eq-5d/score", {"answers": {}}).status_code == 404
    assert post(client, SCORE_URL, {}).status_code == 422


def test_scoring_needs_a_signed_in_user(world):
    from django.test import Client

    response = Client().post(
        SCORE_URL, json.dumps({"answers": {}}), content_type="application/json"
    )
    assert response.status_code == 401


def test_a_stored_rand_36_response_keeps_its_answers_and_one_score_per_scale(world):
    url = f"/api/v1/patients/{world.patient.uuid}/questionnaire-responses"
    response = post(
        api_client(world.users["prosthetist"]),
        url,
        {"questionnaire": "rand-36", "authored_on": "2025-02-01", "answers": _answers(COMPLETE)},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["scored"] is True
    assert {s["scale"]: s["value"] for s in body["scores"]}["pain"] == 67.5
    stored = QuestionnaireResponse.objects.get(uuid=body["id"])
    assert stored.answers == {str(k): v for k, v in COMPLETE.items()}
    assert Score.objects.filter(response=stored).count() == 8
    listed = api_client(world.users["patient"]).get(url + "?questionnaire=rand-36").json()
    assert listed["count"] == 1
    assert AuditEntry.objects.filter(action="outcomes.response.recorded").count() == 1


def test_a_q_tfa_response_without_the_clinics_rules_is_stored_without_scores(world):
    url = f"/api/v1/patients/{world.patient.uuid}/questionnaire-responses"
    body = post(
        api_client(world.users["surgeon"]),
        url,
        {"questionnaire": "q-tfa", "authored_on": "2025-02-01", "answers": qtfa_form()},
    ).json()
    assert body["scored"] is False
    assert body["scores"] == []
    assert body["scoring_note"] == (
        "Scoring not configured: the clinic has not supplied the scoring rules."
    )
    assert body["limb"] == str(world.limb.uuid)  # the one femoral limb
    score = post(
        api_client(world.users["surgeon"]),
        "/api/v1/questionnaires/q-tfa/score",
        {"answers": qtfa_form()},
    )
    assert score.status_code == 422
    assert score.json()["errors"][0]["field"] == "questionnaire"


def test_with_the_clinics_rules_the_q_tfa_is_scored_and_marked_not_validated(world):
    admin = api_client(world.users["clinic_admin"])
    assert (
        admin.put(
            "/api/v1/questionnaires/q-tfa/rules",
            json.dumps(SYNTHETIC_RULES_JSON),
            content_type="application/json",
        ).status_code
        == 200
    )
    body = post(
        api_client(world.users["surgeon"]),
        f"/api/v1/patients/{world.patient.uuid}/questionnaire-responses",
        {"questionnaire": "q-tfa", "authored_on": "2025-02-01", "answers": qtfa_form()},
    ).json()
    # Worked by hand in tests/outcomes/test_qtfa_scoring.py: use 5 days x 8 h / (7 x 16) x 100.
    scores = {s["scale"]: s["value"] for s in body["scores"]}
    assert scores["prosthetic_use"] == pytest.approx(100 * 5 * 8 / (7 * 16))
    assert scores["problem"] == pytest.approx(1000 / 30)
    assert (body["rules_validated"], body["scoring_note"]) == (
        False,
        "Scoring rules supplied by the clinic: not validated.",
    )


def test_only_a_clinic_admin_sets_the_rules_and_bad_rules_are_refused(world):
    url = "/api/v1/questionnaires/q-tfa/rules"
    put = lambda user, body: api_client(world.users[user]).put(  # noqa: E731
        url, json.dumps(body), content_type="application/json"
    )
    assert put("surgeon", SYNTHETIC_RULES_JSON).status_code == 403
    bad = put("clinic_admin", {**SYNTHETIC_RULES_JSON, "source": ""})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "rules"
    assert put("clinic_admin", {"source": "x"}).status_code == 422
    assert InstrumentConfig.objects.count() == 0
    assert (
        api_client(world.users["clinic_admin"])
        .put(
            "/api/v1/questionnaires/rand-36/rules",
            json.dumps(SYNTHETIC_RULES_JSON),
            content_type="application/json",
        )
        .status_code
        == 422
    )


def test_a_q_tfa_needs_a_transfemoral_limb(world):
    from osseo.patients.actions import add_limb

    tibia = add_limb(
        actor=world.users["coordinator"],
        patient=world.patient,
        data={
            "site": "tibia",
            "side": "right",
            "amputation_date": world.limb.amputation_date,
            "cause": "trauma",
        },
    )
    response = post(
        api_client(world.users["surgeon"]),
        f"/api/v1/patients/{world.patient.uuid}/questionnaire-responses",
        {
            "questionnaire": "q-tfa",
            "authored_on": "2025-02-01",
            "limb": str(tibia.uuid),
            "answers": {"use.days": 7},
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limb"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"questionnaire": "rand-36", "authored_on": "2999-01-01", "answers": {"1": 1}},
            "authored_on",
        ),
        ({"questionnaire": "rand-36", "authored_on": "2025-01-01", "answers": {}}, "answers"),
        (
            {"questionnaire": "rand-36", "authored_on": "2025-01-01", "answers": {"1": 9}},
            "answers.1",
        ),
        (
            {"questionnaire": "sf-36v2", "authored_on": "2025-01-01", "answers": {"1": 1}},
            "questionnaire",
        ),
    ],
)
def test_a_bad_response_is_refused_and_nothing_is_stored(world, body, field):
    response = post(
        api_client(world.users["surgeon"]),
        f"/api/v1/patients/{world.patient.uuid}/questionnaire-responses",
        body,
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
    assert QuestionnaireResponse.objects.count() == 0


def test_the_questionnaire_definition_is_fhir_shaped_and_says_whether_scoring_is_set_up(world):
    client = api_client(world.users["surgeon"])
    definition = client.get("/api/v1/questionnaires/rand-36").json()
    assert definition["resourceType"] == "Questionnaire"
    listing = {q["code"]: q for q in client.get("/api/v1/questionnaires").json()}
    assert listing["rand-36"]["scoring"]["configured"] is True
    assert listing["q-tfa"]["scoring"]["configured"] is False
    assert listing["q-tfa"]["sites"] == ["femur"]
