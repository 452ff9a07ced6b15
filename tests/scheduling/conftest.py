"""Helpers of the clinic's week tests: a staged hand with stage 1 signed, a patient in
assessment, a single-stage femur operated and in follow-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from osseo.pathway.actions import open_episode, transition_to
from osseo.patients.actions import add_limb
from osseo.surgery import actions as surgery
from tests.conftest import FUTURE_EXPIRY, make_patient
from tests.gates import advance, make_plan
from tests.surgery.conftest import IMPLANT_GTIN


def new_limb(world: Any, patient: Any, site: str = "hand", side: str = "right") -> Any:
    limb = add_limb(
        actor=world.users["coordinator"],
        patient=patient,
        data={
            "site": site,
            "side": side,
            "amputation_date": dt.date(2019, 6, 1),
            "cause": "trauma",
        },
    )
    return open_episode(actor=world.users["coordinator"], limb=limb)


def staged_hand(world: Any, stage_1_on: dt.date, **plan: Any) -> Any:
    """A staged hand plan whose stage 1 is signed on `stage_1_on`; stage 2 not recorded."""
    surgeon = world.users["surgeon"]
    episode = new_limb(world, world.patient)
    advance(world.users, episode, "assessment", "planning")
    make_plan(world.users, episode, strategy="staged", **plan)
    transition_to(actor=surgeon, episode=episode, to_phase="surgery")
    stage_1 = surgery.start_procedure(
        actor=surgeon, episode=episode, kind="stage_1", performed_on=stage_1_on
    )
    surgery.place_device(
        actor=surgeon,
        procedure=stage_1,
        kind="implant",
        data={"gtin": IMPLANT_GTIN, "lot": "L1", "expiry": FUTURE_EXPIRY},
    )
    surgery.save_operative_record(
        actor=surgeon,
        procedure=stage_1,
        data={
            "anaesthesia": {"given": "general"},
            "bone_preparation": {"reamed_diameter_mm": 6},
            "implant_insertion": {"fixation": "press_fit"},
        },
    )
    surgery.sign_operative_record(actor=surgeon, procedure=stage_1)
    episode.refresh_from_db()
    return episode


def in_assessment(world: Any, given_name: str = "Cai", family_name: str = "Assessed") -> Any:
    """Another patient of the clinic with a femur episode in assessment, no decision yet."""
    patient = make_patient(
        world.users["coordinator"], given_name=given_name, family_name=family_name
    )
    episode = new_limb(world, patient, site="femur", side="left")
    transition_to(actor=world.users["coordinator"], episode=episode, to_phase="assessment")
    return episode
