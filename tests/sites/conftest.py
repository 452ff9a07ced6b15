"""Patients at any site, operated (a signed single-stage record with the parts of the clinic's
usual system for the site) and referred to the rehab partner."""

import datetime as dt

from osseo.pathway.actions import open_episode
from osseo.patients.actions import add_limb
from osseo.surgery import actions as surgery
from osseo.surgery.systems import system_for
from tests.conftest import api_client, make_patient
from tests.gates import advance
from tests.rehab.conftest import post
from tests.surgery.conftest import COMPLETE_RECORD, DUALCONE_GTIN, IMPLANT_GTIN

SIDES = {"craniofacial": "not_applicable"}


def add_site(world, patient, site, side=None):
    return add_limb(
        actor=world.users["coordinator"],
        patient=patient,
        data={
            "site": site,
            "side": side or SIDES.get(site, "left"),
            "cause": "trauma",
            **({} if site == "craniofacial" else {"amputation_date": dt.date(2015, 3, 2)}),
        },
    )


def operate_limb(world, limb, on, *, phase="rehabilitation"):
    episode = open_episode(actor=world.users["coordinator"], limb=limb)
    advance(world.users, episode, "assessment", "planning")
    return operate_episode(world, episode, on, phase=phase)


def operate_episode(world, episode, on, *, phase="rehabilitation"):
    """A signed single-stage operation on a planned episode, then the episode moved to `phase`."""
    surgeon, limb = world.users["surgeon"], episode.limb
    plan = episode.plans.first()
    if plan is not None and plan.anaesthesia_agreed_by_id is None:
        surgery.agree_anaesthesia(actor=world.users["anaesthetist"], plan=plan)
    advance(world.users, episode, "surgery")
    procedure = surgery.start_procedure(
        actor=surgeon, episode=episode, kind="single_stage", performed_on=on
    )
    parts = [("implant", IMPLANT_GTIN)] + [
        (part, DUALCONE_GTIN) for part in system_for(None, site=limb.site).parts
    ]
    for n, (kind, gtin) in enumerate(parts):
        surgery.place_device(
            actor=surgeon,
            procedure=procedure,
            kind=kind,
            data={"gtin": gtin, "lot": f"LOT-{n}", "expiry": on + dt.timedelta(days=700)},
        )
    given = procedure.planned_anaesthesia or "general"  # as the anaesthetist agreed
    record = {**COMPLETE_RECORD, "anaesthesia": {"given": given}}
    surgery.save_operative_record(actor=surgeon, procedure=procedure, data=record)
    surgery.sign_operative_record(actor=surgeon, procedure=procedure)
    if phase != "surgery":
        advance(world.users, episode, phase)
    return episode


def site_patient(world, *sites, on=dt.date(2026, 1, 5), refer=True, name="Una"):
    """A new patient with a limb at each of `sites` (each side in turn), each operated on `on`."""
    patient = make_patient(world.users["coordinator"], given_name=name, family_name="Site")
    limbs = []
    for n, site in enumerate(sites):
        side = SIDES.get(site, ("left", "right")[n % 2])
        limb = add_site(world, patient, site, side)
        operate_limb(world, limb, on)
        limbs.append(limb)
    if refer:
        response = post(
            api_client(world.users["coordinator"]),
            f"/api/v1/patients/{patient.uuid}/referrals",
            {"organisation": str(world.rehab.uuid)},
        )
        assert response.status_code == 201, response.content
    return patient, limbs
