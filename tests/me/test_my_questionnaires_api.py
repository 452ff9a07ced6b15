"""GET/POST /api/v1/me/questionnaire-responses: the questionnaires the clinic asks of the patient,
answered one question at a time (saved as they go, resumable), stored for the clinic with their
scores, never shown to the patient."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from osseo.audit.models import AuditEntry
from osseo.outcomes.models import QuestionnaireResponse, ResponseDraft
from osseo.rehab.rules import add_months
from tests.conftest import api_client
from tests.gates import advance
from tests.outcomes.test_rand36_scoring import COMPLETE
from tests.rehab.conftest import operate

URL = "/api/v1/me/questionnaire-responses"


def post(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


def asked(client):
    response = client.get(URL)
    assert response.status_code == 200, response.content
    return response.json()


def test_nothing_is_asked_of_a_patient_whose_referral_is_not_yet_seen(world):
    body = asked(api_client(world.users["patient"]))
    assert body == {"asked": [], "items": [], "count": 0}


def test_before_surgery_the_site_profile_questionnaires_are_due(world):
    advance(world.users, world.episode, "assessment")
    body = asked(api_client(world.users["patient"]))
    # Femur: RAND-36 and the Q-TFA; the Q-TFA's wording is the clinic's, not supplied here.
    assert [(a["questionnaire"], a["due"], a["occasion"]) for a in body["asked"]] == [
        ("rand-36", True, "before your operation")
    ]
    rand = body["asked"][0]
    assert rand["limb"] == str(world.limb.uuid)
    assert rand["site"] == world.limb.get_site_display()
    assert rand["questions"] == 36
    assert (rand["in_progress"], rand["answered"], rand["due_on"]) == (None, 0, None)


def test_answers_are_saved_as_they_go_and_resumed(world):
    advance(world.users, world.episode, "assessment")
    client = api_client(world.users["patient"])
    first = post(client, {"questionnaire": "rand-36", "answers": {"1": 2}})
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "in-progress"
    second = post(client, {"questionnaire": "rand-36", "answers": {"2": 3, "3": 1}})
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["answers"] == {"1": 2, "2": 3, "3": 1}
    cleared = post(client, {"questionnaire": "rand-36", "answers": {"2": None}})
    assert cleared.json()["answers"] == {"1": 2, "3": 1}
    rand = asked(client)["asked"][0]
    assert (rand["in_progress"], rand["answered"], rand["due"]) == (first.json()["id"], 2, True)
    assert ResponseDraft.objects.filter(patient=world.patient).count() == 1
    assert not QuestionnaireResponse.objects.filter(patient=world.patient).exists()
    saved = AuditEntry.objects.filter(action="outcomes.answers.saved", patient=world.patient)
    assert saved.count() == 3
    assert {e.actor_id for e in saved} == {world.users["patient"].pk}


def test_finishing_stores_the_response_with_scores_for_the_clinic_but_shows_none(world):
    advance(world.users, world.episode, "assessment")
    client = api_client(world.users["patient"])
    post(client, {"questionnaire": "rand-36", "answers": {"1": 2}})
    rest = {str(k): v for k, v in COMPLETE.items() if k != 1}
    done = post(client, {"questionnaire": "rand-36", "answers": rest, "finish": True})
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["status"] == "completed"
    assert body["authored_on"] == timezone.localdate().isoformat()
    assert body["answers"] == {str(k): v for k, v in COMPLETE.items()}
    assert "scores" not in body and "score" not in done.content.decode().lower()
    stored = QuestionnaireResponse.objects.get(patient=world.patient)
    assert stored.scored and stored.limb == world.limb and stored.episode == world.episode
    assert stored.scores.count() == 8
    assert stored.author == world.users["patient"]
    assert not ResponseDraft.objects.filter(patient=world.patient).exists()
    assert AuditEntry.objects.filter(
        action="outcomes.response.recorded", patient=world.patient, actor=world.users["patient"]
    ).exists()
    rand = asked(client)["asked"][0]
    assert (rand["due"], rand["last_answered_on"], rand["in_progress"]) == (
        False,
        timezone.localdate().isoformat(),
        None,
    )
    # The clinic sees the scores through its own API.
    staff = api_client(world.users["surgeon"]).get(
        f"/api/v1/patients/{world.patient.uuid}/questionnaire-responses"
    )
    assert [s["value"] is not None for s in staff.json()["items"][0]["scores"]] == [True] * 8


def test_an_answer_the_questionnaire_does_not_offer_is_refused_and_nothing_saved(world):
    advance(world.users, world.episode, "assessment")
    client = api_client(world.users["patient"])
    for answers, field in (({"1": 9}, "answers.1"), ({"99": 1}, "answers.99")):
        response = post(client, {"questionnaire": "rand-36", "answers": answers})
        assert response.status_code == 422, response.content
        assert response["Content-Type"].startswith("application/problem+json")
        assert field in json.dumps(response.json())
    assert not ResponseDraft.objects.filter(patient=world.patient).exists()


def test_a_questionnaire_the_clinic_does_not_ask_is_refused(world):
    advance(world.users, world.episode, "assessment")
    client = api_client(world.users["patient"])
    for code in ("q-tfa", "no-such-thing"):
        response = post(client, {"questionnaire": code, "answers": {"1": 1}})
        assert response.status_code == 422, response.content
    other_limb = post(
        client,
        {"questionnaire": "rand-36", "limb": str(world.other_patient.uuid), "answers": {"1": 1}},
    )
    assert other_limb.status_code == 422
    assert not ResponseDraft.objects.exists()


def test_after_surgery_the_questionnaire_is_due_for_the_next_follow_up_visit(world):
    today = timezone.localdate()
    surgery = today - dt.timedelta(days=100)
    operate(world, surgery)
    client = api_client(world.users["patient"])
    rand = asked(client)["asked"][0]
    assert rand["occasion"] == "3 months after your operation"
    assert rand["due_on"] == add_months(surgery, 3).isoformat()
    assert rand["due"] is True


def test_between_the_operation_and_the_first_visit_nothing_is_due_but_it_may_be_answered(world):
    operate(world, timezone.localdate() - dt.timedelta(days=20))
    client = api_client(world.users["patient"])
    rand = asked(client)["asked"][0]
    assert (rand["due"], rand["occasion"]) == (False, None)
    saved = post(client, {"questionnaire": "rand-36", "answers": {"1": 4}})
    assert saved.status_code == 200
    assert saved.json()["answers"] == {"1": 4}


def test_staff_have_no_questionnaires_of_their_own(world):
    advance(world.users, world.episode, "assessment")
    for role in ("surgeon", "rehab_specialist"):
        client = api_client(world.users[role])
        assert client.get(URL).status_code == 404
        response = post(client, {"questionnaire": "rand-36", "answers": {"1": 2}})
        assert response.status_code == 404
    assert not ResponseDraft.objects.exists()


def test_a_patient_with_two_treated_limbs_answers_a_general_survey_once(world):
    from osseo.pathway.actions import open_episode
    from osseo.patients.actions import add_limb

    tibia = add_limb(
        actor=world.users["coordinator"],
        patient=world.patient,
        data={
            "site": "tibia",
            "side": "right",
            "amputation_date": dt.date(2016, 4, 1),
            "cause": "trauma",
        },
    )
    second = open_episode(actor=world.users["coordinator"], limb=tibia)
    advance(world.users, world.episode, "assessment")
    advance(world.users, second, "assessment")
    client = api_client(world.users["patient"])
    body = asked(client)
    assert [(a["questionnaire"], a["limb"], a["due"]) for a in body["asked"]] == [
        ("rand-36", None, True)
    ]
    done = post(
        client,
        {
            "questionnaire": "rand-36",
            "answers": {str(k): v for k, v in COMPLETE.items()},
            "finish": True,
        },
    )
    assert done.status_code == 200, done.content
    stored = QuestionnaireResponse.objects.get(patient=world.patient)
    assert (stored.limb, stored.episode, stored.scored) == (None, None, True)
    assert asked(client)["asked"][0]["due"] is False


def test_the_q_tfa_is_asked_once_the_clinic_has_supplied_its_wording_and_scoring(world):
    from osseo.outcomes.actions import configure_instrument
    from osseo.outcomes.models import Questionnaire
    from tests.outcomes.test_outcomes_api import SYNTHETIC_RULES_JSON

    advance(world.users, world.episode, "assessment")
    client = api_client(world.users["patient"])
    qtfa = Questionnaire.objects.get(code="q-tfa")
    admin = world.users["clinic_admin"]
    configure_instrument(actor=admin, questionnaire=qtfa, item_text={"use.days": "Days a week?"})
    assert [a["questionnaire"] for a in asked(client)["asked"]] == ["rand-36"]
    configure_instrument(
        actor=admin, questionnaire=qtfa, rules_json=json.dumps(SYNTHETIC_RULES_JSON)
    )
    body = asked(client)
    assert [(a["questionnaire"], a["limb"]) for a in body["asked"]] == [
        ("q-tfa", str(world.limb.uuid)),
        ("rand-36", str(world.limb.uuid)),
    ]
    saved = post(client, {"questionnaire": "q-tfa", "answers": {"capability.1": 3}})
    assert saved.status_code == 200, saved.content
    refused = post(client, {"questionnaire": "q-tfa", "answers": {"capability.1": 9}})
    assert refused.status_code == 422


def test_the_clinics_timeline_tells_the_finished_response_not_each_saved_answer(world):
    from tests.conftest import client_for

    advance(world.users, world.episode, "assessment")
    client = api_client(world.users["patient"])
    for item in ("1", "2", "3"):
        post(client, {"questionnaire": "rand-36", "answers": {item: 2}})
    post(client, {"questionnaire": "rand-36", "answers": {}, "finish": True})
    page = client_for(world.users["surgeon"]).get(f"/patients/{world.patient.uuid}/")
    html = page.content.decode()
    assert html.count("Questionnaire response recorded") == 1
    assert "Questionnaire answers saved, not finished" not in html
    assert AuditEntry.objects.filter(action="outcomes.answers.saved").count() == 3
