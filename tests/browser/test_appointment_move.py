"""In Chromium (issue 22): the coordinator moves an appointment to another day with the reason,
on a phone, then cancels it; the page stays axe-clean and fits 390 px."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from osseo.scheduling import actions
from osseo.scheduling.models import Appointment
from tests.browser.conftest import SHOTS, assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coordinator_moves_then_cancels_an_appointment_on_a_phone(world, live_server, page):
    day = timezone.localdate() + dt.timedelta(days=7)
    appointment = actions.book_appointment(
        actor=world.users["coordinator"],
        patient=world.patient,
        data={
            "kind": "connector_service",
            "starts_at": timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0))),
            "place": "Prosthetics workshop",
            "clinician": world.users["surgeon"],
        },
    )
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "coordinator", PASSWORD)
    page.goto(f"{live_server.url}/appointments/{appointment.uuid}/")
    expect(page.get_by_role("heading", name="Move this appointment")).to_be_visible()
    moved_to = day + dt.timedelta(days=2)
    page.get_by_label("New date").fill(moved_to.isoformat())
    page.get_by_label("New time").fill("14:30")
    page.get_by_role("button", name="Move the appointment").click()
    expect(page.get_by_text("Why it moves: This field is required.")).to_be_visible()
    assert_accessible(page, "week-appointment-move-error")
    page.get_by_label("Why it moves").fill("The workshop is closed that day.")
    page.get_by_role("button", name="Move the appointment").click()
    expect(
        page.get_by_text(
            "Appointment moved: the patient and the clinician are told, and reminders follow the new time."
        )
    ).to_be_visible()
    expect(page.get_by_text(f"{moved_to:%-d %b %Y}, 14:30")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "week-appointment-moved")
    page.get_by_label("Why it is cancelled").fill("The patient asked to cancel.")
    page.get_by_role("button", name="Cancel the appointment").click()
    expect(
        page.get_by_text(
            "Appointment cancelled: the patient and the clinician are told; no reminder goes for it."
        )
    ).to_be_visible()
    expect(page.get_by_text("The patient asked to cancel.")).to_be_visible()
    page.screenshot(path=str(SHOTS / "week-appointment-cancelled.png"), full_page=True)
    appointment = Appointment.objects.get(pk=appointment.pk)
    assert appointment.status == "cancelled"
    assert timezone.localtime(appointment.starts_at).date() == moved_to
