"""In Chromium: the partner's rehab specialist sees only the referred patient, logs loading and
reads the flags on the chart; the clinic sees who is due for follow-up and records a visit."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from osseo.rehab.actions import create_plan, log_load, record_function_test, refer_patient
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD, make_patient
from tests.rehab.conftest import operate, protocol

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_protocols(transactional_db):
    from osseo.rehab.reference import ensure_reference_protocols

    ensure_reference_protocols()


def _setup(world):
    today = dt.date.today()
    operate(world, today - dt.timedelta(days=100))
    make_patient(world.users["coordinator"], given_name="Unreferred", family_name="Person")
    refer_patient(actor=world.users["coordinator"], patient=world.patient, organisation=world.rehab)
    plan = create_plan(
        actor=world.users["rehab_specialist"],
        patient=world.patient,
        protocol=protocol(),
        start_date=today - dt.timedelta(days=20),
        body_weight_kg=Decimal(80),
    )
    for day in range(3, 20):
        if day in (8, 15):
            continue  # missed days
        applied = Decimal(18) if day == 12 else Decimal(38) if day >= 6 else Decimal(10 + 5 * day)
        log_load(
            actor=world.users["rehab_specialist"],
            plan=plan,
            data={
                "date": plan.start_date + dt.timedelta(days=day - 1),
                "applied_kg": applied,
                "pain_nrs": 6 if day == 17 else 3,
                "walking_aid": "parallel_bars",
            },
        )
    for days_ago, metres in ((60, 210), (30, 260), (5, 300)):
        record_function_test(
            actor=world.users["rehab_specialist"],
            patient=world.patient,
            data={
                "kind": "six_minute_walk",
                "performed_on": today - dt.timedelta(days=days_ago),
                "value": metres,
            },
        )
    return plan


def test_the_partner_logs_loading_and_reads_the_flags_on_the_chart(world, live_server, page):
    plan = _setup(world)
    sign_in(page, live_server, "rehab", PASSWORD)
    page.goto(f"{live_server.url}/patients/")
    expect(page.get_by_role("link", name="QUARRELL, Ada")).to_be_visible()
    expect(page.get_by_text("Unreferred")).to_have_count(0)
    page.goto(f"{live_server.url}/patients/{world.patient.uuid}/")
    expect(page.get_by_role("img", name="6-minute walk test over time (m)")).to_be_visible()
    assert_accessible(page, "rehab-patient-record")
    page.get_by_role("link", name="Rehabilitation and referrals").click()
    page.get_by_role("link", name="Radboud standard programme").first.click()
    expect(page.get_by_role("img", name="Load and pain")).to_be_visible()

    page.get_by_label("Load applied (kg)").fill("15")
    page.get_by_label("Pain (NRS 0-10)").fill("2")
    page.get_by_label("Walking aid").select_option("two_crutches")
    page.get_by_role("button", name="Log the day").click()
    expect(page.get_by_text("Flags: Under-loading.")).to_be_visible()
    expect(page.get_by_text("3 days without a log")).to_be_visible()
    assert page.locator("tr.flagged").count() >= 4
    assert_accessible(page, "rehab-plan-chart")
    page.locator("svg.chart").first.screenshot(
        path="test-artifacts/screenshots/rehab-load-chart.png"
    )

    page.get_by_label("Load applied (kg)").fill("30")
    page.get_by_label("Pain (NRS 0-10)").fill("2")
    page.get_by_role("button", name="Log the day").click()  # today again: refused (409)
    expect(page.get_by_role("alert")).to_contain_text("already logged for this plan")
    assert_accessible(page, "rehab-plan-log-error")
    other = page.request.get(f"{live_server.url}/patients/{world.other_patient.uuid}/")
    assert other.status == 404
    assert plan.logs.count() == 16


def test_the_clinic_sees_who_is_due_for_follow_up_and_records_the_visit(world, live_server, page):
    _setup(world)
    sign_in(page, live_server, "coordinator", PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Care").click()
    nav.get_by_role("link", name="Follow-up").click()
    overdue = page.get_by_role("table", name="Overdue follow-up visits")
    expect(overdue.get_by_role("link", name="QUARRELL, Ada")).to_be_visible()
    expect(overdue).to_contain_text("3 months")
    assert_accessible(page, "rehab-follow-up-list")
    overdue.get_by_role("button", name="Record the 3 months visit of QUARRELL, Ada").click()
    expect(page.get_by_text("Follow-up visit recorded for Ada Quarrell.")).to_be_visible()
    expect(page.get_by_role("table", name="Overdue follow-up visits")).to_have_count(0)

    page.goto(f"{live_server.url}/patients/{world.patient.uuid}/rehab/")
    page.get_by_role("link", name="Referral letter").click()
    expect(page.get_by_text("not provided by the clinic yet")).to_be_visible()
    expect(page.get_by_text("IMP-LOT-7")).to_be_visible()
    assert_accessible(page, "rehab-referral-letter")
