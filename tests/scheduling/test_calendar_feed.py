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
