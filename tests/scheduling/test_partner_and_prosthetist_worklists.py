"""The rehabilitation partner's worklist (missing load logs, the function tests due at the next
follow-up visit) and the prosthetist's overload and fall flags to clear (issue 22)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from osseo.connectors.actions import record_maintenance, set_service_policy
from osseo.demo.connectors import DEMO_POLICY
from osseo.rehab.actions import create_plan, log_load, record_function_test, refer_patient
from osseo.rehab.models import LoadingProtocol
from osseo.rehab.reference import ensure_reference_protocols
from tests.conftest import api_client
from tests.rehab.conftest import operate

STANDARD = "Radboud standard programme (full weight bearing in 6 weeks)"


@pytest.fixture(autouse=True)
def reference_protocols(db):
    ensure_reference_protocols()


def _panels(user, now):
    with time_machine.travel(now, tick=False):
        body = api_client(user).get("/api/v1/worklist").json()
    return {p["kind"]: p for p in body["panels"]}


def test_the_partner_sees_the_days_left_unlogged_in_the_last_week(world):
    with time_machine.travel(dt.datetime(2026, 1, 20, 9, tzinfo=dt.UTC), tick=False):
        operate(world, dt.date(2026, 1, 5))
        refer_patient(
            actor=world.users["coordinator"], patient=world.patient, organisation=world.rehab
        )
        plan = create_plan(
            actor=world.users["rehab_specialist"],
            patient=world.patient,
            protocol=LoadingProtocol.objects.get(organisation__isnull=True, name=STANDARD),
            start_date=dt.date(2026, 1, 12),
            body_weight_kg=80,
            limb=world.limb,
        )
        for day in (12, 13, 14, 15, 16, 17):
            log_load(
                actor=world.users["rehab_specialist"],
                plan=plan,
                data={"date": dt.date(2026, 1, day), "applied_kg": 20, "pain_nrs": 2},
            )
    panel = _panels(world.users["rehab_specialist"], dt.datetime(2026, 1, 21, 9, tzinfo=dt.UTC))[
        "missing_logs"
    ]
    [item] = panel["items"]
    assert item["patient"] == str(world.patient.uuid)
    # The 18th, 19th and 20th (yesterday); today may still be logged.
    assert item["text"] == (f"{STANDARD}: 3 days of the last 7 not logged, the latest 20 Jan 2026")
    assert item["urgent"] is True
    assert item["url"] == f"/rehab-plans/{plan.uuid}/"


def test_the_partner_sees_the_function_tests_due_at_the_next_visit(world):
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC), tick=False):
        operate(world, dt.date(2026, 1, 5))
        refer_patient(
            actor=world.users["coordinator"], patient=world.patient, organisation=world.rehab
        )
        record_function_test(
            actor=world.users["rehab_specialist"],
            patient=world.patient,
            data={"kind": "six_minute_walk", "performed_on": dt.date(2026, 3, 18), "value": 310},
        )
    panel = _panels(world.users["rehab_specialist"], dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC))[
        "tests_due"
    ]
    [item] = panel["items"]
    assert item["text"] == (
        "3 months visit, Left Femur (transfemoral), due 5 Apr 2026: Timed up-and-go, "
        "AMP score, with prosthesis (AMPPRO), AMP score, without prosthesis (AMPnoPRO), "
        "K-level (K0-K4), Daily prosthesis wear"
    )


def test_the_prosthetist_sees_a_fall_to_clear_until_an_inspection_clears_it(world):
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC), tick=False):
        set_service_policy(actor=world.users["clinic_admin"], kind="dualcone", values=DEMO_POLICY)
        operate(world, dt.date(2026, 1, 5))
        record_maintenance(
            actor=world.users["prosthetist"],
            limb=world.limb,
            data={"kind": "fall", "performed_on": dt.date(2026, 3, 19)},
        )
    now = dt.datetime(2026, 3, 20, 10, tzinfo=dt.UTC)
    panel = _panels(world.users["prosthetist"], now)["overload_flags"]
    assert panel["count"] >= 1
    assert all(i["urgent"] for i in panel["items"])
    assert panel["items"][0]["text"].startswith(
        "Dualcone adaptor, Left Femur (transfemoral): inspect"
    )
    with time_machine.travel(now, tick=False):
        record_maintenance(
            actor=world.users["prosthetist"],
            limb=world.limb,
            data={"kind": "inspection", "performed_on": dt.date(2026, 3, 20), "outcome": "ok"},
        )
    assert _panels(world.users["prosthetist"], now)["overload_flags"]["count"] == 0
