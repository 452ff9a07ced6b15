"""The plan page shows a ramp as the range the day is judged against (floor and ceiling), and
an empty phase as the ceiling and pain gate it keeps from the phase before (issue 16)."""

import datetime as dt

import time_machine

from tests.conftest import api_client, client_for
from tests.rehab.conftest import STANDARD, operate, post, protocol


def operated_plan(world, name=STANDARD):
    """The world's patient operated on 5 Jan 2026, referred, with a plan from 12 Jan at 80 kg."""
    operate(world, dt.date(2026, 1, 5))
    post(
        api_client(world.users["coordinator"]),
        f"/api/v1/patients/{world.patient.uuid}/referrals",
        {"organisation": str(world.rehab.uuid)},
    )
    plan = post(
        api_client(world.users["rehab_specialist"]),
        f"/api/v1/patients/{world.patient.uuid}/rehab-plans",
        {"protocol": str(protocol(name).uuid), "start_date": "2026-01-12", "body_weight_kg": 80},
    )
    assert plan.status_code == 201, plan.content
    return plan.json()


def _plan_page(world, name=STANDARD):
    plan = operated_plan(world, name)
    page = client_for(world.users["rehab_specialist"]).get(f"/rehab-plans/{plan['id']}/")
    assert page.status_code == 200
    return page.content.decode()


@time_machine.travel(dt.datetime(2026, 1, 16, 12, tzinfo=dt.UTC))
def test_a_ramp_day_shows_its_floor_and_its_ceiling(world):
    html = _plan_page(world)  # day 5, in Radboud's "up to 50 % BW" ramp: 40 kg at 80 kg
    assert "Judged against a range, not a fixed target: no floor (no under-loading flag); " in html
    assert "ceiling 40.0 kg (over-loading above it)" in html
    assert "50.0 % body weight, a ramp: that is its ceiling, no floor." in html


@time_machine.travel(dt.datetime(2026, 2, 20, 12, tzinfo=dt.UTC))
def test_a_fixed_target_day_shows_no_range(world):
    html = _plan_page(world)
    assert "Judged against a range" not in html
