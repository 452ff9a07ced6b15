"""In Chromium at 390 px: the patient logs today's load against today's prescription, reads what a
log over the prescription or the pain limit means in their programme's words, sees the last weeks
as a chart and a table, and corrects their own log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from osseo.rehab.actions import create_plan, log_load, refer_patient
from osseo.rehab.models import LoadLog
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.rehab.conftest import operate, protocol

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _reference_protocols(transactional_db):
    from osseo.rehab.reference import ensure_reference_protocols

    ensure_reference_protocols()


def _plan(world):
    today = dt.date.today()
    operate(world, today - dt.timedelta(days=30))
    refer_patient(actor=world.users["coordinator"], patient=world.patient, organisation=world.rehab)
    plan = create_plan(
        actor=world.users["rehab_specialist"],
        patient=world.patient,
        protocol=protocol(),
        start_date=today - dt.timedelta(days=4),  # today is day 5: up to 50 % body weight
        body_weight_kg=Decimal(80),
    )
    for day in range(3, 5):
        log_load(
            actor=world.users["rehab_specialist"],
            plan=plan,
            data={
                "date": plan.start_date + dt.timedelta(days=day - 1),
                "applied_kg": Decimal(30),
                "pain_nrs": 2,
            },
        )
    return plan


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{width}px wide at {PHONE['width']}px"


def test_the_patient_logs_today_and_reads_the_feedback_in_their_programmes_words(
    world, live_server, page
):
    plan = _plan(world)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "patient", PASSWORD)
    page.goto(f"{live_server.url}/me/diary/")
    expect(page.get_by_text("Day 5 of your programme.")).to_be_visible()
    expect(page.get_by_text("Keep your pain below 5 out of 10.")).to_be_visible()
    expect(page.get_by_text("40 kg", exact=False).first).to_be_visible()
    expect(page.get_by_role("img", name="Your load on the scale and your pain")).to_be_visible()
    fits(page)
    assert_accessible(page, "me-diary-390")

    page.get_by_label("Load on the scale (kg)").fill("55")
    page.get_by_label("Pain, from 0 (no pain) to 10 (the worst pain)").fill("6")
    page.get_by_role("button", name="Save my log").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved your log of today.")
    status = page.locator(".diary [role=status]")
    expect(status).to_contain_text("more than today's prescription (up to 40 kg)")
    expect(status).to_contain_text("Your pain was 6 out of 10, at or above 5")
    expect(page.locator(".diary")).to_contain_text("Your programme says:")
    fits(page)
    assert_accessible(page, "me-diary-logged-390")
    log = LoadLog.objects.get(plan=plan, date=dt.date.today())
    assert (log.applied_kg, log.pain_nrs, log.logged_by) == (
        Decimal(55),
        6,
        world.users["patient"],
    )
    assert set(log.flags) == {"over_loading", "pain_over_gate"}

    page.get_by_role("link", name=f"Correct the log of {dt.date.today():%-d %B}").click()
    page.get_by_label("Load on the scale (kg)").fill("40")
    page.get_by_label("Pain, from 0 (no pain) to 10 (the worst pain)").fill("3")
    page.get_by_label("What was wrong with the day's log?").fill("I read the scale wrong.")
    fits(page)
    assert_accessible(page, "me-diary-correct-390")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator(".diary [role=status]")).to_contain_text("within today's prescription")
    log.refresh_from_db()
    assert (log.applied_kg, log.pain_nrs, log.flags) == (Decimal(40), 3, [])
    page.screenshot(path="test-artifacts/screenshots/me-diary-corrected-390.png", full_page=True)


def test_a_patient_without_a_loading_plan_has_no_diary_to_fill(world, live_server, page):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "patient", PASSWORD)
    page.goto(f"{live_server.url}/me/diary/")
    expect(page.get_by_text("You have no loading programme at the moment.")).to_be_visible()
    expect(page.get_by_role("button", name="Save my log")).to_have_count(0)
    fits(page)
    assert_accessible(page, "me-diary-none-390")
