"""Rows stored before the date windows were checked (a rehab plan starting 9999-12-20, a
follow-up due 9999-12-31, ...) never turn a page into a server error, and `osseo check_dates`
reports each of them."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from osseo.connectors.models import ActivityDay, BodyWeight
from osseo.rehab.actions import create_plan
from osseo.rehab.models import FollowUp, LoadLog, RehabPlan
from osseo.rehab.reference import ensure_reference_protocols
from osseo.surgery.models import Device, Procedure
from tests.conftest import api_client, client_for
from tests.connectors.conftest import policy
from tests.rehab.conftest import STANDARD, operate, protocol

END = dt.date(9999, 12, 20)
START = dt.date(1, 1, 1)


@pytest.fixture
def stored(world):
    """A patient with records, then dates written straight into the rows, as an older version
    of Osseo let through."""
    ensure_reference_protocols()
    today = timezone.localdate()
    procedure = operate(world, today - dt.timedelta(days=200))
    policy(world)
    api_client(world.users["coordinator"]).post(
        f"/api/v1/patients/{world.patient.uuid}/referrals",
        json.dumps({"organisation": str(world.rehab.uuid)}),
        content_type="application/json",
    )
    plan = create_plan(
        actor=world.users["rehab_specialist"],
        patient=world.patient,
        protocol=protocol(STANDARD),
        start_date=today - dt.timedelta(days=190),
        body_weight_kg=80,
    )
    late = create_plan(
        actor=world.users["rehab_specialist"],
        patient=world.patient,
        protocol=protocol(STANDARD),
        start_date=today - dt.timedelta(days=100),
        body_weight_kg=80,
    )
    LoadLog.objects.create(
        plan=plan,
        date=START,
        applied_kg=10,
        pain_nrs=1,
        prescribed_kg=10,
        logged_by=world.users["surgeon"],
    )
    RehabPlan.objects.filter(pk=plan.pk).update(start_date=START)
    RehabPlan.objects.filter(pk=late.pk).update(start_date=END)
    FollowUp.objects.create(
        patient=world.patient,
        episode=world.episode,
        due_date=dt.date(9999, 12, 31),
        done_on=dt.date(9999, 12, 31),
        recorded_by=world.users["surgeon"],
    )
    Procedure.objects.filter(pk=procedure.pk).update(performed_on=dt.date(9999, 12, 31))
    Device.objects.filter(placed_by=procedure).update(placed_on=dt.date(9999, 12, 31))
    BodyWeight.objects.create(
        patient=world.patient,
        measured_on=dt.date(1800, 1, 1),
        weight_kg=80,
        recorded_by=world.users["surgeon"],
    )
    ActivityDay.objects.create(
        patient=world.patient,
        date=dt.date(9999, 12, 31),
        steps=5000,
        source="old",
        imported_at=timezone.now(),
    )
    world.plans = (plan, late)
    world.procedure = procedure
    return world


def test_pages_and_api_reads_answer_without_a_server_error(stored):
    p = stored.patient.uuid
    plans = [f"/rehab-plans/{plan.uuid}/" for plan in stored.plans]
    pages = {
        "surgeon": [
            f"/patients/{p}/",
            f"/patients/{p}/connectors/",
            f"/procedures/{stored.procedure.uuid}/",
            "/follow-ups/",
            "/connectors/due/",
            "/registry/",
            "/",
        ],
        "rehab_specialist": [f"/patients/{p}/", f"/patients/{p}/rehab/", *plans, "/"],
    }
    for role, urls in pages.items():
        client = client_for(stored.users[role])
        for url in urls:
            assert client.get(url).status_code == 200, (role, url)
    reads = {
        "surgeon": [
            f"/api/v1/patients/{p}/connectors",
            f"/api/v1/patients/{p}/activity/daily",
            "/api/v1/follow-ups",
            "/api/v1/connectors/due",
            f"/api/v1/procedures/{stored.procedure.uuid}",
        ],
        "rehab_specialist": [
            f"/api/v1/patients/{p}/rehab-plans",
            *[f"/api/v1/rehab-plans/{plan.uuid}" for plan in stored.plans],
            *[f"/api/v1/rehab-plans/{plan.uuid}/logs" for plan in stored.plans],
        ],
    }
    for role, urls in reads.items():
        api = api_client(stored.users[role])
        for url in urls:
            assert api.get(url).status_code == 200, (role, url)


def test_the_date_check_reports_each_bad_row(stored):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("check-dates", stdout=out)
    assert exit_.value.code == 1
    report = out.getvalue()
    for words in (
        "rehab.RehabPlan",
        "start_date 0001-01-01",
        "start_date 9999-12-20",
        "rehab.FollowUp",
        "due_date 9999-12-31",
        "surgery.Procedure",
        "performed_on 9999-12-31",
        "connectors.BodyWeight",
        "measured_on 1800-01-01",
        "connectors.ActivityDay",
    ):
        assert words in report, words


def test_the_date_check_is_quiet_when_every_date_is_plausible(world):
    out = io.StringIO()
    call_command("check-dates", stdout=out)
    assert out.getvalue().strip() == "Every clinical date is inside its window."
