"""A patient treated at two sites: each limb's follow-up visit carries its own site's function
tests, in the rehabilitation partner's worklist as on the booking. A humerus visit has no
walking test because the femur's has (osseo/patients/sites.py)."""

from __future__ import annotations

import datetime as dt

import time_machine

from osseo.rehab.actions import refer_patient
from osseo.scheduling.queries import follow_up_due
from tests.conftest import api_client
from tests.rehab.conftest import operate
from tests.scheduling.conftest import new_limb
from tests.surgery.conftest import COMPLETE_RECORD

NOW = dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC)


def test_each_limbs_visit_lists_the_tests_of_its_own_site(world):
    with time_machine.travel(NOW, tick=False):
        operate(world, dt.date(2026, 1, 5), phase="follow_up")
        arm = new_limb(world, world.patient, site="humerus", side="right")
        # An arm: general anaesthesia (the femur's epidural is not an option for it).
        arm_record = {**COMPLETE_RECORD, "anaesthesia": {"given": "general"}}
        operate(world, dt.date(2026, 1, 12), phase="follow_up", episode=arm, record=arm_record)
        refer_patient(
            actor=world.users["coordinator"], patient=world.patient, organisation=world.rehab
        )
        panels = api_client(world.users["rehab_specialist"]).get("/api/v1/worklist").json()
    [tests] = [p for p in panels["panels"] if p["kind"] == "tests_due"]
    texts = {i["text"].split(",")[1].split(":")[0].strip(): i["text"] for i in tests["items"]}
    femur = next(t for k, t in texts.items() if "Femur" in k)
    humerus = next(t for k, t in texts.items() if "Humerus" in k)
    assert "6-minute walk test" in femur
    assert "6-minute walk test" not in humerus and "Timed up-and-go" not in humerus
    assert "Daily prosthesis wear" in humerus
    # The booking of each visit carries the same: its own site's tests.
    codes = [d["code"] for d in follow_up_due(world.patient, arm, world.clinic)]
    assert not any("walk" in c or "up_and_go" in c for c in codes)


def test_the_coordinator_books_each_limbs_visit_and_an_overdue_one_says_so(world):
    with time_machine.travel(NOW, tick=False):
        operate(world, dt.date(2025, 12, 1), phase="follow_up")  # 3 months: 1 Mar, overdue
        right = new_limb(world, world.patient, site="femur", side="right")
        operate(world, dt.date(2026, 1, 12), phase="follow_up", episode=right)  # 12 Apr
        panels = api_client(world.users["coordinator"]).get("/api/v1/worklist").json()
    [book] = [p for p in panels["panels"] if p["kind"] == "bookings_to_make"]
    assert [(i["text"], i["urgent"]) for i in book["items"]] == [
        (
            "3 months visit, Left Femur (transfemoral): overdue since 1 Mar 2026 (31 days), "
            "not booked",
            True,
        ),
        ("3 months visit, Right Femur (transfemoral): due 12 Apr 2026, not booked", False),
    ]
