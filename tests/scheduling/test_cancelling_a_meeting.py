"""Cancelling an MDT meeting not yet held: an action with its reason, audited; its attendees
are told at once by the worker (the real worker, frozen time, the locmem mail backend) with no
patient named, and no reminder goes any more; it leaves the calendars; its agenda's patients are
due again on the coordinator's worklist; nothing more is arranged at it; over the API
(`POST /mdt-meetings/{id}/cancellation`, 409 and 412) and on the meeting's page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar

from osseo.audit.models import AuditEntry
from osseo.errors import Conflict
from osseo.scheduling import actions
from tests.conftest import api_client, client_for
from tests.scheduling.conftest import in_assessment
from tests.scheduling.test_mdt_meeting import _meeting
from tests.scheduling.test_moving_a_meeting import ARRANGED, AT, _worker_at
from tests.scheduling.test_moving_a_meeting import _arrange as arrange

CANCELLED_ON = dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC)


def _agenda_texts(user, at):
    with time_machine.travel(at, tick=False):
        panels = api_client(user).get("/api/v1/worklist").json()["panels"]
    return [i["text"] for p in panels for i in p["items"] if "assessment due" in i["text"]]


def test_a_cancelled_meeting_tells_its_attendees_and_its_patients_are_due_again(
    world, django_capture_on_commit_callbacks
):
    meeting = arrange(world, django_capture_on_commit_callbacks)
    episode = in_assessment(world)
    with time_machine.travel(ARRANGED, tick=False):
        actions.add_to_agenda(actor=world.users["coordinator"], meeting=meeting, episode=episode)
        client = client_for(world.users["surgeon"])
        [url] = re.findall(r'value="(http[^"]+\.ics)"', client.post("/calendar/").content.decode())
        feed = url.removeprefix("http://testserver")
        assert len(Calendar.from_ical(client.get(feed).content).walk("VEVENT")) == 1
    coordinator = world.users["coordinator"]
    assert any("on the agenda of the MDT" in t for t in _agenda_texts(coordinator, ARRANGED))
    with (
        time_machine.travel(CANCELLED_ON, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.cancel_meeting(
            actor=coordinator, meeting=meeting, reason="Cai's surgeon is away; no quorum."
        )
        assert Calendar.from_ical(client.get(feed).content).walk("VEVENT") == []
    mail.outbox.clear()
    _worker_at(CANCELLED_ON + dt.timedelta(minutes=1))
    [told] = mail.outbox  # the surgeon; the prosthetist has no address, the outsider none here
    assert told.to == ["surgeon@clinic.example"]
    assert "is cancelled" in told.subject
    assert "Tuesday 7 April 2026 at 13:00" in told.body and "Seminar room 2" in told.body
    for word in ("Cai", "Assessed", "quorum", str(episode.patient.uuid)):
        assert word not in told.subject + told.body
    mail.outbox.clear()
    _worker_at(CANCELLED_ON + dt.timedelta(minutes=2))
    _worker_at(dt.datetime(2026, 4, 6, 7, 30, tzinfo=dt.UTC))  # its day before: no reminder
    assert mail.outbox == []
    # The patient is due again, on no meeting's agenda.
    texts = _agenda_texts(coordinator, CANCELLED_ON)
    assert any("not on a meeting's agenda yet" in t for t in texts)
    assert not any("on the agenda of the MDT" in t for t in texts)
    cancelled = AuditEntry.objects.get(action="scheduling.meeting.cancelled")
    assert cancelled.changes["reason"] == [None, "Cai's surgeon is away; no quorum."]
    released = AuditEntry.objects.get(action="scheduling.agenda.released")
    assert released.patient_id == episode.patient_id
    # Nothing more is arranged at it, and it is cancelled once.
    with time_machine.travel(CANCELLED_ON, tick=False):
        for attempt in (
            lambda: actions.add_to_agenda(
                actor=coordinator, meeting=meeting, episode=in_assessment(world, "Dewi", "Late")
            ),
            lambda: actions.move_meeting(
                actor=coordinator, meeting=meeting, data={"place": "Boardroom"}
            ),
            lambda: actions.set_attendees(actor=coordinator, meeting=meeting, attendees=[]),
            lambda: actions.cancel_meeting(actor=coordinator, meeting=meeting, reason="Again."),
        ):
            with pytest.raises(Conflict):
                attempt()


def test_a_held_meeting_cannot_be_cancelled_and_a_reason_is_needed(world):
    with time_machine.travel(ARRANGED, tick=False):
        meeting = actions.create_meeting(
            actor=world.users["coordinator"], data={"starts_at": AT, "place": "Room 1"}
        )
        url = f"/api/v1/mdt-meetings/{meeting.uuid}/cancellation"
        coordinator = api_client(world.users["coordinator"])
        empty = coordinator.post(url, {"reason": ""}, content_type="application/json")
        assert empty.status_code == 422
        assert empty["Content-Type"] == "application/problem+json"
        stale = coordinator.post(
            url, {"reason": "x"}, content_type="application/json", headers={"If-Match": '"99"'}
        )
        assert stale.status_code == 412
        for role in ("anaesthetist", "prosthetist", "rehab_specialist", "patient", "outsider"):
            refused = api_client(world.users[role]).post(
                url, {"reason": "x"}, content_type="application/json"
            )
            assert refused.status_code in (403, 404), role
        done = coordinator.post(url, {"reason": "Room flooded."}, content_type="application/json")
        assert done.status_code == 200
        assert done.json()["cancel_reason"] == "Room flooded."
        assert done.json()["cancelled_at"] is not None
        again = coordinator.post(url, {"reason": "Twice."}, content_type="application/json")
        assert again.status_code == 409
        assert again.json()["missing"][0]["code"] == "not_cancelled"
    # A meeting with a decision recorded was held.
    held = _meeting(world)
    item = actions.add_to_agenda(
        actor=world.users["coordinator"], meeting=held, episode=in_assessment(world)
    )
    actions.decide(
        actor=world.users["surgeon"],
        meeting=held,
        item=item,
        data={"decision": "defer", "decided_by": world.users["surgeon"]},
    )
    with pytest.raises(Conflict):
        actions.cancel_meeting(actor=world.users["coordinator"], meeting=held, reason="Late.")


def test_the_page_cancels_with_a_reason_and_then_offers_nothing_more(world):
    episode = in_assessment(world)
    with time_machine.travel(ARRANGED, tick=False):
        meeting = actions.create_meeting(
            actor=world.users["coordinator"], data={"starts_at": AT, "place": "Room 1"}
        )
        actions.add_to_agenda(actor=world.users["coordinator"], meeting=meeting, episode=episode)
        page = client_for(world.users["coordinator"])
        url = f"/mdt/meetings/{meeting.uuid}/"
        html = page.get(url).content.decode()
        assert "Cancel the meeting" in html
        meeting.refresh_from_db()
        refused = page.post(url, {"op": "cancel", "version": meeting.version, "cx-reason": ""})
        assert refused.status_code == 422
        assert "This field is required." in refused.content.decode()
        done = page.post(
            url,
            {"op": "cancel", "version": meeting.version, "cx-reason": "No quorum."},
            follow=True,
        )
        html = done.content.decode()
        assert "Meeting cancelled" in html
        assert "This meeting is cancelled" in html and "No quorum." in html
        for offer in ("Cancel the meeting", "Move the meeting", "Record the decision"):
            assert offer not in html
        listed = page.get("/mdt/meetings/").content.decode()
        assert "cancelled" in listed
        late = page.post(url, {"op": "agenda", "a-episode": str(episode.uuid)}, follow=True)
        assert "nothing more is arranged" in late.content.decode()
