"""Programmes in the measure they prescribe (issue 16): a lower-limb programme prescribes load
(kg, from % body weight); a clinic's own upper-limb or head-and-neck programme may prescribe daily
wear hours or loading minutes instead. The plan, its prescription, its log, its flags, its page
and its chart are in that unit; no body weight is asked where no target is in % body weight."""

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine

from osseo.rehab import rules
from osseo.rehab.models import LoadLog, RehabPlan
from tests.conftest import api_client, client_for
from tests.rehab.conftest import post
from tests.sites.conftest import site_patient

WEAR = {
    "name": "Upper-limb wear build-up",
    "sites": ["humerus", "radius_ulna", "hand"],
    "measure": "wear_hours",
    "phases": [
        {
            "start_day": 1,
            "end_day": 14,
            "target_amount": 4,
            "ramp": True,
            "floor_amount": 1,
            "pain_gate_nrs": 5,
        },
        {"start_day": 14, "end_day": 60, "target_amount": 8, "pain_gate_nrs": 5},
    ],
}
MINUTES = {
    "name": "Epithesis handling practice",
    "sites": ["craniofacial"],
    "measure": "minutes",
    "phases": [{"start_day": 1, "end_day": 30, "target_amount": 20}],
}


def _protocol(world, body):
    response = post(api_client(world.users["rehab_specialist"]), "/api/v1/protocols", body)
    assert response.status_code == 201, response.content
    return response.json()


def _plan(world, patient, protocol, **extra):
    return post(
        api_client(world.users["rehab_specialist"]),
        f"/api/v1/patients/{patient.uuid}/rehab-plans",
        {"protocol": protocol["id"], "start_date": "2026-01-12", **extra},
    )


def test_the_rules_judge_wear_hours_against_their_own_range():
    phases = [rules.Phase.from_dict(p) for p in WEAR["phases"]]
    start = dt.date(2026, 1, 12)
    rx = rules.prescription(phases, start, None, start + dt.timedelta(days=4), measure="wear_hours")
    assert (rx.unit, rx.floor, rx.ceiling, rx.target, rx.target_kg) == ("h", D(1), D(4), D(4), None)
    flags = lambda hours, pain=0: rules.log_flags(  # noqa: E731
        rx, D(hours), pain, under_share=D("0.2"), over_share=D("0.1")
    )
    assert flags("2") == []  # inside the ramp: neither under nor over
    assert flags("0.5") == [rules.UNDER_LOADING]
    assert flags("6") == [rules.OVER_LOADING]
    assert flags("3", pain=6) == [rules.PAIN_OVER_GATE]
    assert rules.flag_label(rules.OVER_LOADING, "wear_hours") == "Worn longer than prescribed"
    assert rules.flag_label(rules.OVER_LOADING, "load") == "Over-loading"


def test_a_programme_in_one_measure_refuses_targets_of_another():
    load_in_hours = [rules.Phase(1, 10, D(20), None, None, None, True, None)]
    assert rules.phase_problems(load_in_hours, "wear_hours") == {
        "phases.1.target_amount": "Phase 1: this programme is in hours a day; give its target "
        "in hours a day, not as a load."
    }
    hours_in_load = [rules.Phase(1, 10, None, None, None, None, True, None, target_amount=D(3))]
    assert "phases.1.target_amount" in rules.phase_problems(hours_in_load, "load")
    too_long = [rules.Phase(1, 10, None, None, None, None, True, None, target_amount=D(25))]
    assert rules.phase_problems(too_long, "wear_hours") == {
        "phases.1.target_amount": "Phase 1: a target is above 0 and at most 24 hours a day."
    }


@time_machine.travel(dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC))
@pytest.mark.parametrize(
    ("site", "body", "field", "amount", "unit"),
    [
        ("humerus", WEAR, "wear_hours", 9, "h"),
        ("hand", WEAR, "wear_hours", 9, "h"),
        ("craniofacial", MINUTES, "minutes", 45, "min"),
    ],
)
def test_a_plan_in_hours_or_minutes_logs_and_flags_in_its_unit(
    world, site, body, field, amount, unit
):
    patient, _ = site_patient(world, site)
    protocol = _protocol(world, body)
    assert (protocol["measure"], protocol["unit"], protocol["validated"]) == (
        body["measure"],
        unit,
        False,
    )
    made = _plan(world, patient, protocol)  # no body weight: no target is in % body weight
    assert made.status_code == 201, made.content
    plan = made.json()
    assert (plan["measure"], plan["unit"], plan["body_weight_kg"]) == (body["measure"], unit, None)
    rx = (
        api_client(world.users["rehab_specialist"])
        .get(f"/api/v1/rehab-plans/{plan['id']}/prescription?date=2026-01-13")
        .json()
    )
    assert (rx["unit"], rx["target_kg"], rx["floor_kg"], rx["ceiling_kg"]) == (
        unit,
        None,
        None,
        None,
    )
    assert rx["ceiling"] == float(body["phases"][0]["target_amount"])
    logs = f"/api/v1/rehab-plans/{plan['id']}/logs"
    rehab = api_client(world.users["rehab_specialist"])
    # The amount of the plan's measure is required; a load alone does not log the day.
    missing = post(rehab, logs, {"date": "2026-01-13", "applied_kg": 3, "pain_nrs": 1})
    assert missing.status_code == 422
    assert missing["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in missing.json()["errors"]] == [field]
    assert not LoadLog.objects.filter(plan__uuid=plan["id"]).exists()
    over = post(rehab, logs, {"date": "2026-01-13", field: amount, "pain_nrs": 1})
    assert over.status_code == 201, over.content
    assert over.json()["flags"] == ["over_loading"]
    assert over.json()[field] == amount and over.json()["applied_kg"] is None
    assert over.json()["prescribed_amount"] == float(body["phases"][0]["target_amount"])
    # The plan page speaks in the unit; no walking aid off the lower limb.
    page = client_for(world.users["rehab_specialist"]).get(f"/rehab-plans/{plan['id']}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Prescribed ({unit})" in html and "Prescribed (kg)" not in html
    assert "Walking aid" not in html and 'name="walking_aid"' not in html
    assert f'name="{field}"' in html
    assert ("Worn longer than prescribed" if field == "wear_hours" else "More loading time") in html


@time_machine.travel(dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC))
def test_a_load_programme_in_body_weight_still_needs_the_weight(world):
    patient, _ = site_patient(world, "humerus")
    protocol = _protocol(
        world,
        {
            "name": "Upper-limb axial loading",
            "sites": ["humerus"],
            "phases": [{"start_day": 1, "end_day": 20, "target_percent_body_weight": 10}],
        },
    )
    assert protocol["measure"] == "load"
    refused = _plan(world, patient, protocol)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["body_weight_kg"]
    made = _plan(world, patient, protocol, body_weight_kg=70)
    assert made.status_code == 201, made.content
    assert RehabPlan.objects.get(uuid=made.json()["id"]).measure == "load"


@time_machine.travel(dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC))
def test_a_wear_hours_log_is_corrected_in_its_unit_and_the_flags_follow(world):
    patient, _ = site_patient(world, "radius_ulna")
    plan = _plan(world, patient, _protocol(world, WEAR)).json()
    rehab = api_client(world.users["rehab_specialist"])
    log = post(
        rehab,
        f"/api/v1/rehab-plans/{plan['id']}/logs",
        {"date": "2026-01-14", "wear_hours": 0.5, "pain_nrs": 0},
    ).json()
    assert log["flags"] == ["under_loading"]
    fixed = post(
        rehab,
        f"/api/v1/load-logs/{log['id']}/correction",
        {"wear_hours": 2.5, "reason": "Typed 0.5 for 2.5."},
    )
    assert fixed.status_code == 200, fixed.content
    assert (fixed.json()["wear_hours"], fixed.json()["flags"]) == (2.5, [])


def test_a_phase_without_a_cited_source_cannot_be_marked_as_matching_it(world):
    body = {**WEAR, "phases": [{**WEAR["phases"][0], "validated": True}]}
    refused = post(api_client(world.users["rehab_specialist"]), "/api/v1/protocols", body)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["phases.1.validated"]


@time_machine.travel(dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC))
@pytest.mark.parametrize(("site", "walking"), [("femur", True), ("humerus", False)])
def test_the_referral_letter_names_a_walking_aid_for_a_lower_limb_only(world, site, walking):
    from osseo.patients.models import Referral
    from tests.rehab.conftest import STANDARD, protocol

    patient, _ = site_patient(world, site)
    if walking:
        made = _plan(world, patient, {"id": str(protocol(STANDARD).uuid)}, body_weight_kg=80)
    else:
        made = _plan(world, patient, _protocol(world, WEAR))
    assert made.status_code == 201, made.content
    referral = Referral.objects.get(patient=patient)
    html = client_for(world.users["rehab_specialist"]).get(f"/referrals/{referral.uuid}/letter/")
    assert html.status_code == 200
    assert ('<th scope="col">Walking aid</th>' in html.content.decode()) == walking
