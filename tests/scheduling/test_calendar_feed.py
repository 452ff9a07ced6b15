"""The iCalendar feed (issue 22): at a secret address, parsed back with `icalendar`; its events
carry the kind, place and a link, never a patient's name or identifier; revocable; every fetch
audited."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from icalendar import Calendar

from osseo.audit.models import AuditEntry
from osseo.scheduling import actions
from tests.conftest import client_for


def _book(world, clinician="surgeon"):
    return actions.book_appointment(
        actor=world.users["coordinator"],
        patient=world.patient,
        data={
            "kind": "connector_service",
            "starts_at": timezone.now() + dt.timedelta(days=3),
            "minutes": 45,
            "place": "Prosthetics workshop",
            "clinician": world.users[clinician],
        },
    )


def _address(client):
    page = client.post("/calendar/").content.decode()
    [url] = re.findall(r'value="(http[^"]+\.ics)"', page)
    return url.removeprefix("http://testserver")


def test_the_feed_parses_back_with_the_appointment_and_no_patient(world):
    appointment = _book(world)
    actions.create_meeting(
        actor=world.users["coordinator"],
        data={
            "starts_at": timezone.now() + dt.timedelta(days=4),
            "place": "Seminar room 2",
            "attendees": [{"user": world.users["surgeon"], "discipline": "surgeon"}],
        },
    )
    address = _address(client_for(world.users["surgeon"]))
    response = client_for(world.users["outsider"]).get(address)  # no sign-in needed: the secret
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["Connector service", "MDT meeting"]
    first = events[0]
    assert str(first["location"]) == "Prosthetics workshop"
    assert first.decoded("dtend") - first.decoded("dtstart") == dt.timedelta(minutes=45)
    assert str(first["url"]).endswith(f"/appointments/{appointment.uuid}/")
    text = response.content.decode()
    for identifier in ("Ada", "Quarrell", "9434765919", str(world.patient.uuid)):
        assert identifier not in text


def test_a_patients_own_feed_says_appointment_and_the_clinic_only(world):
    _book(world)
    response = client_for(world.users["patient"]).get(_address(client_for(world.users["patient"])))
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["summary"]) == "Appointment, Test Clinic"
    assert "Connector" not in response.content.decode()


def test_a_revoked_address_shows_nothing_and_every_fetch_is_audited(world):
    _book(world)
    surgeon = client_for(world.users["surgeon"])
    address = _address(surgeon)
    surgeon.get(address)
    surgeon.get(address)
    fetched = AuditEntry.objects.filter(action="scheduling.calendar.fetched")
    assert fetched.count() == 2
    assert fetched.last().actor == world.users["surgeon"]
    feed = world.users["surgeon"].calendar_feeds.get()
    surgeon.post("/calendar/", {"op": "revoke", "feed": str(feed.uuid)})
    assert surgeon.get(address).status_code == 404
    assert client_for(world.users["surgeon"]).get("/calendar/not-a-token.ics").status_code == 404
    assert fetched.count() == 2


def _events(user):
    client = client_for(user)
    response = client.get(_address(client))
    return response.content.decode(), list(Calendar.from_ical(response.content).walk("VEVENT"))


def test_the_surgeons_and_anaesthetists_feeds_carry_their_planned_operations_and_no_patient(world):
    from tests.gates import advance, make_plan
    from tests.scheduling.conftest import staged_hand

    today = timezone.localdate()
    advance(world.users, world.episode, "assessment", "planning")
    plan = make_plan(world.users, world.episode, planned_date=today + dt.timedelta(days=9))
    stage_2_on = today + dt.timedelta(days=150)
    staged_hand(
        world,
        today - dt.timedelta(days=20),
        stages=[{"planned_date": stage_2_on}],
        planned_date=today - dt.timedelta(days=20),
    )
    text, events = _events(world.users["surgeon"])
    theatre = {str(e["summary"]): e for e in events if str(e["uid"]).startswith("theatre-")}
    # Stage 1, done 20 days ago, is there too: the feed keeps the last month.
    assert sorted(theatre) == [
        "Theatre: Single-stage implantation",
        "Theatre: Stage 1 (implant)",
        "Theatre: Stage 2",
    ]
    single = theatre["Theatre: Single-stage implantation"]
    assert single.decoded("dtstart") == today + dt.timedelta(days=9)  # all day: a date
    assert single.decoded("dtend") == today + dt.timedelta(days=10)
    assert str(single["uid"]) == f"theatre-{plan.uuid}-single-stage-implantation@osseo"
    day = (today + dt.timedelta(days=9)).isoformat()
    assert str(single["url"]).endswith(f"/theatre/?from={day}&to={day}")
    assert theatre["Theatre: Stage 2"].decoded("dtstart") == stage_2_on
    for identifier in ("Ada", "Quarrell", "9434765919", str(world.patient.uuid), "emur", "Hand"):
        assert identifier not in text
    # The anaesthetist who agreed both plans' anaesthesia has both; nobody else has them.
    _text, events = _events(world.users["anaesthetist"])
    assert sorted(str(e["summary"]) for e in events) == [
        "Theatre: Single-stage implantation",
        "Theatre: Stage 1 (implant)",
        "Theatre: Stage 2",
    ]
    page = client_for(world.users["surgeon"]).get("/calendar/").content.decode()
    assert "the operations you are in theatre for" in page
    for role in ("prosthetist", "coordinator", "outsider", "patient"):
        _text, events = _events(world.users[role])
        assert [e for e in events if str(e["uid"]).startswith("theatre-")] == [], role
