"""A questionnaire sent twice (a second tap on the button, the page sent again) is stored once
and the patient reads that it has gone to the clinic, not an error; the limb it is about is in
the guide's words."""

from __future__ import annotations

import json

from osseo.outcomes.models import QuestionnaireResponse
from tests.conftest import api_client, client_for
from tests.gates import advance
from tests.outcomes.test_rand36_scoring import COMPLETE


def test_sending_the_answers_again_stores_them_once_and_says_they_have_gone(world):
    advance(world.users, world.episode, "assessment")
    api = api_client(world.users["patient"])
    answers = {str(k): v for k, v in COMPLETE.items()}
    saved = api.post(
        "/api/v1/me/questionnaire-responses",
        json.dumps({"questionnaire": "rand-36", "answers": answers}),
        content_type="application/json",
    )
    assert saved.status_code == 200, saved.content
    client = client_for(world.users["patient"])
    url = f"/me/questionnaires/rand-36/{world.limb.uuid}/"
    first = client.post(url, {"step": "review"})
    assert first.status_code == 302, first.content
    again = client.post(url, {"step": "review"}, follow=True)
    assert again.status_code == 200
    page = again.content.decode()
    assert "Your answers to RAND 36-Item Health Survey 1.0 have gone to your clinic." in page
    assert "Answer at least one item" not in page
    assert QuestionnaireResponse.objects.filter(patient=world.patient).count() == 1
    assert "About your left thigh bone (femur)." in page
    assert "Femur (transfemoral)" not in page
