"""Loading programmes by site and as their source states them: protocols name their sites, a plan
names its limb and is refused for a site its protocol does not cover, one active plan per limb,
ramps as ranges, empty phases keep the limits before them, and a log corrected by its author."""

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine

from osseo.audit.models import AuditEntry
from osseo.rehab import rules
from osseo.rehab.models import LoadLog, RehabPlan
from tests.conftest import api_client
from tests.rehab.conftest import SLOW, STANDARD, operate, post, protocol
from tests.sites.conftest import site_patient


def _refer(world, patient):
    response = post(
        api_client(world.users["coordinator"]),
        f"/api/v1/patients/{patient.uuid}/referrals",
        {"organisation": str(world.rehab.uuid)},
    )
    assert response.status_code == 201, response.content


def _plan(world, patient, name=STANDARD, start="2026-01-12", **extra):
    return post(
        api_client(world.users["rehab_specialist"]),
        f"/api/v1/patients/{patient.uuid}/rehab-plans",
        {"protocol": str(protocol(name).uuid), "start_date": start, "body_weight_kg": 80, **extra},
    )


def test_the_radboud_programmes_name_femur_and_tibia(world):
    body = api_client(world.users["rehab_specialist"]).get("/api/v1/protocols").json()
    assert {p["name"]: p["sites"] for p in body} == {
        STANDARD: ["femur", "tibia"],
        SLOW: ["femur", "tibia"],
    }
    first = next(p for p in body if p["name"] == STANDARD)["phases"][0]
    assert (first["ramp"], first["target_percent_body_weight"], first["floor_kg"]) == (
        True,
        50.0,
        None,
    )


@pytest.mark.parametrize(
    ("site", "side"),
    [
        ("humerus", "right"),
        ("radius_ulna", "left"),
        ("hand", "left"),
        ("craniofacial", "not_applicable"),
    ],
)
def test_a_lower_limb_programme_is_refused_422_naming_the_site(world, site, side):
    patient, _ = site_patient(world, site)
    response = _plan(world, patient)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    [error] = response.json()["errors"]
    field, message = error["field"], error["message"]
    assert field == "protocol"
    assert f"(site {site})" in message
    assert message.endswith("it applies to: Femur (transfemoral), Tibia (transtibial).")
    assert not RehabPlan.objects.filter(patient=patient).exists()


def test_a_patient_with_two_limbs_names_the_treated_one(world):
    patient, (left, right) = site_patient(world, "femur", "tibia")
    unnamed = _plan(world, patient)
    assert unnamed.status_code == 422
    assert unnamed.json()["errors"] == [
        {"field": "limb", "message": "The patient has 2 limbs: name the treated limb."}
    ]
    made = _plan(world, patient, limb=str(left.uuid))
    assert made.status_code == 201, made.content
    assert (made.json()["limb"], made.json()["site"]) == (str(left.uuid), "femur")
    # One active plan per limb: a second over the same days is refused; the other limb is not.
    again = _plan(world, patient, start="2026-02-01", limb=str(left.uuid))
    assert again.status_code == 409
    assert [m["code"] for m in again.json()["missing"]] == ["one_active_plan_per_limb"]
    other = _plan(world, patient, start="2026-02-01", limb=str(right.uuid))
    assert other.status_code == 201, other.content
    after = _plan(world, patient, start="2026-02-23", limb=str(left.uuid))
    assert after.status_code == 201, after.content
    assert RehabPlan.objects.filter(patient=patient).count() == 3


def test_a_programme_with_an_empty_phase_cannot_be_assigned(world):
    patient, _ = site_patient(world, "femur")
    response = _plan(world, patient, name=SLOW)
    assert response.status_code == 409
    assert [m["code"] for m in response.json()["missing"]] == ["phase_2_prescription"]
    assert not RehabPlan.objects.filter(patient=patient).exists()


# --- Ramps and empty phases, as pure rules ---------------------------------------------------

START = dt.date(2026, 1, 1)
RAMP = rules.Phase(3, 10, D(50), None, 3, 30, False, 5, ramp=True)
FIXED = rules.Phase(10, 35, D(50), None, None, None, True, None)
EMPTY = rules.Phase(43, 84, None, None, None, None, True, None)


def _flags(phases, day, kg, pain):
    rx = rules.prescription(phases, START, D(80), START + dt.timedelta(days=day - 1))
    return rules.log_flags(rx, D(kg), pain, under_share=D("0.2"), over_share=D("0.1"))


def test_a_ramp_judges_under_loading_against_its_floor_and_over_loading_against_its_ceiling():
    assert _flags([RAMP, FIXED], 3, 8, 2) == []  # day 3 at 8 kg: up to 40 kg, not a target
    assert _flags([RAMP, FIXED], 5, 45, 2) == ["over_loading"]  # above 40 kg + 10 %
    floored = rules.Phase(
        3,
        10,
        D(50),
        None,
        3,
        30,
        False,
        5,
        ramp=True,
        floor_kg=None,
        floor_percent_body_weight=D(20),
    )
    assert _flags([floored], 5, 12, 2) == ["under_loading"]  # below 16 kg - 20 %
    assert _flags([floored], 5, 13, 2) == []
    assert _flags([RAMP, FIXED], 12, 30, 2) == ["under_loading"]  # fixed 40 kg from day 10


def test_an_empty_phase_keeps_the_pain_gate_and_the_ceiling_before_it():
    slow = [rules.Phase(1, 42, D(50), None, 3, 30, True, 5, ramp=True), EMPTY]
    rx = rules.prescription(slow, START, D(80), START + dt.timedelta(days=60))
    assert (rx.phase, rx.target_kg, rx.ceiling, rx.pain_gate_nrs, rx.limits_from_phase) == (
        2,
        None,
        D(40),
        5,
        1,
    )
    assert _flags(slow, 60, 150, 9) == ["over_loading", "pain_over_gate"]
    assert _flags(slow, 60, 30, 2) == []  # no floor: nothing to under-load against


def test_a_ramp_needs_its_ceiling_and_a_floor_below_it():
    bad = rules.Phase(1, 10, None, D(20), None, None, True, None, ramp=True, floor_kg=D(25))
    assert rules.phase_problems([bad]) == {
        "phases.1.floor_kg": "Phase 1: a floor in kg is from 0 up to the target in kg."
    }
    assert rules.phase_problems(
        [rules.Phase(1, 10, None, None, None, None, True, None, ramp=True)]
    ) == {"phases.1.ramp": "Phase 1: a ramp needs its ceiling (the target)."}


# --- Correcting a log ------------------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 1, 30, 12, tzinfo=dt.UTC))
def test_a_log_is_corrected_by_its_author_with_the_change_audited(world):
    operate(world, dt.date(2026, 1, 5))
    _refer(world, world.patient)
    plan = _plan(world, world.patient).json()
    author = api_client(world.users["rehab_specialist"])
    logged = post(
        author,
        f"/api/v1/rehab-plans/{plan['id']}/logs",
        {"date": "2026-01-25", "applied_kg": 4, "pain_nrs": 2},
    ).json()
    assert logged["flags"] == ["under_loading"]  # day 14: 50 % of 80 kg, fixed
    url = f"/api/v1/load-logs/{logged['id']}/correction"
    other = api_client(world.users["prosthetist"])
    refused = post(other, url, {"applied_kg": 40, "reason": "Typo."})
    assert refused.status_code == 403
    assert LoadLog.objects.get(uuid=logged["id"]).applied_kg == D(4)
    missing = post(author, url, {"applied_kg": 40})
    assert missing.status_code == 422
    fixed = post(author, url, {"applied_kg": 40, "reason": "Typed 4 for 40."})
    assert fixed.status_code == 200, fixed.content
    assert (fixed.json()["applied_kg"], fixed.json()["flags"]) == (40.0, [])
    entry = AuditEntry.objects.get(action="rehab.load.corrected")
    assert entry.changes == {
        "applied_kg": ["4.0", "40.0"],
        "flags": [["under_loading"], []],
        "reason": [None, "Typed 4 for 40."],
    }


@pytest.mark.parametrize("site", ["craniofacial", "hand", "humerus"])
def test_a_walking_test_is_refused_422_for_a_site_that_does_not_walk_on_it(world, site):
    patient, _ = site_patient(world, site)
    client = api_client(world.users["rehab_specialist"])
    url = f"/api/v1/patients/{patient.uuid}/function-tests"
    walk = post(
        client, url, {"kind": "six_minute_walk", "performed_on": "2026-02-01", "value": 300}
    )
    assert walk.status_code == 422, walk.content
    [error] = walk.json()["errors"]
    assert error["field"] == "kind" and f"({site})" in error["message"]
    worn = post(client, url, {"kind": "wear_hours", "performed_on": "2026-02-01", "value": 9})
    assert worn.status_code == 201, worn.content
