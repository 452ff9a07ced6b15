"""GET /api/v1/me gains what comes next, the booked appointments and the connector parts with
the dates they are due for service: the patient's own only."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from osseo.scheduling.actions import book_appointment
from tests.conftest import api_client
from tests.gates import advance
from tests.rehab.conftest import operate


def me(user):
    response = api_client(user).get("/api/v1/me")
    assert response.status_code == 200, response.content
    return response.json()


def test_before_surgery_the_next_step_is_the_questionnaire(world):
    advance(world.users, world.episode, "assessment")
    body = me(world.users["patient"])
    assert body["next_steps"] == [
        {
            "code": "questionnaire",
            "label": "Answer the questionnaire RAND 36-Item Health Survey 1.0 "
            "(before your operation)",
            "due_on": None,
        }
    ]
    assert (body["appointments"], body["parts"]) == ([], [])


def test_after_surgery_the_parts_appointments_and_visit_are_listed(world):
    today = timezone.localdate()
    surgery = today - dt.timedelta(days=100)
    operate(world, surgery)
    when = timezone.now() + dt.timedelta(days=3)
    booked = book_appointment(
        actor=world.users["coordinator"],
        patient=world.patient,
        data={
            "kind": "rehab",
            "starts_at": when,
            "minutes": 45,
            "place": "Gym 2",
            "clinician": world.users["prosthetist"],
            "episode": world.episode,
        },
    )
    book_appointment(
        actor=world.users["outsider"],
        patient=world.other_patient,
        data={
            "kind": "rehab",
            "starts_at": when,
            "minutes": 30,
            "place": "Elsewhere",
            "clinician": world.users["outsider"],
        },
    )
    body = me(world.users["patient"])
    assert [(a["appointment_id"], a["place"], a["minutes"]) for a in body["appointments"]] == [
        (str(booked.uuid), "Gym 2", 45)
    ]
    assert [(p["kind"], p["kind_label"], p["placed_on"]) for p in body["parts"]] == [
        ("dualcone", "Dualcone adaptor", surgery.isoformat())
    ]
    codes = [s["code"] for s in body["next_steps"]]
    assert codes.count("questionnaire") == 1
    assert "appointment" in codes
    assert "follow_up_visit" in codes
    dated = [s["due_on"] for s in body["next_steps"] if s["due_on"]]
    assert dated == sorted(dated)
