"""The demo's week (issue 22): a week of bookings, a meeting with an agenda, a theatre list and
a plan waiting for the anaesthetist, seeded through the real actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from osseo.accounts.models import User
from osseo.audit.models import AuditEntry
from osseo.scheduling.models import Appointment, MdtMeeting
from osseo.scheduling.theatre import theatre_list
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_week_of_bookings_a_meeting_and_a_theatre_list(capsys):
    call_command("demo", verbosity=0)
    today = timezone.localdate()
    week = Appointment.objects.filter(
        starts_at__date__gt=today, starts_at__date__lte=today + dt.timedelta(days=7)
    )
    assert week.count() >= 5
    assert week.filter(kind="follow_up").exclude(due=[]).exists()
    # One session moved and one cancelled, each with its reason.
    assert week.filter(status="cancelled").exclude(cancel_reason="").count() == 1
    assert AuditEntry.objects.filter(action="scheduling.appointment.rescheduled").count() == 1
    [meeting] = MdtMeeting.objects.all()
    assert meeting.agenda.count() >= 2
    assert meeting.attendees.count() == 5
    surgeon = User.objects.get(username="surgeon")
    assert theatre_list(surgeon, today, today + dt.timedelta(days=13))
    for username, page in (
        ("coordinator", "/"),
        ("coordinator", f"/mdt/meetings/{meeting.uuid}/"),
        ("surgeon", "/theatre/"),
        ("anaesthetist", "/"),
        ("rehab", "/appointments/"),
    ):
        response = client_for(User.objects.get(username=username)).get(page)
        assert response.status_code == 200, (username, page)
    anaesthetist = client_for(User.objects.get(username="anaesthetist")).get("/").content.decode()
    assert "Plans to agree" in anaesthetist
    assert "No plan waits for your agreement." not in anaesthetist
