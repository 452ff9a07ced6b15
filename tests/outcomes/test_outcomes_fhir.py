"""A stored response as FHIR R4: the QuestionnaireResponse nested as its Questionnaire, and one
Observation per computed score, derived from it."""

import json

import pytest

from osseo.audit.models import AuditEntry
from osseo.outcomes.models import QuestionnaireResponse
from tests.conftest import api_client
from tests.outcomes.synthetic_qtfa import qtfa_form
from tests.outcomes.test_outcomes_api import SYNTHETIC_RULES_JSON, post


def _store(world, body):
    response = post(
        api_client(world.users["surgeon"]),
        f"/api/v1/patients/{world.patient.uuid}/questionnaire-responses",
        body,
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _fhir(user, response_id):
    return api_client(user).get(f"/api/v1/questionnaire-responses/{response_id}/fhir")


def _resources(bundle, kind):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_a_partial_rand_36_response_as_fhir(world):
    # Items 21 and 22 (pain): 3 -> 60 and 2 -> 75 on RAND's table; pain is their mean, 67.5.
    stored = _store(
        world,
        {"questionnaire": "rand-36", "authored_on": "2025-02-01", "answers": {"21": 3, "22": 2}},
    )
    response = _fhir(world.users["surgeon"], stored)
    assert response.status_code == 200
    bundle = response.json()
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    [qr] = _resources(bundle, "QuestionnaireResponse")
    assert qr["questionnaire"] == "https://osseo.example/fhir/Questionnaire/rand-36|1.0"
    assert (qr["id"], qr["status"], qr["authored"]) == (stored, "completed", "2025-02-01")
    assert qr["subject"] == {"reference": f"Patient/{world.patient.uuid}"}
    assert qr["author"] == {"reference": f"Practitioner/{world.users['surgeon'].uuid}"}
    # Only the answered items, each with the coding of the option chosen.
    assert [(i["linkId"], i["answer"][0]["valueCoding"]["code"]) for i in qr["item"]] == [
        ("21", "3"),
        ("22", "2"),
    ]
    assert qr["item"][0]["answer"][0]["valueCoding"]["display"] == "Mild"
    [pain] = _resources(bundle, "Observation")  # the other seven scales have no score
    assert pain["code"]["coding"][0]["code"] == "rand-36.pain"
    assert pain["valueQuantity"]["value"] == 67.5
    assert pain["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{stored}"}]
    assert pain["category"][0]["coding"][0]["code"] == "survey"
    assert "not validated" not in json.dumps(pain)


def test_a_q_tfa_response_as_fhir_nests_its_groups_and_says_its_scores_are_not_validated(world):
    admin = api_client(world.users["clinic_admin"])
    admin.put(
        "/api/v1/questionnaires/q-tfa/rules",
        json.dumps(SYNTHETIC_RULES_JSON),
        content_type="application/json",
    )
    stored = _store(
        world,
        {
            "questionnaire": "q-tfa",
            "authored_on": "2025-02-01",
            "limb": str(world.limb.uuid),
            "answers": qtfa_form(),
        },
    )
    bundle = _fhir(world.users["surgeon"], stored).json()
    [qr] = _resources(bundle, "QuestionnaireResponse")
    assert [g["linkId"] for g in qr["item"]] == [
        "use",
        "capability",
        "walking-aid",
        "walking-habits",
        "problem",
        "global",
    ]
    use = qr["item"][0]["item"]
    assert [(i["linkId"], i["answer"][0]["valueCoding"]["code"]) for i in use] == [
        ("use.days", "5"),
        ("use.hours", "3"),
    ]
    observations = {o["code"]["coding"][0]["code"]: o for o in _resources(bundle, "Observation")}
    assert set(observations) == {
        "q-tfa.prosthetic_use",
        "q-tfa.mobility",
        "q-tfa.problem",
        "q-tfa.global",
    }
    assert observations["q-tfa.mobility"]["valueQuantity"]["value"] == 62.5
    problem_note = observations["q-tfa.problem"]["note"][0]["text"]
    assert "A higher score is worse." in problem_note
    assert "not validated" in problem_note
    assert QuestionnaireResponse.objects.get(uuid=stored).scores.count() == 4


def test_the_fhir_read_is_audited_and_another_clinic_gets_404(world):
    stored = _store(
        world, {"questionnaire": "rand-36", "authored_on": "2025-02-01", "answers": {"1": 2}}
    )
    before = AuditEntry.objects.filter(action="patients.patient.viewed").count()
    assert _fhir(world.users["anaesthetist"], stored).status_code == 200
    assert AuditEntry.objects.filter(action="patients.patient.viewed").count() == before + 1
    assert _fhir(world.users["outsider"], stored).status_code == 404


@pytest.mark.parametrize("bad", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_response_is_a_problem(world, bad):
    response = _fhir(world.users["surgeon"], bad)
    assert response.status_code in (404, 422)
    assert response["Content-Type"] == "application/problem+json"
