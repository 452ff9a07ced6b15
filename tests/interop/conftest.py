"""A patient's record with something of every kind the FHIR export maps: a signed operation with
its parts (one scanned), a draft one, a complication graded under a named scheme, a body weight,
a function test and daily steps."""

import datetime as dt

import pytest

from osseo.complications.actions import record_event
from osseo.complications.models import Grade, GradingSystem
from osseo.connectors.actions import import_daily_steps, record_body_weight
from osseo.rehab.actions import record_function_test
from tests.complications.conftest import operate

COMPLICATION_ON = dt.date(2025, 3, 1)
# The resource types the `recorded` patient's record exports as.
RECORDED_KINDS = [
    "Condition",
    "Device",
    "DocumentReference",
    "Observation",
    "Patient",
    "Practitioner",
    "Procedure",
    "Provenance",
    "ServiceRequest",
]


@pytest.fixture
def recorded(world):
    world.procedure, world.implant = operate(world)
    system = GradingSystem.objects.get(code="radboud-infection")
    world.event = record_event(
        actor=world.users["surgeon"],
        patient=world.patient,
        data={
            "limb": world.limb,
            "kind": "infection_soft_tissue",
            "onset_on": COMPLICATION_ON,
            "resolved_on": dt.date(2025, 3, 20),
            "outcome": "resolved",
            "grading_system": system,
            "grade": Grade.objects.get(system=system, code="1"),
            "procedure": world.procedure,
            "description": "Redness around the stoma.",
        },
    )
    world.weight = record_body_weight(
        actor=world.users["prosthetist"],
        patient=world.patient,
        measured_on=dt.date(2025, 2, 1),
        weight_kg=82,
    )
    world.walk = record_function_test(
        actor=world.users["prosthetist"],
        patient=world.patient,
        data={"kind": "six_minute_walk", "performed_on": dt.date(2025, 4, 1), "value": 310},
    )
    import_daily_steps(
        actor=world.users["prosthetist"],
        patient=world.patient,
        days={dt.date(2025, 4, 2): 5400, dt.date(2025, 4, 3): 6100},
        source="test",
    )
    return world
