"""Moving and cancelling an appointment (issue 22): an action each, audited with its reason;
the reminders follow the new time (the real worker, frozen time, the locmem mail backend), the
calendar's event is the same one changed, a cancelled one sends nothing and leaves the calendar;
over the API (`PATCH /appointments/{id}`, `POST /appointments/{id}/cancellation`) with 409 for a
state refusal and 412 for a stale `If-Match`, and on the appointment's page."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.core import mail
from icalendar import Calendar

from osseo.accounts.models import User
from osseo.audit.models import AuditEntry
from osseo.patients.models import Patient
from osseo.scheduling import actions
from osseo.scheduling.models import Appointment, Reminder
from tests.conftest import api_client, client_for, make_patient, make_user
from tests.connectors.conftest import run_worker

BOOKED = dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC)
AT = dt.datetime(2026, 4, 6, 9, tzinfo=dt.UTC)  # Monday 6 April, 10:00 in London
MOVED = dt.datetime(2026, 4, 9, 13, tzinfo=dt.UTC)  # Thursday 9 April, 14:00 in London


def _book(world, capture, starts_at=AT, patient=None):
    User.objects.filter(pk=world.users["surgeon"].pk).update(email="surgeon@clinic.example")
    Patient.objects.filter(pk=world.patient.pk).update(email="ada@example.org")
    world.patient.refresh_from_db()
    with time_machine.travel(BOOKED, tick=False), capture(execute=True):
        return actions.book_appointment(
            actor=world.users["coordinator"],
            patient=patient or world.patient,
            data={
                "kind": "connector_service",
                "starts_at": starts_at,
                "place": "Prosthetics workshop",
                "clinician": world.users["surgeon"],
            },
        )


def _worker_at(moment):
    with time_machine.travel(moment, tick=False):
        run_worker()


def test_a_moved_appointment_is_reminded_of_at_its_new_time_and_the_move_is_audited(
    world, django_capture_on_commit_callbacks
):
    appointment = _book(world, django_capture_on_commit_callbacks)
    _worker_at(dt.datetime(2026, 4, 3, 10, tzinfo=dt.UTC))  # 72 hours before: the lead reminder
    assert len(mail.outbox) == 2
    mail.outbox.clear()
    with (
        time_machine.travel(dt.datetime(2026, 4, 4, 9, tzinfo=dt.UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.reschedule_appointment(
            actor=world.users["coordinator"],
            appointment=appointment,
            data={"starts_at": MOVED, "place": "Clinic room 3", "reason": "Workshop closed."},
        )
    _worker_at(dt.datetime(2026, 4, 4, 9, 1, tzinfo=dt.UTC))  # the notice of the move, at once
    assert all("has moved" in m.body for m in mail.outbox) and len(mail.outbox) == 2
    mail.outbox.clear()
    _worker_at(dt.datetime(2026, 4, 5, 7, 30, tzinfo=dt.UTC))  # the old day before: nothing
    assert mail.outbox == []
    _worker_at(dt.datetime(2026, 4, 6, 13, 5, tzinfo=dt.UTC))  # 72 hours before the new time
    by_to = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_to) == ["ada@example.org", "surgeon@clinic.example"]
    for message in by_to.values():
        assert "Thursday 9 April 2026 at 14:00" in message.body
        assert "Clinic room 3" in message.body
        assert "Monday 6 April" not in message.body
    staff = by_to["surgeon@clinic.example"]
    for name in ("Ada", "Quarrell", "9434765919", str(world.patient.uuid)):
        assert name not in staff.subject + staff.body
    mail.outbox.clear()
    _worker_at(dt.datetime(2026, 4, 8, 7, 30, tzinfo=dt.UTC))  # the new day before
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org", "surgeon@clinic.example"]
    mail.outbox.clear()
    _worker_at(dt.datetime(2026, 4, 8, 18, tzinfo=dt.UTC))
    assert mail.outbox == []
    # The reminders of the old time stay on record beside the new time's.
    assert sorted(
        (r.starts_at, r.kind)
        for r in Reminder.objects.filter(appointment=appointment, to_patient=True)
    ) == [(AT, "lead"), (MOVED, "day_before"), (MOVED, "lead")]
    entry = AuditEntry.objects.get(action="scheduling.appointment.rescheduled")
    assert entry.patient_id == world.patient.pk
    assert entry.changes == {
        "starts_at": [AT.isoformat(), MOVED.isoformat()],
        "place": ["Prosthetics workshop", "Clinic room 3"],
        "reason": [None, "Workshop closed."],
    }


def test_a_cancelled_appointment_sends_nothing_more_and_keeps_its_reason(
    world, django_capture_on_commit_callbacks
):
    appointment = _book(world, django_capture_on_commit_callbacks)
    with time_machine.travel(BOOKED, tick=False):
        actions.cancel_appointment(
            actor=world.users["coordinator"], appointment=appointment, reason="Patient unwell."
        )
    mail.outbox.clear()
    _worker_at(dt.datetime(2026, 4, 3, 10, tzinfo=dt.UTC))
    _worker_at(dt.datetime(2026, 4, 5, 7, 30, tzinfo=dt.UTC))
    assert mail.outbox == []
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancel_reason) == ("cancelled", "Patient unwell.")
    assert AuditEntry.objects.get(action="scheduling.appointment.cancelled").changes == {
        "status": ["booked", "cancelled"],
        "reason": [None, "Patient unwell."],
    }


def _feed_events(user):
    client = client_for(user)
    page = client.post("/calendar/").content.decode()
    [url] = re.findall(r'value="(http[^"]+\.ics)"', page)
    body = client.get(url.removeprefix("http://testserver")).content
    return [
        e
        for e in Calendar.from_ical(body).walk("VEVENT")
        if str(e["uid"]).startswith("appointment-")
    ]


def test_the_calendar_event_is_the_same_one_moved_and_is_gone_once_cancelled(
    world, django_capture_on_commit_callbacks
):
    with time_machine.travel(BOOKED, tick=False):
        appointment = _book(world, django_capture_on_commit_callbacks)
        [before] = _feed_events(world.users["surgeon"])
        actions.reschedule_appointment(
            actor=world.users["coordinator"],
            appointment=appointment,
            data={"starts_at": MOVED, "reason": "Surgeon in theatre."},
        )
        [after] = _feed_events(world.users["surgeon"])
        assert after["uid"] == before["uid"] == f"appointment-{appointment.uuid}@osseo"
        assert after.decoded("dtstart") == MOVED
        assert int(after["sequence"]) > int(before["sequence"])
        [mine] = _feed_events(world.users["patient"])
        assert mine.decoded("dtstart") == MOVED
        actions.cancel_appointment(
            actor=world.users["coordinator"], appointment=appointment, reason="No longer needed."
        )
        assert _feed_events(world.users["surgeon"]) == []
        assert _feed_events(world.users["patient"]) == []


def test_over_the_api_a_move_names_its_reason_and_a_stale_or_finished_one_is_refused(
    world, django_capture_on_commit_callbacks
):
    appointment = _book(world, django_capture_on_commit_callbacks)
    url = f"/api/v1/appointments/{appointment.uuid}"
    coordinator = api_client(world.users["coordinator"])
    with time_machine.travel(BOOKED, tick=False):
        read = coordinator.get(url)
        assert read.status_code == 200
        etag = read["ETag"]
        assert read.json()["starts_at"].startswith("2026-04-06T09:00")

        no_reason = coordinator.patch(url, {"minutes": 45}, content_type="application/json")
        assert no_reason.status_code == 422
        same = coordinator.patch(
            url, {"place": "Prosthetics workshop", "reason": "x"}, content_type="application/json"
        )
        assert same.status_code == 422
        assert same["Content-Type"] == "application/problem+json"

        moved = coordinator.patch(
            url,
            {
                "starts_at": MOVED.isoformat(),
                "minutes": 45,
                "clinician": str(world.users["prosthetist"].uuid),
                "reason": "The prosthetist sees it.",
            },
            content_type="application/json",
            headers={"If-Match": etag},
        )
        assert moved.status_code == 200, moved.content
        assert moved.json()["clinician_name"] == "prosthetist"
        assert moved.json()["minutes"] == 45
        assert moved["ETag"] != etag

        stale = coordinator.patch(
            url,
            {"place": "Room 9", "reason": "Late change."},
            content_type="application/json",
            headers={"If-Match": etag},
        )
        assert stale.status_code == 412
        stale_cancel = coordinator.post(
            url + "/cancellation",
            {"reason": "Late change."},
            content_type="application/json",
            headers={"If-Match": etag},
        )
        assert stale_cancel.status_code == 412
        appointment.refresh_from_db()
        assert (appointment.place, appointment.status) == ("Prosthetics workshop", "booked")

        cancelled = coordinator.post(
            url + "/cancellation",
            {"reason": "Patient moved away."},
            content_type="application/json",
            headers={"If-Match": moved["ETag"]},
        )
        assert cancelled.status_code == 200
        assert cancelled.json()["status"] == "cancelled"
        assert cancelled.json()["cancel_reason"] == "Patient moved away."
        again = coordinator.post(
            url + "/cancellation", {"reason": "Twice."}, content_type="application/json"
        )
        assert again.status_code == 409
        assert again.json()["missing"][0]["code"] == "booked"
        late_move = coordinator.patch(
            url, {"place": "Room 9", "reason": "After all."}, content_type="application/json"
        )
        assert late_move.status_code == 409


def test_who_may_move_cancel_and_read_an_appointment_over_the_api(
    world, django_capture_on_commit_callbacks
):
    appointment = _book(world, django_capture_on_commit_callbacks)
    # Another patient of the same clinic, with an account and an appointment of their own.
    other = make_patient(world.users["coordinator"], given_name="Cai", family_name="Second")
    second = make_user("second", "patient", world.clinic, patient=other)
    theirs = _book(world, django_capture_on_commit_callbacks, patient=other)
    url = f"/api/v1/appointments/{appointment.uuid}"
    body = {"place": "Room 9", "reason": "Because."}
    with time_machine.travel(BOOKED, tick=False):
        patient = api_client(world.users["patient"])
        assert patient.get(url).status_code == 200
        assert patient.get(f"/api/v1/appointments/{theirs.uuid}").status_code == 404
        week = patient.get("/api/v1/appointments?from=2026-04-01&to=2026-04-30").json()
        assert [a["id"] for a in week["items"]] == [str(appointment.uuid)]
        theirs_listed = api_client(second).get("/api/v1/appointments?from=2026-04-01&to=2026-04-30")
        assert [a["id"] for a in theirs_listed.json()["items"]] == [str(theirs.uuid)]
        assert patient.patch(url, body, content_type="application/json").status_code == 403
        outsider = api_client(world.users["outsider"])
        assert outsider.get(url).status_code == 404
        assert outsider.patch(url, body, content_type="application/json").status_code == 404
        assert (
            outsider.post(
                url + "/cancellation", {"reason": "x"}, content_type="application/json"
            ).status_code
            == 404
        )
        anaesthetist = api_client(world.users["anaesthetist"])
        assert anaesthetist.patch(url, body, content_type="application/json").status_code == 403
    appointment.refresh_from_db()
    assert (appointment.place, appointment.status) == ("Prosthetics workshop", "booked")
    assert not AuditEntry.objects.filter(
        action__in=["scheduling.appointment.rescheduled", "scheduling.appointment.cancelled"]
    ).exists()


def test_the_page_moves_and_cancels_with_a_reason_and_shows_field_errors(
    world, django_capture_on_commit_callbacks
):
    appointment = _book(world, django_capture_on_commit_callbacks)
    url = f"/appointments/{appointment.uuid}/"
    page = client_for(world.users["coordinator"])
    with time_machine.travel(BOOKED, tick=False):
        html = page.get(url).content.decode()
        assert "Move this appointment" in html and "Cancel this appointment" in html
        form = {
            "op": "move",
            "version": appointment.version,
            "m-day": "2026-04-09",
            "m-time": "14:00",
            "m-minutes": "30",
            "m-place": "Prosthetics workshop",
            "m-clinician": str(world.users["surgeon"].uuid),
            "m-reason": "",
        }
        refused = page.post(url, form)
        assert refused.status_code == 422
        assert "Why it moves: This field is required." in refused.content.decode()
        moved = page.post(url, {**form, "m-reason": "Workshop closed."}, follow=True)
        assert (
            "Appointment moved: the patient and the clinician are told, and reminders follow the new time."
            in moved.content.decode()
        )
        appointment.refresh_from_db()
        assert appointment.starts_at == MOVED
        stale = page.post(url, {"op": "cancel", "version": 1, "x-reason": "Unwell."})
        assert stale.status_code == 422
        assert "changed since you opened the page" in stale.content.decode()
        cancelled = page.post(
            url,
            {"op": "cancel", "version": appointment.version, "x-reason": "Unwell."},
            follow=True,
        )
        html = cancelled.content.decode()
        assert (
            "Appointment cancelled: the patient and the clinician are told; no reminder goes for it."
            in html
        )
        assert "Why it was cancelled" in html and "Unwell." in html
        assert "Move this appointment" not in html
    assert Appointment.objects.get(pk=appointment.pk).status == "cancelled"
