"""`osseo send-reminders` catches up the reminders due while no worker ran: each once."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core import mail
from django.core.management import call_command

from osseo.accounts.models import User
from osseo.patients.models import Patient
from osseo.scheduling import actions


def test_the_command_sends_what_is_due_once(world):
    User.objects.filter(pk=world.users["prosthetist"].pk).update(email="kit@clinic.example")
    Patient.objects.filter(pk=world.patient.pk).update(email="ada@example.org")
    world.patient.refresh_from_db()
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC), tick=False):
        actions.book_appointment(
            actor=world.users["coordinator"],
            patient=world.patient,
            data={
                "kind": "rehab",
                "starts_at": dt.datetime(2026, 3, 30, 14, tzinfo=dt.UTC),
                "place": "Rehabilitation gym",
                "clinician": world.users["prosthetist"],
            },
        )
    mail.outbox.clear()
    with time_machine.travel(dt.datetime(2026, 3, 27, 15, tzinfo=dt.UTC), tick=False):
        call_command("send-reminders", verbosity=0)
        # 72 hours before (the default) is 27 March, 14:00: the lead reminder, to both.
        assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org", "kit@clinic.example"]
        call_command("send-reminders", verbosity=0)
        assert len(mail.outbox) == 2
