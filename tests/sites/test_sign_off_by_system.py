"""The sign-off of a final stage asks for the transcutaneous parts of the implant system the record
names (docs/sources.md#implant-components), not for a dualcone everywhere."""

import datetime as dt

import pytest

from osseo.errors import Conflict
from osseo.pathway.actions import open_episode
from osseo.patients.actions import add_limb
from osseo.surgery.actions import (
    add_catalogue_item,
    place_device,
    save_operative_record,
    sign_operative_record,
    start_procedure,
)
from osseo.surgery.operative import DeviceFact, signing_problems
from osseo.surgery.systems import SYSTEMS
from tests.conftest import make_patient
from tests.gates import advance
from tests.surgery.conftest import COMPLETE_RECORD, IMPLANT_GTIN

FINAL = {k: v for k, v in COMPLETE_RECORD.items() if k != "dualcone"}


def _codes(system, devices):
    return [
        m.code
        for m in signing_problems(
            kind="stage_2", final_stage=True, data=FINAL, devices=devices, system=SYSTEMS[system]
        )
    ]


@pytest.mark.parametrize(
    ("system", "missing"),
    [
        ("clinic_press_fit", ["dualcone_device"]),
        ("opl", ["dualcone_device"]),
        ("opra", ["abutment_device", "abutment_screw_device"]),
        ("craniofacial_abutment", ["abutment_device"]),
    ],
)
def test_a_final_stage_without_parts_misses_exactly_its_systems_parts(system, missing):
    assert _codes(system, []) == missing


def test_each_part_of_the_system_needs_its_lot():
    devices = [DeviceFact("abutment", "", "A1"), DeviceFact("abutment_screw", "", "")]
    assert _codes("opra", devices) == ["abutment_screw_lot"]
    assert _codes("craniofacial_abutment", [DeviceFact("abutment", "", "A1")]) == []


def test_a_dualcone_does_not_stand_in_for_an_abutment():
    assert _codes("craniofacial_abutment", [DeviceFact("dualcone", "", "D1")]) == [
        "abutment_device"
    ]


@pytest.fixture
def craniofacial(world):
    coordinator, surgeon = world.users["coordinator"], world.users["surgeon"]
    patient = make_patient(coordinator, given_name="Cai", family_name="Ear")
    limb = add_limb(
        actor=coordinator,
        patient=patient,
        data={"site": "craniofacial", "side": "not_applicable", "cause": "tumour"},
    )
    episode = open_episode(actor=coordinator, limb=limb)
    advance(world.users, episode, "assessment", "planning", "surgery")
    item = add_catalogue_item(
        actor=world.users["clinic_admin"],
        data={
            "kind": "implant",
            "manufacturer": "Test",
            "model": "Craniofacial fixture",
            "gtin": IMPLANT_GTIN,
            "site": "craniofacial",
            "system": "craniofacial_abutment",
            "fixation": "threaded",
            "diameter_mm": 4,
            "length_mm": 4,
        },
    )
    today = dt.date.today()
    stage_1 = start_procedure(
        actor=surgeon, episode=episode, kind="stage_1", performed_on=today - dt.timedelta(days=200)
    )
    save_operative_record(
        actor=surgeon,
        procedure=stage_1,
        data={
            **{k: v for k, v in FINAL.items() if k != "closure"},
            "anaesthesia": {"given": "general"},
        },
    )
    place_device(
        actor=surgeon,
        procedure=stage_1,
        kind="implant",
        data={"gtin": IMPLANT_GTIN, "lot": "F1"},
        catalogue_item=item,
    )
    sign_operative_record(actor=surgeon, procedure=stage_1)
    stage_2 = start_procedure(
        actor=surgeon, episode=episode, kind="stage_2", performed_on=today - dt.timedelta(days=50)
    )
    save_operative_record(
        actor=surgeon,
        procedure=stage_2,
        data={"anaesthesia": {"given": "general"}, "closure": FINAL["closure"]},
    )
    return stage_2


def test_a_craniofacial_stage_2_signs_with_its_abutment_and_no_dualcone(world, craniofacial):
    surgeon = world.users["surgeon"]
    with pytest.raises(Conflict) as refused:
        sign_operative_record(actor=surgeon, procedure=craniofacial)
    assert [m.code for m in refused.value.missing] == ["abutment_device"]
    place_device(
        actor=surgeon,
        procedure=craniofacial,
        kind="abutment",
        data={"gtin": "04012345000009", "lot": "AB1"},
    )
    craniofacial.refresh_from_db()
    signed = sign_operative_record(actor=surgeon, procedure=craniofacial)
    assert signed.status == "signed"
