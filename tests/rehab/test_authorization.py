"""Every rehab endpoint over every persona; a denied request changes nothing."""

import datetime as dt

import pytest
import time_machine

from osseo.patients.models import CareTeam, Referral
from osseo.rehab.actions import create_plan, refer_patient
from osseo.rehab.models import FunctionTest, LoadLog, RehabPlan
from tests.accounts.test_matrix import PERSONAS
from tests.conftest import api_client
from tests.rehab.conftest import operate, post, protocol

STAFF = set(PERSONAS) - {"patient"}
CLINIC = {"surgeon", "anaesthetist", "prosthetist", "coordinator", "clinic_admin"}
REHAB_WRITERS = {"prosthetist", "rehab_specialist"}
EDITORS = {"surgeon", "coordinator", "clinic_admin"}


def _snapshot():
    return (
        RehabPlan.objects.count(),
        LoadLog.objects.count(),
        FunctionTest.objects.count(),
        list(Referral.objects.values_list("withdrawn_at", flat=True)),
        CareTeam.objects.count(),
    )


@time_machine.travel(dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC))
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_rehab_endpoint_answers_each_persona_as_the_table_says(world, persona):
    operate(world, dt.date(2026, 1, 5))
    referral = refer_patient(
        actor=world.users["coordinator"], patient=world.patient, organisation=world.rehab
    )
    plan = create_plan(
        actor=world.users["rehab_specialist"],
        patient=world.patient,
        protocol=protocol(),
        start_date=dt.date(2026, 1, 12),
        body_weight_kg=80,
    )
    p = world.patient.uuid
    out_of_scope = {"outsider"}
    cases = [
        ("protocols", "get", "/api/v1/protocols", None, STAFF, 200),
        (
            "plans",
            "get",
            f"/api/v1/patients/{p}/rehab-plans",
            None,
            STAFF - out_of_scope | {"patient"},
            200,
        ),
        (
            "prescription",
            "get",
            f"/api/v1/rehab-plans/{plan.uuid}/prescription?date=2026-01-20",
            None,
            STAFF - out_of_scope | {"patient"},
            200,
        ),
        (
            "make plan",
            "post",
            f"/api/v1/patients/{p}/rehab-plans",
            # after the first plan for this limb ends (one active plan per limb)
            {"protocol": str(protocol().uuid), "start_date": "2026-02-23", "body_weight_kg": 80},
            REHAB_WRITERS,
            201,
        ),
        (
            "log",
            "post",
            f"/api/v1/rehab-plans/{plan.uuid}/logs",
            {"date": "2026-01-20", "applied_kg": 40, "pain_nrs": 1},
            REHAB_WRITERS | {"patient"},
            201,
        ),
        (
            "test",
            "post",
            f"/api/v1/patients/{p}/function-tests",
            {"kind": "six_minute_walk", "performed_on": "2026-01-30", "value": 250},
            REHAB_WRITERS,
            201,
        ),
        (
            "refer",
            "post",
            f"/api/v1/patients/{p}/referrals",
            {"organisation": str(world.rehab.uuid)},
            EDITORS,
            409,  # referred already, above
        ),
        (
            "withdraw",
            "post",
            f"/api/v1/referrals/{referral.uuid}/withdrawal",
            {"reason": "Test."},
            EDITORS,
            200,
        ),
        ("follow-ups", "get", "/api/v1/follow-ups", None, CLINIC | {"outsider"}, 200),
    ]
    user = world.users[persona]
    for name, method, url, body, allowed, ok in cases:
        before = _snapshot()
        client = api_client(user)
        response = post(client, url, body) if method == "post" else client.get(url)
        if persona in allowed:
            assert response.status_code == ok, (persona, name, response.content)
        else:
            in_scope = persona not in out_of_scope or name in ("protocols", "follow-ups")
            expected = 403 if in_scope else 404
            assert response.status_code == expected, (persona, name, response.status_code)
            assert response["Content-Type"] == "application/problem+json"
            assert _snapshot() == before, (persona, name)
