"""Moving or cancelling a booked appointment tells the patient and the clinicians at once,
through the background worker (the real worker, frozen time, the locmem mail backend): the
patient's mail names no clinical detail and no reason, the staff mail names no patient; each
goes once; a change overtaken by another before the worker ran sends only the latest; reminders
queued for the old time do not go."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core import mail

from osseo.accounts.models import User
from osseo.audit.models import AuditEntry
from osseo.scheduling import actions
from osseo.scheduling.models import AppointmentNotice, Reminder
from osseo.scheduling.reminders import send_reminder
from tests.conftest import api_client, client_for
from tests.connectors.conftest import run_worker
from tests.scheduling.test_moving_and_cancelling import _book as book_at

AT = dt.datetime(2026, 4, 6, 9, tzinfo=dt.UTC)  # Monday 6 April, 10:00 in London
EARLIER = dt.datetime(2026, 4, 3, 13, tzinfo=dt.UTC)  # Friday 3 April, 14:00 in London
MOVED_ON = dt.datetime(2026, 3, 25, 11, tzinfo=dt.UTC)
PATIENT_WORDS = ("Ada", "Quarrell", "9434765919")


def _book(world, capture):
    User.objects.filter(pk=world.users["prosthetist"].pk).update(email="pros@clinic.example")
    return book_at(world, capture)


def _change(world, capture, at=MOVED_ON, cancel=None, **data):
    """Move (`data`, with its reason) or cancel (`cancel`, the reason) at `at`, committed."""
    with time_machine.travel(at, tick=False), capture(execute=True):
        if cancel is not None:
            return actions.cancel_appointment(
                actor=world.users["coordinator"], appointment=data.pop("appointment"), reason=cancel
            )
        return actions.reschedule_appointment(
            actor=world.users["coordinator"], appointment=data.pop("appointment"), data=data
        )


def _worker_at(moment):
    with time_machine.travel(moment, tick=False):
        run_worker()


def _by_to():
    return {m.to[0]: m for m in mail.outbox}


def test_a_move_tells_both_at_once_and_the_old_times_reminders_do_not_go(
    world, django_capture_on_commit_callbacks
):
    appointment = _book(world, django_capture_on_commit_callbacks)
    _change(
        world,
        django_capture_on_commit_callbacks,
        appointment=appointment,
        starts_at=EARLIER,
        reason="Ada's wound review brought forward.",
    )
    _worker_at(MOVED_ON + dt.timedelta(minutes=1))
    by_to = _by_to()
    assert sorted(by_to) == ["ada@example.org", "surgeon@clinic.example"]
    mine = by_to["ada@example.org"]
    assert "has moved" in mine.body
    assert "Friday 3 April 2026 at 14:00" in mine.body + mine.subject
    assert "Monday 6 April 2026 at 10:00" in mine.body
    assert "wound" not in mine.body and "connector" not in (mine.subject + mine.body).lower()
    staff = by_to["surgeon@clinic.example"]
    assert "Friday 3 April 2026 at 14:00" in staff.body
    assert f"/appointments/{appointment.uuid}/" in staff.body
    for word in (*PATIENT_WORDS, str(world.patient.uuid), "wound"):
        assert word not in staff.subject + staff.body
    # The worker running again sends nothing twice.
    mail.outbox.clear()
    _worker_at(MOVED_ON + dt.timedelta(minutes=2))
    assert mail.outbox == []
    assert AppointmentNotice.objects.filter(appointment=appointment).count() == 2
    assert sorted(
        e.changes["to"] for e in AuditEntry.objects.filter(action="scheduling.appointment.notified")
    ) == ["clinician surgeon", "patient"]
    # Through to the old time: only the new time's reminders went, none for the old one.
    _worker_at(dt.datetime(2026, 4, 3, 9, 30, tzinfo=dt.UTC))  # the old lead time has passed
    _worker_at(dt.datetime(2026, 4, 5, 7, 30, tzinfo=dt.UTC))  # the old day before
    assert {r.starts_at for r in Reminder.objects.filter(appointment=appointment)} == {EARLIER}
    for message in mail.outbox:
        assert "Monday 6 April" not in message.body
    # A reminder queued for the old time is not sent once the appointment has moved.
    with time_machine.travel(dt.datetime(2026, 4, 3, 9, 30, tzinfo=dt.UTC), tick=False):
        assert send_reminder(appointment.pk, "lead", starts_at=AT) == "moved since it was queued"


def test_a_cancellation_tells_both_at_once_without_the_reason(
    world, django_capture_on_commit_callbacks
):
    appointment = _book(world, django_capture_on_commit_callbacks)
    _change(
        world,
        django_capture_on_commit_callbacks,
        appointment=appointment,
        cancel="Ada readmitted with an infection.",
    )
    _worker_at(MOVED_ON + dt.timedelta(minutes=1))
    by_to = _by_to()
    assert sorted(by_to) == ["ada@example.org", "surgeon@clinic.example"]
    for message in by_to.values():
        assert "is cancelled" in message.subject
        assert "Monday 6 April 2026 at 10:00" in message.body
        assert "infection" not in message.body
    for word in PATIENT_WORDS:
        assert word not in by_to["surgeon@clinic.example"].body
    mail.outbox.clear()
    _worker_at(dt.datetime(2026, 4, 5, 7, 30, tzinfo=dt.UTC))
    assert mail.outbox == []


def test_a_change_of_clinician_tells_both_clinicians_and_not_the_patient(
    world, django_capture_on_commit_callbacks
):
    appointment = _book(world, django_capture_on_commit_callbacks)
    _change(
        world,
        django_capture_on_commit_callbacks,
        appointment=appointment,
        clinician=world.users["prosthetist"],
        reason="Surgeon on leave.",
    )
    _worker_at(MOVED_ON + dt.timedelta(minutes=1))
    by_to = _by_to()
    assert sorted(by_to) == ["pros@clinic.example", "surgeon@clinic.example"]
    assert "no longer yours" in by_to["surgeon@clinic.example"].subject
    assert "now yours" in by_to["pros@clinic.example"].subject
    for message in by_to.values():
        assert "leave" not in message.body
        for word in PATIENT_WORDS:
            assert word not in message.subject + message.body


def test_two_changes_before_the_worker_runs_send_only_the_latest(
    world, django_capture_on_commit_callbacks
):
    appointment = _book(world, django_capture_on_commit_callbacks)
    _change(
        world,
        django_capture_on_commit_callbacks,
        appointment=appointment,
        starts_at=EARLIER,
        reason="Brought forward.",
    )
    _change(
        world, django_capture_on_commit_callbacks, appointment=appointment, cancel="Not needed."
    )
    _worker_at(MOVED_ON + dt.timedelta(minutes=1))
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org", "surgeon@clinic.example"]
    assert all("is cancelled" in m.subject for m in mail.outbox)
    assert all("Friday 3 April 2026 at 14:00" in m.body for m in mail.outbox)


def test_cancelling_an_appointment_already_past_tells_no_one(
    world, django_capture_on_commit_callbacks
):
    appointment = _book(world, django_capture_on_commit_callbacks)
    after = AT + dt.timedelta(days=1)
    _change(
        world,
        django_capture_on_commit_callbacks,
        at=after,
        appointment=appointment,
        cancel="Recorded late.",
    )
    mail.outbox.clear()
    _worker_at(after + dt.timedelta(minutes=1))
    assert mail.outbox == []


def test_a_death_recorded_cancels_the_appointments_to_come_and_mails_nothing_to_the_patient(
    world, django_capture_on_commit_callbacks
):
    from osseo.complications.actions import record_death
    from osseo.scheduling.models import Appointment

    appointment = _book(world, django_capture_on_commit_callbacks)
    with (
        time_machine.travel(MOVED_ON, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        record_death(actor=world.users["surgeon"], patient=world.patient, died_on=MOVED_ON.date())
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancel_reason) == (
        "cancelled",
        "The patient has died.",
    )
    entry = AuditEntry.objects.get(action="scheduling.appointment.cancelled")
    assert entry.patient_id == world.patient.pk and entry.actor == world.users["surgeon"]
    mail.outbox.clear()
    _worker_at(MOVED_ON + dt.timedelta(minutes=1))
    # The clinician is told, without the patient's name; nothing goes to the patient's address.
    [told] = mail.outbox
    assert told.to == ["surgeon@clinic.example"] and "is cancelled" in told.subject
    for word in PATIENT_WORDS:
        assert word not in told.body
    mail.outbox.clear()
    _worker_at(dt.datetime(2026, 4, 3, 10, tzinfo=dt.UTC))
    _worker_at(dt.datetime(2026, 4, 5, 7, 30, tzinfo=dt.UTC))
    assert mail.outbox == []
    # Even an appointment left booked (one recorded by hand, say) reminds no one of them.
    Appointment.objects.filter(pk=appointment.pk).update(status="booked")
    with time_machine.travel(dt.datetime(2026, 4, 5, 7, 30, tzinfo=dt.UTC), tick=False):
        assert send_reminder(appointment.pk, "day_before") == "the patient has died"
    assert mail.outbox == []


def test_no_appointment_is_booked_for_a_patient_who_has_died(world):
    from osseo.complications.actions import record_death

    with time_machine.travel(MOVED_ON, tick=False):
        record_death(actor=world.users["surgeon"], patient=world.patient, died_on=MOVED_ON.date())
        world.patient.refresh_from_db()
        answer = api_client(world.users["coordinator"]).post(
            f"/api/v1/patients/{world.patient.uuid}/appointments",
            {
                "kind": "rehab",
                "starts_at": AT.isoformat(),
                "place": "Gym",
                "clinician": str(world.users["surgeon"].uuid),
            },
            content_type="application/json",
        )
    assert answer.status_code == 409
    assert answer.json()["missing"][0]["code"] == "alive"
    with time_machine.travel(MOVED_ON, tick=False):
        page = client_for(world.users["coordinator"]).get(
            f"/patients/{world.patient.uuid}/appointments/"
        )
    html = page.content.decode()
    assert "death is recorded: no appointment is booked" in html
    assert "Book an appointment" not in html


def test_a_change_of_length_only_tells_the_clinician_what_changed(
    world, django_capture_on_commit_callbacks
):
    appointment = _book(world, django_capture_on_commit_callbacks)
    _change(
        world,
        django_capture_on_commit_callbacks,
        appointment=appointment,
        minutes=60,
        reason="Two parts to change.",
    )
    _worker_at(MOVED_ON + dt.timedelta(minutes=1))
    [told] = mail.outbox  # the patient's time and place are as they were: nothing to them
    assert told.to == ["surgeon@clinic.example"]
    assert "has changed: it is now a connector service, 60 minutes." in told.body
    assert "has moved" not in told.body
