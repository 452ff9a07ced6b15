"""Booking from the follow-up schedule (issue 22): the schedule (3, 6, 12 months, then yearly,
from the signed implantation) proposes the visits; a follow-up booked carries what is due at it,
with its source; held, it records what was done and the visit as held."""

from __future__ import annotations

import datetime as dt
import json

import time_machine
from django.utils import timezone

from osseo.rehab.models import FollowUp
from osseo.scheduling import actions
from osseo.scheduling.queries import proposed_bookings
from tests.conftest import api_client, client_for
from tests.rehab.conftest import operate

OPERATED = dt.date(2026, 1, 5)
NOW = dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC)  # the 3-month visit (5 April) is 16 days on


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_the_schedule_proposes_the_next_visit_until_it_is_booked(world):
    with time_machine.travel(NOW, tick=False):
        operate(world, OPERATED)
        [proposal] = proposed_bookings(world.users["coordinator"], timezone.localdate())
        assert (proposal.episode, proposal.visit.label, proposal.visit.due) == (
            world.episode,
            "3 months",
            dt.date(2026, 4, 5),
        )
        appointment = actions.book_appointment(
            actor=world.users["coordinator"],
            patient=world.patient,
            data={
                "kind": "follow_up",
                "starts_at": _at(dt.date(2026, 4, 6)),
                "place": "Outpatients, room 4",
                "clinician": world.users["surgeon"],
                "episode": world.episode,
                "visit_due": proposal.visit.due,
            },
        )
        assert proposed_bookings(world.users["coordinator"], timezone.localdate()) == []
    assert appointment.visit_label == "3 months"
    # A femur: Q-TFA and RAND-36, the lower-limb function tests, a radiograph (a clinic setting,
    # not validated) and the review of complications the schedule's source records at each visit.
    assert [d["code"] for d in appointment.due] == [
        "questionnaire:q-tfa",
        "questionnaire:rand-36",
        "test:six_minute_walk",
        "test:timed_up_and_go",
        "test:amp_pro",
        "test:amp_nopro",
        "test:k_level",
        "test:wear_hours",
        "xray",
        "complication_review",
    ]
    xray = next(d for d in appointment.due if d["code"] == "xray")
    assert xray["source"] == "Clinic setting, not validated"
    review = appointment.due[-1]
    assert "docs/sources.md#follow-up-schedule" in review["source"]


def test_a_booking_for_a_date_the_schedule_does_not_give_is_refused(world):
    with time_machine.travel(NOW, tick=False):
        operate(world, OPERATED)
        response = api_client(world.users["coordinator"]).post(
            f"/api/v1/patients/{world.patient.uuid}/appointments",
            json.dumps(
                {
                    "kind": "follow_up",
                    "starts_at": "2026-04-06T10:00:00+01:00",
                    "place": "Outpatients",
                    "clinician": str(world.users["surgeon"].uuid),
                    "episode": str(world.episode.uuid),
                    "visit_due": "2026-04-07",
                }
            ),
            content_type="application/json",
        )
    assert response.status_code == 422
    assert "Not a visit of the clinic's follow-up schedule" in response.content.decode()
    assert not world.patient.appointments.exists()


def test_the_visit_held_records_what_was_done_and_the_follow_up(world):
    with time_machine.travel(NOW, tick=False):
        operate(world, OPERATED)
        appointment = actions.book_appointment(
            actor=world.users["coordinator"],
            patient=world.patient,
            data={
                "kind": "follow_up",
                "starts_at": _at(dt.date(2026, 4, 6)),
                "place": "Outpatients, room 4",
                "clinician": world.users["surgeon"],
                "episode": world.episode,
                "visit_due": dt.date(2026, 4, 5),
            },
        )
    with time_machine.travel(dt.datetime(2026, 4, 6, 15, tzinfo=dt.UTC), tick=False):
        client = client_for(world.users["coordinator"])
        url = f"/appointments/{appointment.uuid}/"
        page = client.get(url).content.decode()
        assert "Radiograph of the implant" in page
        response = client.post(
            url,
            {
                "status": "done",
                "done": ["questionnaire:rand-36", "xray", "complication_review"],
                "notes": "Stoma clean.",
                "version": appointment.version,
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    appointment.refresh_from_db()
    assert appointment.status == "done"
    assert appointment.done == ["questionnaire:rand-36", "xray", "complication_review"]
    visit = FollowUp.objects.get(episode=world.episode)
    assert (visit.due_date, visit.done_on, visit.notes) == (
        dt.date(2026, 4, 5),
        dt.date(2026, 4, 6),
        "Stoma clean.",
    )


def test_appointments_over_the_api_by_range_and_clinician_and_a_patient_sees_only_theirs(world):
    with time_machine.travel(NOW, tick=False):
        operate(world, OPERATED)
        for day, clinician in ((23, "surgeon"), (24, "prosthetist")):
            actions.book_appointment(
                actor=world.users["coordinator"],
                patient=world.patient,
                data={
                    "kind": "connector_service",
                    "starts_at": _at(dt.date(2026, 3, day)),
                    "place": "Prosthetics workshop",
                    "clinician": world.users[clinician],
                },
            )
        coordinator = api_client(world.users["coordinator"])
        week = coordinator.get("/api/v1/appointments?from=2026-03-20&to=2026-03-26").json()
        assert week["count"] == 2
        one = coordinator.get(
            f"/api/v1/appointments?from=2026-03-20&to=2026-03-26&clinician={world.users['prosthetist'].uuid}"
        ).json()
        assert [a["clinician_name"] for a in one["items"]] == ["prosthetist"]
        assert (
            coordinator.get("/api/v1/appointments?from=2026-03-24&to=2026-03-24").json()["count"]
            == 1
        )
        mine = api_client(world.users["patient"]).get(
            "/api/v1/appointments?from=2026-03-20&to=2026-03-26"
        )
        assert mine.json()["count"] == 2
        other = api_client(world.users["outsider"]).get(
            "/api/v1/appointments?from=2026-03-20&to=2026-03-26"
        )
        assert other.json()["count"] == 0
        pages = client_for(world.users["coordinator"])
        assert pages.get("/appointments/?from=2026-03-20").status_code == 200
        assert pages.get(f"/patients/{world.patient.uuid}/appointments/").status_code == 200


def test_the_patient_page_shows_the_bookings_and_what_to_book(world):
    with time_machine.travel(NOW, tick=False):
        operate(world, OPERATED)
        page = client_for(world.users["coordinator"]).get(f"/patients/{world.patient.uuid}/")
        html = page.content.decode()
        assert "To book: the 3 months follow-up visit, Left Femur (transfemoral), due" in html
        actions.book_appointment(
            actor=world.users["coordinator"],
            patient=world.patient,
            data={
                "kind": "follow_up",
                "starts_at": _at(dt.date(2026, 4, 6)),
                "place": "Outpatients, room 4",
                "clinician": world.users["surgeon"],
                "episode": world.episode,
                "visit_due": dt.date(2026, 4, 5),
            },
        )
        html = (
            client_for(world.users["coordinator"])
            .get(f"/patients/{world.patient.uuid}/")
            .content.decode()
        )
        assert "Follow-up visit (3 months)</a> with surgeon, Outpatients, room 4" in html
        assert "To book:" not in html
        # The patient has no staff page: their appointments are on their own (tests/me).
        own = client_for(world.users["patient"]).get(f"/patients/{world.patient.uuid}/")
        assert own.status_code == 403


def test_what_was_done_at_the_visit_is_recorded_over_the_api_once_its_day_has_come(world):
    with time_machine.travel(NOW, tick=False):
        operate(world, OPERATED)
        appointment = actions.book_appointment(
            actor=world.users["coordinator"],
            patient=world.patient,
            data={
                "kind": "follow_up",
                "starts_at": _at(dt.date(2026, 4, 6)),
                "place": "Outpatients, room 4",
                "clinician": world.users["surgeon"],
                "episode": world.episode,
                "visit_due": dt.date(2026, 4, 5),
            },
        )
        client = api_client(world.users["coordinator"])
        url = f"/api/v1/appointments/{appointment.uuid}/outcome"
        early = client.post(url, {"status": "done"}, content_type="application/json")
        assert early.status_code == 409
        assert early.json()["missing"][0]["code"] == "day_come"
    with time_machine.travel(dt.datetime(2026, 4, 6, 15, tzinfo=dt.UTC), tick=False):
        client = api_client(world.users["coordinator"])  # a token of the day
        unknown = client.post(
            url, {"status": "done", "done": ["test:swim"]}, content_type="application/json"
        )
        assert unknown.status_code == 422
        assert (
            api_client(world.users["patient"])
            .post(url, {"status": "missed"}, content_type="application/json")
            .status_code
            == 403
        )
        held = client.post(
            url,
            {"status": "done", "done": ["xray", "test:six_minute_walk"], "notes": "Walked well."},
            content_type="application/json",
        )
        assert held.status_code == 200, held.content
        body = held.json()
        assert (body["status"], body["done"], body["notes"]) == (
            "done",
            ["test:six_minute_walk", "xray"],  # in the order they were due
            "Walked well.",
        )
        again = client.post(url, {"status": "missed"}, content_type="application/json")
        assert again.status_code == 409
    assert FollowUp.objects.get(episode=world.episode).done_on == dt.date(2026, 4, 6)


def test_a_cancelled_visit_is_proposed_for_booking_again_and_a_moved_one_is_not(world):
    with time_machine.travel(NOW, tick=False):
        operate(world, OPERATED)
        appointment = actions.book_appointment(
            actor=world.users["coordinator"],
            patient=world.patient,
            data={
                "kind": "follow_up",
                "starts_at": _at(dt.date(2026, 4, 6)),
                "place": "Outpatients, room 4",
                "clinician": world.users["surgeon"],
                "episode": world.episode,
                "visit_due": dt.date(2026, 4, 5),
            },
        )
        today = timezone.localdate()
        actions.reschedule_appointment(
            actor=world.users["coordinator"],
            appointment=appointment,
            data={"starts_at": _at(dt.date(2026, 4, 8)), "reason": "Clinic closed on the 6th."},
        )
        assert proposed_bookings(world.users["coordinator"], today) == []
        appointment.refresh_from_db()
        assert (appointment.visit_due, appointment.visit_label) == (dt.date(2026, 4, 5), "3 months")
        actions.cancel_appointment(
            actor=world.users["coordinator"], appointment=appointment, reason="Patient abroad."
        )
        [proposal] = proposed_bookings(world.users["coordinator"], today)
        assert proposal.visit.due == dt.date(2026, 4, 5)
