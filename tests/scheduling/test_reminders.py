"""Appointment reminders (issue 22), sent by the real background worker with frozen time into
the locmem mail backend: the day before and at the clinic's lead time, once each; the staff mail
names no patient, the patient's names no clinical detail."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core import mail

from osseo.accounts.actions import set_clinic_setting
from osseo.accounts.models import User
from osseo.patients.models import Patient
from osseo.scheduling import actions
from osseo.scheduling.models import Reminder
from tests.connectors.conftest import run_worker

BOOKED = dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC)
# 10:00 in London (summer time): 09:00 UTC.
AT = dt.datetime(2026, 4, 6, 9, tzinfo=dt.UTC)


def _book(world, django_capture_on_commit_callbacks):
    User.objects.filter(pk=world.users["surgeon"].pk).update(email="surgeon@clinic.example")
    Patient.objects.filter(pk=world.patient.pk).update(email="ada@example.org")
    world.patient.refresh_from_db()
    with time_machine.travel(BOOKED, tick=False), django_capture_on_commit_callbacks(execute=True):
        return actions.book_appointment(
            actor=world.users["coordinator"],
            patient=world.patient,
            data={
                "kind": "connector_service",
                "starts_at": AT,
                "place": "Prosthetics workshop",
                "clinician": world.users["surgeon"],
            },
        )


def _worker_at(moment):
    with time_machine.travel(moment, tick=False):
        run_worker()


def test_the_worker_reminds_at_the_lead_time_then_the_day_before_once_each(
    world, django_capture_on_commit_callbacks
):
    set_clinic_setting(
        actor=world.users["clinic_admin"], key="appointment_reminder_hours", value=48
    )
    appointment = _book(world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    _worker_at(dt.datetime(2026, 4, 3, 12, tzinfo=dt.UTC))
    assert mail.outbox == []  # 48 hours before is 4 April, 09:00 UTC
    _worker_at(dt.datetime(2026, 4, 4, 9, 5, tzinfo=dt.UTC))
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org", "surgeon@clinic.example"]
    mail.outbox.clear()
    _worker_at(dt.datetime(2026, 4, 5, 7, 30, tzinfo=dt.UTC))  # 08:30 in London, the day before
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org", "surgeon@clinic.example"]
    mail.outbox.clear()
    _worker_at(dt.datetime(2026, 4, 5, 18, tzinfo=dt.UTC))
    assert mail.outbox == []
    assert sorted(
        Reminder.objects.filter(appointment=appointment).values_list("kind", "to_patient")
    ) == [
        ("day_before", False),
        ("day_before", True),
        ("lead", False),
        ("lead", True),
    ]


def test_the_staff_mail_names_no_patient_and_the_patients_no_clinical_detail(
    world, django_capture_on_commit_callbacks
):
    appointment = _book(world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    _worker_at(dt.datetime(2026, 4, 5, 7, 30, tzinfo=dt.UTC))
    by_to = {m.to[0]: m for m in mail.outbox}
    staff = by_to["surgeon@clinic.example"]
    staff_text = staff.subject + staff.body
    for name in ("Ada", "Quarrell", "9434765919", str(world.patient.uuid)):
        assert name not in staff_text
    assert f"/appointments/{appointment.uuid}/" in staff.body
    assert "Monday 6 April 2026 at 10:00" in staff.body
    patient = by_to["ada@example.org"]
    patient_text = patient.subject + patient.body
    assert "Test Clinic" in patient_text and "Prosthetics workshop" in patient_text
    for detail in ("connector", "Connector", "surgeon", "implant", "appointments/"):
        assert detail not in patient_text


def test_a_cancelled_appointment_sends_no_reminder(world, django_capture_on_commit_callbacks):
    appointment = _book(world, django_capture_on_commit_callbacks)
    with time_machine.travel(BOOKED, tick=False):
        actions.record_appointment(
            actor=world.users["coordinator"], appointment=appointment, data={"status": "cancelled"}
        )
    mail.outbox.clear()
    _worker_at(dt.datetime(2026, 4, 5, 7, 30, tzinfo=dt.UTC))
    assert mail.outbox == []
