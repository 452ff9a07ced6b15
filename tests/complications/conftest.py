"""A patient operated on and in follow-up: the ground on which complications happen."""

import datetime as dt

import pytest

from osseo.surgery import actions as surgery
from tests.conftest import FUTURE_EXPIRY
from tests.surgery.conftest import COMPLETE_RECORD, DUALCONE_GTIN, IMPLANT_GTIN, move

OPERATED_ON = dt.date(2025, 1, 10)


def operate(world):
    """A signed single-stage operation with its implant and dualcone, then on to follow-up."""
    surgeon = world.users["surgeon"]
    move(world, "assessment", "planning", "surgery")
    procedure = surgery.start_procedure(
        actor=surgeon, episode=world.episode, kind="single_stage", performed_on=OPERATED_ON
    )
    implant = surgery.place_device(
        actor=surgeon,
        procedure=procedure,
        kind="implant",
        data={"gtin": IMPLANT_GTIN, "lot": "IMP1", "expiry": FUTURE_EXPIRY},
    )
    surgery.place_device(
        actor=surgeon,
        procedure=procedure,
        kind="dualcone",
        data={"gtin": DUALCONE_GTIN, "lot": "DC1", "expiry": FUTURE_EXPIRY},
    )
    surgery.save_operative_record(actor=surgeon, procedure=procedure, data=COMPLETE_RECORD)
    surgery.sign_operative_record(actor=surgeon, procedure=procedure)
    move(world, "rehabilitation", "follow_up")
    world.episode.refresh_from_db()
    return procedure, implant


@pytest.fixture
def operated(world):
    world.procedure, world.implant = operate(world)
    return world
