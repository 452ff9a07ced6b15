"""The anaesthesia given against the agreed plan, and a later stage's window on the real, signed
dates (issue 17): each difference asks for a reason before signing, and the reason is kept."""

from __future__ import annotations

import datetime as dt

import pytest

from osseo.errors import Conflict
from osseo.pathway.actions import open_episode, transition_to
from osseo.patients.actions import add_limb
from osseo.surgery import actions as surgery
from tests.conftest import FUTURE_EXPIRY, client_for
from tests.gates import advance, make_plan
from tests.surgery.conftest import COMPLETE_RECORD, DUALCONE_GTIN, IMPLANT_GTIN

ON = dt.date(2025, 3, 3)


def _single_stage(world, given, **anaesthesia):
    advance(world.users, world.episode, "assessment", "planning", "surgery")
    surgeon = world.users["surgeon"]
    procedure = surgery.start_procedure(
        actor=surgeon, episode=world.episode, kind="single_stage", performed_on=ON
    )
    for kind, gtin in (("implant", IMPLANT_GTIN), ("dualcone", DUALCONE_GTIN)):
        surgery.place_device(
            actor=surgeon,
            procedure=procedure,
            kind=kind,
            data={"gtin": gtin, "lot": "L1", "expiry": FUTURE_EXPIRY},
        )
    record = {**COMPLETE_RECORD, "anaesthesia": {"given": given, **anaesthesia}}
    surgery.save_operative_record(actor=surgeon, procedure=procedure, data=record)
    return procedure


def test_the_operation_keeps_the_anaesthesia_the_anaesthetist_agreed(world):
    procedure = _single_stage(world, "general_epidural")
    assert procedure.planned_anaesthesia == "general_epidural"
    surgery.sign_operative_record(actor=world.users["surgeon"], procedure=procedure)


def test_anaesthesia_given_other_than_agreed_needs_a_reason_before_signing(world):
    procedure = _single_stage(world, "general_spinal")
    with pytest.raises(Conflict) as refused:
        surgery.sign_operative_record(actor=world.users["surgeon"], procedure=procedure)
    assert [m.as_dict() for m in refused.value.missing] == [
        {
            "code": "anaesthesia_difference_reason",
            "label": "The anaesthesia given (General anaesthesia with a spinal block) differs "
            "from the plan the anaesthetist agreed (General anaesthesia with an epidural "
            "block): record why.",
            "source": "Clinic patient guide, 'The Surgery' (the anaesthesia options); the "
            "agreed plan",
        }
    ]
    procedure.refresh_from_db()
    assert procedure.status == "draft"


def test_the_reason_for_a_different_anaesthesia_is_shown_on_the_record_and_to_the_team(world):
    procedure = _single_stage(world, "general_spinal", difference_reason="Epidural failed to site.")
    surgery.sign_operative_record(actor=world.users["surgeon"], procedure=procedure)
    record_page = client_for(world.users["anaesthetist"]).get(f"/procedures/{procedure.uuid}/")
    html = record_page.content.decode()
    assert "Anaesthesia agreed in the plan: General anaesthesia with an epidural block" in html
    assert "differs from the agreed plan" in html
    assert "Epidural failed to site." in html
    patient_page = client_for(world.users["anaesthetist"]).get(f"/patients/{world.patient.uuid}/")
    assert "anaesthesia given differs from the agreed plan" in patient_page.content.decode()


# --- Stage 2 on real dates ---------------------------------------------------------------------


def _staged(world, stage_2_after_days, **extras):
    """A staged hand: stage 1 signed on ON, stage 2 recorded `stage_2_after_days` later."""
    surgeon = world.users["surgeon"]
    hand = add_limb(
        actor=world.users["coordinator"],
        patient=world.patient,
        data={
            "site": "hand",
            "side": "right",
            "amputation_date": dt.date(2019, 6, 1),
            "cause": "trauma",
        },
    )
    episode = open_episode(actor=world.users["coordinator"], limb=hand)
    advance(world.users, episode, "assessment", "planning")
    make_plan(world.users, episode, strategy="staged")
    transition_to(actor=surgeon, episode=episode, to_phase="surgery")
    given = {"anaesthesia": {"given": "general"}}
    stage_1 = surgery.start_procedure(
        actor=surgeon, episode=episode, kind="stage_1", performed_on=ON
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
            **given,
            "bone_preparation": {"reamed_diameter_mm": 6},
            "implant_insertion": {"fixation": "press_fit"},
        },
    )
    surgery.sign_operative_record(actor=surgeon, procedure=stage_1)
    transition_to(actor=surgeon, episode=episode, to_phase="planning", reason="Stage 2 next.")
    transition_to(actor=surgeon, episode=episode, to_phase="surgery")
    stage_2 = surgery.start_procedure(
        actor=surgeon,
        episode=episode,
        kind="stage_2",
        performed_on=ON + dt.timedelta(days=stage_2_after_days),
    )
    surgery.place_device(
        actor=surgeon,
        procedure=stage_2,
        kind="dualcone",
        data={"gtin": DUALCONE_GTIN, "lot": "D1", "expiry": FUTURE_EXPIRY},
    )
    surgery.save_operative_record(
        actor=surgeon,
        procedure=stage_2,
        data={**given, "closure": {"stoma_created": True}, "extras": extras},
    )
    return stage_2


def test_a_stage_2_inside_the_window_after_the_signed_stage_1_signs(world):
    stage_2 = _staged(world, 150)  # about five months: inside the guide's 4 to 6
    surgery.sign_operative_record(actor=world.users["surgeon"], procedure=stage_2)


@pytest.mark.parametrize("days", [42, 200])  # six weeks (the case); over six months
def test_a_stage_2_outside_the_window_asks_for_a_reason(world, days):
    stage_2 = _staged(world, days)
    with pytest.raises(Conflict) as refused:
        surgery.sign_operative_record(actor=world.users["surgeon"], procedure=stage_2)
    (missing,) = refused.value.missing
    assert missing.code == "stage_window_reason"
    assert "outside the 4 to 6 months window after the signed previous stage on 3 Mar 2025" in (
        missing.label
    )


def test_the_reason_for_a_stage_outside_the_window_is_kept_with_the_record(world):
    stage_2 = _staged(world, 42, outside_window_reason="Radboud-style early stage 2 at MDT.")
    surgery.sign_operative_record(actor=world.users["surgeon"], procedure=stage_2)
    stage_2.refresh_from_db()
    assert stage_2.status == "signed"
    assert stage_2.current.data["extras"]["outside_window_reason"] == (
        "Radboud-style early stage 2 at MDT."
    )
