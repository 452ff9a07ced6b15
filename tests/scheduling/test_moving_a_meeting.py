"""Moving an MDT meeting not yet held (issue 22): an action, audited; the attendees' reminders
follow the new time (the real worker, frozen time, the locmem mail backend) and the calendar's
event is the same one changed; once a decision is recorded the meeting stays as it was held;
over the API (`GET`/`PATCH /mdt-meetings/{id}`, 409 and 412) and on the meeting's page."""

from __future__ import annotations

import datetime as dt
import json
import re

import time_machine
from django.core import mail
from icalendar import Calendar

from osseo.accounts.models import User
from osseo.audit.models import AuditEntry
from osseo.scheduling import actions
from tests.conftest import api_client, client_for
from tests.connectors.conftest import run_worker
from tests.scheduling.conftest import in_assessment

ARRANGED = dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC)
AT = dt.datetime(2026, 4, 7, 12, tzinfo=dt.UTC)  # Tuesday 7 April, 13:00 in London
MOVED = dt.datetime(2026, 4, 14, 8, tzinfo=dt.UTC)  # Tuesday 14 April, 09:00 in London
OUTSIDE = {
    "name": "Dr Rhiannon Test",
    "organisation": "Test Rehabilitation Partner",
    "discipline": "rehabilitation_physician",
}


def _arrange(world, capture):
    User.objects.filter(pk=world.users["surgeon"].pk).update(email="surgeon@clinic.example")
    with time_machine.travel(ARRANGED, tick=False), capture(execute=True):
        return actions.create_meeting(
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


def _worker_at(moment):
    with time_machine.travel(moment, tick=False):
        run_worker()


def test_a_moved_meeting_is_reminded_of_at_its_new_time_and_its_event_changes(
    world, django_capture_on_commit_callbacks
):
    meeting = _arrange(world, django_capture_on_commit_callbacks)
    with time_machine.travel(ARRANGED, tick=False):
        client = client_for(world.users["surgeon"])
        [url] = re.findall(r'value="(http[^"]+\.ics)"', client.post("/calendar/").content.decode())
        feed = url.removeprefix("http://testserver")
        [before] = Calendar.from_ical(client.get(feed).content).walk("VEVENT")
    with (
        time_machine.travel(dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.move_meeting(
            actor=world.users["coordinator"],
            meeting=meeting,
            data={"starts_at": MOVED, "place": "Boardroom"},
        )
        [after] = Calendar.from_ical(client.get(feed).content).walk("VEVENT")
    assert after["uid"] == before["uid"]
    assert after.decoded("dtstart") == MOVED
    assert int(after["sequence"]) > int(before["sequence"])
    mail.outbox.clear()
    # Its attendees are told at once (the prosthetist has no address here; the outsider none).
    _worker_at(dt.datetime(2026, 4, 1, 9, 1, tzinfo=dt.UTC))
    [told] = mail.outbox
    assert told.to == ["surgeon@clinic.example"]
    assert "has moved" in told.subject
    assert (
        "The MDT meeting on Tuesday 7 April 2026 at 13:00 at Seminar room 2 has moved: it is now "
        "on Tuesday 14 April 2026 at 09:00 at Boardroom." in told.body
    )
    assert f"/mdt/meetings/{meeting.uuid}/" in told.body
    mail.outbox.clear()
    _worker_at(dt.datetime(2026, 4, 1, 9, 2, tzinfo=dt.UTC))  # once only
    _worker_at(dt.datetime(2026, 4, 6, 7, 30, tzinfo=dt.UTC))  # the old day before: nothing
    assert mail.outbox == []
    # The new day before: the new time's lead reminder (72 hours before) and day-before one.
    _worker_at(dt.datetime(2026, 4, 13, 7, 30, tzinfo=dt.UTC))
    assert [m.to for m in mail.outbox] == [["surgeon@clinic.example"]] * 2
    for message in mail.outbox:
        assert "Tuesday 14 April 2026 at 09:00 at Boardroom" in message.body
    assert AuditEntry.objects.get(action="scheduling.meeting.moved").changes == {
        "starts_at": [AT.isoformat(), MOVED.isoformat()],
        "place": ["Seminar room 2", "Boardroom"],
    }


def test_over_the_api_a_meeting_moves_until_a_decision_is_recorded(
    world, django_capture_on_commit_callbacks
):
    meeting = _arrange(world, django_capture_on_commit_callbacks)
    episode = in_assessment(world)
    url = f"/api/v1/mdt-meetings/{meeting.uuid}"
    with time_machine.travel(ARRANGED, tick=False):
        actions.add_to_agenda(actor=world.users["coordinator"], meeting=meeting, episode=episode)
        coordinator = api_client(world.users["coordinator"])
        read = coordinator.get(url)
        assert read.status_code == 200
        assert [i["patient"] for i in read.json()["agenda"]] == [str(episode.patient.uuid)]
        # Naming the agenda's patients is a read of their records, audited.
        listed = AuditEntry.objects.filter(action="patients.list.viewed").last()
        assert listed.changes == {"list": "MDT meeting", "patients": [str(episode.patient.uuid)]}
        etag = read["ETag"]
        same = coordinator.patch(
            url, json.dumps({"place": "Seminar room 2"}), content_type="application/json"
        )
        assert same.status_code == 422
        moved = coordinator.patch(
            url,
            json.dumps({"starts_at": MOVED.isoformat()}),
            content_type="application/json",
            headers={"If-Match": etag},
        )
        assert moved.status_code == 200, moved.content
        assert moved.json()["starts_at"].startswith("2026-04-14T08:00")
        stale = coordinator.patch(
            url,
            json.dumps({"place": "Boardroom"}),
            content_type="application/json",
            headers={"If-Match": etag},
        )
        assert stale.status_code == 412
        for role, status in (("prosthetist", 403), ("outsider", 404), ("rehab_specialist", 404)):
            refused = api_client(world.users[role]).patch(
                url, json.dumps({"place": "Boardroom"}), content_type="application/json"
            )
            assert refused.status_code == status, role
        actions.decide(
            actor=world.users["surgeon"],
            meeting=meeting,
            item=meeting.agenda.get(),
            data={"decision": "defer", "decided_by": world.users["surgeon"]},
        )
        held = coordinator.patch(
            url, json.dumps({"place": "Boardroom"}), content_type="application/json"
        )
        assert held.status_code == 409
        assert held.json()["missing"][0]["code"] == "undecided"
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.place) == (MOVED, "Seminar room 2")


def test_the_page_moves_the_meeting_and_offers_no_move_once_it_was_held(
    world, django_capture_on_commit_callbacks
):
    meeting = _arrange(world, django_capture_on_commit_callbacks)
    url = f"/mdt/meetings/{meeting.uuid}/"
    with time_machine.travel(ARRANGED, tick=False):
        page = client_for(world.users["coordinator"])
        assert "Move the meeting" in page.get(url).content.decode()
        form = {
            "op": "move",
            "version": meeting.version,
            "mv-day": "2026-04-14",
            "mv-time": "09:00",
            "mv-place": "Boardroom",
        }
        moved = page.post(url, form, follow=True)
        assert (
            "Meeting moved: its attendees are told, and reminders follow." in moved.content.decode()
        )
        stale = page.post(url, form)
        assert stale.status_code == 422
        assert "changed since you opened the page" in stale.content.decode()
        assert "Move the meeting" not in (
            client_for(world.users["prosthetist"]).get(url).content.decode()
        )
        episode = in_assessment(world)
        actions.add_to_agenda(actor=world.users["coordinator"], meeting=meeting, episode=episode)
        meeting.refresh_from_db()
        actions.decide(
            actor=world.users["surgeon"],
            meeting=meeting,
            item=meeting.agenda.get(),
            data={"decision": "defer", "decided_by": world.users["surgeon"]},
        )
        assert "Move the meeting" not in page.get(url).content.decode()
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.place) == (MOVED, "Boardroom")
