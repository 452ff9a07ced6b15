"""A bilateral patient's two episodes pass their gates on their own limb's facts: a loading plan
for one limb does not let the other limb's episode on to follow-up."""

from __future__ import annotations

import datetime as dt

import pytest

from osseo.errors import Conflict
from osseo.pathway.actions import open_episode, transition_to
from osseo.pathway.queries import gate_facts
from osseo.patients.actions import add_limb
from osseo.rehab import actions as rehab
from osseo.rehab.models import LoadingProtocol
from osseo.rehab.reference import ensure_reference_protocols
from osseo.surgery import actions as surgery
from tests.gates import advance
from tests.surgery.conftest import COMPLETE_RECORD, DUALCONE_GTIN, IMPLANT_GTIN

OPERATED_ON = dt.date(2025, 1, 10)


def _operate(world, episode, lot):
    surgeon = world.users["surgeon"]
    procedure = surgery.start_procedure(
        actor=surgeon, episode=episode, kind="single_stage", performed_on=OPERATED_ON
    )
    for kind, gtin in (("implant", IMPLANT_GTIN), ("dualcone", DUALCONE_GTIN)):
        surgery.place_device(
            actor=surgeon,
            procedure=procedure,
            kind=kind,
            data={"gtin": gtin, "lot": f"{lot}-{kind}", "expiry": OPERATED_ON.replace(year=2027)},
        )
    surgery.save_operative_record(actor=surgeon, procedure=procedure, data=COMPLETE_RECORD)
    surgery.sign_operative_record(actor=surgeon, procedure=procedure)


@pytest.fixture
def bilateral(world):
    """The world's patient with a right femur too, both limbs operated and in rehabilitation,
    and a loading plan for the left limb only."""
    right = add_limb(
        actor=world.users["coordinator"],
        patient=world.patient,
        data={
            "site": "femur",
            "side": "right",
            "amputation_date": dt.date(2015, 3, 2),
            "cause": "trauma",
        },
    )
    right_episode = open_episode(actor=world.users["coordinator"], limb=right)
    for episode, lot in ((world.episode, "L"), (right_episode, "R")):
        advance(world.users, episode, "assessment", "planning", "surgery")
        _operate(world, episode, lot)
        advance(world.users, episode, "rehabilitation")
    ensure_reference_protocols()
    protocol = next(
        p
        for p in LoadingProtocol.objects.filter(organisation__isnull=True).order_by("id")
        if "femur" in p.sites
    )
    rehab.refer_patient(
        actor=world.users["coordinator"],
        patient=world.patient,
        organisation=world.rehab,
        protocol=protocol,
    )
    rehab.create_plan(
        actor=world.users["rehab_specialist"],
        patient=world.patient,
        protocol=protocol,
        limb=world.limb,
        start_date=OPERATED_ON + dt.timedelta(days=7),
        body_weight_kg=80,
    )
    return world.episode, right_episode


def test_each_limbs_rehab_plan_gate_reads_its_own_limbs_plan(bilateral):
    left, right = bilateral
    assert gate_facts(left).rehab_plan is True
    assert gate_facts(right).rehab_plan is False


def test_the_limb_with_a_plan_moves_on_and_the_other_is_held(world, bilateral):
    left, right = bilateral
    surgeon = world.users["surgeon"]
    transition_to(actor=surgeon, episode=left, to_phase="follow_up")
    with pytest.raises(Conflict) as refused:
        transition_to(actor=surgeon, episode=right, to_phase="follow_up")
    assert [m.code for m in refused.value.missing] == ["rehab_plan_or_reason"]
    left.refresh_from_db()
    right.refresh_from_db()
    assert (left.phase, right.phase) == ("follow_up", "rehabilitation")
