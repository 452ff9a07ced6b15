"""In Chromium: the patient page built from panels says what is overdue, and the pages it links
to say so too; each is axe-clean and fits a 390 px phone."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from osseo.outcomes.actions import record_response
from osseo.outcomes.models import Questionnaire
from tests.browser.conftest import assert_accessible, sign_in
from tests.complications.conftest import operate
from tests.conftest import PASSWORD
from tests.connectors.conftest import policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_overdue_parts_and_visits_show_on_the_patient_page_and_where_it_links(
    world, live_server, page
):
    operate(world)  # 10 Jan 2025: the dualcone's 12-month limit and every visit since are past
    policy(world, time_limit_months=12)
    record_response(
        actor=world.users["surgeon"],
        patient=world.patient,
        questionnaire=Questionnaire.objects.get(code="rand-36"),
        data={"authored_on": dt.date(2025, 6, 1), "answers": {"21": 3, "22": 2}},
    )
    sign_in(page, live_server, "coordinator", PASSWORD)
    page.goto(f"{live_server.url}/patients/{world.patient.uuid}/")
    expect(page.get_by_role("link", name="Overdue since 10 Jan 2026")).to_be_visible()
    expect(page.get_by_text("overdue by", exact=False).first).to_be_visible()
    page.get_by_text("Every stored response (1)").click()
    expect(
        page.get_by_role("link", name="1 Jun 2025: RAND 36-Item Health Survey 1.0")
    ).to_be_visible()
    assert_accessible(page, "patient-page-panels")
    _fits(page, 390)
    assert_accessible(page, "patient-page-panels-phone")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Overdue since 10 Jan 2026").click()
    expect(page.get_by_text("Overdue since 10 January 2026")).to_be_visible()
    assert_accessible(page, "connectors-overdue")

    page.goto(f"{live_server.url}/patients/{world.patient.uuid}/rehab/#follow-ups")
    expect(page.get_by_role("heading", name="Follow-up visits")).to_be_visible()
    expect(page.get_by_text("overdue by", exact=False).first).to_be_visible()
    _fits(page, 390)
    assert_accessible(page, "rehab-follow-ups-overdue-phone")
