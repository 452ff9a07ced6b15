"""MDT meeting reminders (issue 22), sent by the real background worker with frozen time into the
locmem mail backend: each attendee who is a user gets one the day before and one at the clinic's
lead time, once each; the mail names no patient on the agenda; an outside professional (no
address here) gets none; an attendee added late gets the reminder already due; the catch-up
command sends what the worker missed."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core import mail
from django.core.management import call_command

from osseo.accounts.actions import set_clinic_setting
from osseo.accounts.models import User
from osseo.audit.models import AuditEntry
from osseo.scheduling import actions
from osseo.scheduling.models import MeetingReminder
from tests.connectors.conftest import run_worker
from tests.scheduling.conftest import in_assessment

ARRANGED = dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC)
AT = dt.datetime(2026, 4, 7, 12, tzinfo=dt.UTC)  # Tuesday 7 April, 13:00 in London
OUTSIDE = {
    "name": "Dr Rhiannon Test",
    "organisation": "Test Rehabilitation Partner",
    "discipline": "rehabilitation_physician",
}


def _emails(world):
    for role in ("surgeon", "prosthetist", "anaesthetist"):
        User.objects.filter(pk=world.users[role].pk).update(email=f"{role}@clinic.example")
        world.users[role].refresh_from_db()


def _arrange(world, capture):
    _emails(world)
    episode = in_assessment(world)
    with time_machine.travel(ARRANGED, tick=False), capture(execute=True):
        meeting = actions.create_meeting(
            actor=world.users["coordinator"],
            data={
                "starts_at": AT,
                "place": "Seminar room 2",
                "attendees": [
                    {"user": world.users["surgeon"], "discipline": "surgeon"},
                    {"user": world.users["prosthetist"], "discipline": "prosthetist"},
                    OUTSIDE,
                ],
            },
        )
        actions.add_to_agenda(actor=world.users["coordinator"], meeting=meeting, episode=episode)
    return meeting


def _worker_at(moment):
    with time_machine.travel(moment, tick=False):
        run_worker()


def test_each_attendee_is_reminded_at_the_lead_time_and_the_day_before_once_each(
    world, django_capture_on_commit_callbacks
):
    set_clinic_setting(
        actor=world.users["clinic_admin"], key="appointment_reminder_hours", value=48
    )
    meeting = _arrange(world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    _worker_at(dt.datetime(2026, 4, 5, 11, tzinfo=dt.UTC))
    assert mail.outbox == []  # 48 hours before is 5 April, 12:00 UTC
    _worker_at(dt.datetime(2026, 4, 5, 12, 5, tzinfo=dt.UTC))
    assert sorted(m.to[0] for m in mail.outbox) == [
        "prosthetist@clinic.example",
        "surgeon@clinic.example",
    ]
    message = mail.outbox[0]
    text = message.subject + message.body
    assert "Tuesday 7 April 2026 at 13:00" in text
    assert "Seminar room 2" in text
    assert f"/mdt/meetings/{meeting.uuid}/" in message.body
    for name in ("Cai", "Assessed", "Ada", "Quarrell", "Rhiannon"):
        assert name not in text
    mail.outbox.clear()
    _worker_at(dt.datetime(2026, 4, 5, 18, tzinfo=dt.UTC))
    assert mail.outbox == []
    _worker_at(dt.datetime(2026, 4, 6, 7, 30, tzinfo=dt.UTC))  # 08:30 in London, the day before
    assert sorted(m.to[0] for m in mail.outbox) == [
        "prosthetist@clinic.example",
        "surgeon@clinic.example",
    ]
    mail.outbox.clear()
    _worker_at(dt.datetime(2026, 4, 7, 11, tzinfo=dt.UTC))
    assert mail.outbox == []
    assert MeetingReminder.objects.filter(meeting=meeting).count() == 4
    entries = AuditEntry.objects.filter(action="scheduling.meeting.reminded")
    assert entries.count() == 4
    assert {e.patient_id for e in entries} == {None}


def test_an_attendee_added_late_gets_the_reminder_already_due_and_no_one_gets_two(
    world, django_capture_on_commit_callbacks
):
    meeting = _arrange(world, django_capture_on_commit_callbacks)
    _worker_at(dt.datetime(2026, 4, 4, 13, tzinfo=dt.UTC))  # 72 hours before (the default)
    assert len(mail.outbox) == 2
    mail.outbox.clear()
    with (
        time_machine.travel(dt.datetime(2026, 4, 5, 9, tzinfo=dt.UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.set_attendees(
            actor=world.users["coordinator"],
            meeting=meeting,
            attendees=[
                {"user": world.users["surgeon"], "discipline": "surgeon"},
                {"user": world.users["prosthetist"], "discipline": "prosthetist"},
                {"user": world.users["anaesthetist"], "discipline": "anaesthetist"},
                OUTSIDE,
            ],
        )
    _worker_at(dt.datetime(2026, 4, 5, 9, 1, tzinfo=dt.UTC))
    assert [m.to[0] for m in mail.outbox] == ["anaesthetist@clinic.example"]


def test_the_command_catches_up_the_meetings_reminders_once(world):
    _emails(world)
    with time_machine.travel(ARRANGED, tick=False):
        actions.create_meeting(
            actor=world.users["coordinator"],
            data={
                "starts_at": AT,
                "attendees": [{"user": world.users["surgeon"], "discipline": "surgeon"}],
            },
        )
    mail.outbox.clear()
    with time_machine.travel(dt.datetime(2026, 4, 6, 9, tzinfo=dt.UTC), tick=False):
        call_command("send-reminders", verbosity=0)
        # Both are due by now (72 hours before, and the day before): each goes once.
        assert [m.to[0] for m in mail.outbox] == ["surgeon@clinic.example"] * 2
        assert "at Seminar" not in mail.outbox[0].body  # no place was given
        call_command("send-reminders", verbosity=0)
        assert len(mail.outbox) == 2


def test_a_partners_attendee_is_told_whom_to_ask_not_given_a_page_they_cannot_open(
    world, django_capture_on_commit_callbacks
):
    import re

    from icalendar import Calendar

    from tests.conftest import client_for

    partner = world.users["rehab_specialist"]
    User.objects.filter(pk=partner.pk).update(email="physio@rehab.example")
    meeting = _arrange(world, django_capture_on_commit_callbacks)
    with (
        time_machine.travel(ARRANGED, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.set_attendees(
            actor=world.users["coordinator"],
            meeting=meeting,
            attendees=[
                {"user": world.users["surgeon"], "discipline": "surgeon"},
                {"user": partner, "discipline": "physiotherapist"},
            ],
        )
    _worker_at(dt.datetime(2026, 4, 4, 13, tzinfo=dt.UTC))
    by_to = {m.to[0]: m for m in mail.outbox}
    theirs, ours = by_to["physio@rehab.example"], by_to["surgeon@clinic.example"]
    assert f"/mdt/meetings/{meeting.uuid}/" in ours.body
    assert "http" not in theirs.body
    assert "Test Clinic has its agenda: please ask its MDT coordinator." in theirs.body
    # The page it would have linked to is not theirs to open; their calendar says whom to ask.
    client = client_for(partner)
    assert client.get(f"/mdt/meetings/{meeting.uuid}/").status_code == 404
    with time_machine.travel(ARRANGED, tick=False):
        [url] = re.findall(r'value="(http[^"]+\.ics)"', client.post("/calendar/").content.decode())
        [event] = Calendar.from_ical(
            client.get(url.removeprefix("http://testserver")).content
        ).walk("VEVENT")
    assert "url" not in event
    assert "please ask its MDT coordinator" in str(event["description"])
