"""In Chromium at 390 px: a patient answers the whole RAND-36, one question at a time, stops and
comes back to where they were, sends it, and the clinic sees the scores; the patient sees none."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from osseo.outcomes.models import QuestionnaireResponse
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.gates import advance
from tests.outcomes.test_rand36_scoring import COMPLETE

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{width}px wide at {PHONE['width']}px"


def test_a_patient_completes_the_rand36_on_a_phone_and_the_clinic_sees_the_scores(
    world, live_server, page
):
    from osseo.outcomes.instruments import INSTRUMENTS
    from osseo.outcomes.rules import questions_of

    advance(world.users, world.episode, "assessment")
    words = {q.link_id: dict(q.options) for q in questions_of(INSTRUMENTS["rand-36"].questionnaire)}
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "patient", PASSWORD)
    page.goto(f"{live_server.url}/me/questionnaires/")
    expect(page.get_by_text("Please answer it now")).to_be_visible()
    fits(page)
    assert_accessible(page, "me-questionnaires-390")
    page.get_by_role("link", name="Start RAND 36-Item Health Survey 1.0").click()
    for n in range(1, 37):
        expect(page.get_by_role("heading", name=f"Question {n} of 36")).to_be_visible()
        if n in (1, 3):
            fits(page)
            assert_accessible(page, f"me-question-{n}-390")
        page.get_by_label(words[str(n)][COMPLETE[n]], exact=True).check()
        if n == 10:  # stop here, and come back later
            page.get_by_role("button", name="Save and next").click()
            page.get_by_role("link", name="Stop here and carry on later").click()
            expect(page.get_by_text("You have answered 10 of 36 questions.")).to_be_visible()
            page.get_by_role("link", name="Carry on RAND 36-Item Health Survey 1.0").click()
            continue
        button = "Save and finish" if n == 36 else "Save and next"
        page.get_by_role("button", name=button).click()
    expect(page.get_by_text("You have answered 36 of 36 questions.")).to_be_visible()
    fits(page)
    assert_accessible(page, "me-question-review-390")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("have gone to your clinic")).to_be_visible()
    expect(page.get_by_text("score", exact=False)).to_have_count(0)
    fits(page)
    assert_accessible(page, "me-questionnaires-sent-390")

    response = QuestionnaireResponse.objects.get(patient=world.patient)
    assert response.answers == {str(k): v for k, v in COMPLETE.items()}
    assert response.scored and response.scores.count() == 8

    # The clinic reads the scores on the staff side.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "surgeon", PASSWORD)
    page.goto(f"{live_server.url}/patients/{world.patient.uuid}/")
    expect(page.get_by_text("RAND 36-Item Health Survey 1.0").first).to_be_visible()
    page.screenshot(path="test-artifacts/screenshots/me-rand36-clinic-side.png", full_page=True)
