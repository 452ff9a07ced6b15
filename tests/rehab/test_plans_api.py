"""Plans, prescriptions and logs over the API, as a partner's rehab specialist uses them."""

import datetime as dt

import pytest
import time_machine

from osseo.rehab.actions import set_rehab_setting
from osseo.rehab.models import LoadLog, RehabPlan
from tests.conftest import api_client
from tests.rehab.conftest import SLOW, STANDARD, post, protocol


@pytest.fixture
def referred(operated):
    post(
        api_client(operated.users["coordinator"]),
        f"/api/v1/patients/{operated.patient.uuid}/referrals",
        {"organisation": str(operated.rehab.uuid)},
    )
    return operated


def _plan(world, name=STANDARD, start="2026-01-12", weight=80):
    response = post(
        api_client(world.users["rehab_specialist"]),
        f"/api/v1/patients/{world.patient.uuid}/rehab-plans",
        {"protocol": str(protocol(name).uuid), "start_date": start, "body_weight_kg": weight},
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_the_protocol_list_has_the_radboud_programmes_in_the_published_shape(world):
    body = api_client(world.users["rehab_specialist"]).get("/api/v1/protocols").json()
    by_name = {p["name"]: p for p in body}
    assert set(by_name) == {STANDARD, SLOW}
    standard = by_name[STANDARD]
    assert standard["validated"] is True and by_name[SLOW]["validated"] is False
    assert [
        {
            k: ph[k]
            for k in (
                "start_day",
                "end_day",
                "target_percent_body_weight",
                "target_kg",
                "sessions_per_day",
                "minutes_per_session",
                "walking_aid",
                "pain_gate_nrs",
            )
        }
        for ph in standard["phases"]
    ] == [
        {
            "start_day": 3,
            "end_day": 10,
            "target_percent_body_weight": 50.0,
            "target_kg": None,
            "sessions_per_day": 3,
            "minutes_per_session": 30,
            "walking_aid": False,
            "pain_gate_nrs": 5,
        },
        {
            "start_day": 10,
            "end_day": 35,
            "target_percent_body_weight": 50.0,
            "target_kg": None,
            "sessions_per_day": None,
            "minutes_per_session": None,
            "walking_aid": True,
            "pain_gate_nrs": None,
        },
        {
            "start_day": 35,
            "end_day": 42,
            "target_percent_body_weight": 100.0,
            "target_kg": None,
            "sessions_per_day": None,
            "minutes_per_session": None,
            "walking_aid": True,
            "pain_gate_nrs": 5,
        },
    ]
    assert not any("OPRA" in n or "OGAAP" in n for n in by_name)


@time_machine.travel(dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC))
def test_a_partner_plans_logs_and_sees_the_flags_and_missing_days(referred):
    world = referred
    plan = _plan(world)
    assert plan["end_date"] == "2026-02-22"
    client = api_client(world.users["rehab_specialist"])
    rx = client.get(f"/api/v1/rehab-plans/{plan['id']}/prescription?date=2026-01-14").json()
    assert (
        rx["day"],
        rx["phase"],
        rx["target_kg"],
        rx["sessions_per_day"],
        rx["pain_gate_nrs"],
    ) == (3, 1, 40.0, 3, 5)
    url = f"/api/v1/rehab-plans/{plan['id']}/logs"
    ok = post(
        client,
        url,
        {
            "date": "2026-01-14",
            "applied_kg": 38,
            "pain_nrs": 2,
            "walking_aid": "parallel_bars",
            "wear_hours": 1.5,
        },
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["flags"] == []
    # Days 3-10 are a ramp "up to 50 % BW": a low load there is not under-loading.
    low = post(client, url, {"date": "2026-01-15", "applied_kg": 20, "pain_nrs": 3})
    assert (low.json()["flags"], low.json()["prescribed_kg"]) == ([], 40.0)
    sore = post(client, url, {"date": "2026-01-17", "applied_kg": 40, "pain_nrs": 6})
    assert sore.json()["flags"] == ["pain_over_gate"]
    early = post(client, url, {"date": "2026-01-12", "applied_kg": 10, "pain_nrs": 0})
    assert early.json()["flags"] == ["over_loading"]
    body = client.get(f"/api/v1/rehab-plans/{plan['id']}").json()
    assert body["missing_log"] == ["2026-01-16", "2026-01-18", "2026-01-19"]
    logs = client.get(f"{url}?from=2026-01-14&to=2026-01-15").json()
    assert [g["date"] for g in logs] == ["2026-01-14", "2026-01-15"]


@time_machine.travel(dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC))
def test_the_clinics_under_loading_share_applies(referred):
    world = referred
    set_rehab_setting(
        actor=world.users["clinic_admin"], key="rehab_under_loading_percent", value=50
    )
    plan = _plan(world)
    response = post(
        api_client(world.users["rehab_specialist"]),
        f"/api/v1/rehab-plans/{plan['id']}/logs",
        {"date": "2026-01-15", "applied_kg": 21, "pain_nrs": 1},
    )
    assert response.json()["flags"] == []


@time_machine.travel(dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC))
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2026-01-21", "applied_kg": 10, "pain_nrs": 1}, "date"),
        ({"date": "2026-01-11", "applied_kg": 10, "pain_nrs": 1}, "date"),
        ({"date": "2026-01-15", "applied_kg": -1, "pain_nrs": 1}, "applied_kg"),
        ({"date": "2026-01-15", "applied_kg": 10, "pain_nrs": 11}, "pain_nrs"),
        (
            {"date": "2026-01-15", "applied_kg": 10, "pain_nrs": 1, "walking_aid": "wheelchair"},
            "walking_aid",
        ),
        ({"date": "2026-01-15", "applied_kg": 10, "pain_nrs": 1, "wear_hours": 25}, "wear_hours"),
        ({"date": "15/01/2026", "applied_kg": 10, "pain_nrs": 1}, "date"),
        ({"applied_kg": 10, "pain_nrs": 1}, "date"),
    ],
)
def test_a_malformed_log_is_refused_and_nothing_saved(referred, body, field):
    plan = _plan(referred)
    response = post(
        api_client(referred.users["rehab_specialist"]),
        f"/api/v1/rehab-plans/{plan['id']}/logs",
        body,
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}
    assert LoadLog.objects.count() == 0


@time_machine.travel(dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC))
def test_the_same_day_cannot_be_logged_twice(referred):
    plan = _plan(referred)
    client = api_client(referred.users["rehab_specialist"])
    url = f"/api/v1/rehab-plans/{plan['id']}/logs"
    assert (
        post(client, url, {"date": "2026-01-15", "applied_kg": 30, "pain_nrs": 1}).status_code
        == 201
    )
    again = post(client, url, {"date": "2026-01-15", "applied_kg": 31, "pain_nrs": 1})
    assert again.status_code == 409
    assert (again.json()["detail"], again.json()["missing"]) == (
        "15 Jan 2026 is already logged for this plan.",
        [],
    )
    assert LoadLog.objects.count() == 1


@time_machine.travel(dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC))
def test_the_patient_logs_their_own_day_but_cannot_make_a_plan(referred):
    plan = _plan(referred)
    patient = api_client(referred.users["patient"])
    ok = post(
        patient,
        f"/api/v1/rehab-plans/{plan['id']}/logs",
        {"date": "2026-01-16", "applied_kg": 39, "pain_nrs": 2},
    )
    assert ok.status_code == 201
    denied = post(
        patient,
        f"/api/v1/patients/{referred.patient.uuid}/rehab-plans",
        {"protocol": str(protocol().uuid), "start_date": "2026-01-12", "body_weight_kg": 80},
    )
    assert denied.status_code == 403
    assert RehabPlan.objects.count() == 1


def test_a_bad_protocol_or_weight_is_refused(referred):
    client = api_client(referred.users["rehab_specialist"])
    url = f"/api/v1/patients/{referred.patient.uuid}/rehab-plans"
    bad = post(
        client,
        url,
        {
            "protocol": "00000000-0000-0000-0000-000000000000",
            "start_date": "2026-01-12",
            "body_weight_kg": 80,
        },
    )
    assert bad.status_code == 422
    heavy = post(
        client,
        url,
        {"protocol": str(protocol().uuid), "start_date": "2026-01-12", "body_weight_kg": 900},
    )
    assert heavy.status_code == 422
    assert RehabPlan.objects.count() == 0


def test_a_clinic_copies_the_slow_programme_and_completes_weeks_6_to_12(world):
    admin = api_client(world.users["clinic_admin"])
    slow = protocol(SLOW)
    reference_edit = admin.put(
        f"/api/v1/protocols/{slow.uuid}",
        '{"name": "x", "phases": [{"start_day": 1, "end_day": 2}]}',
        content_type="application/json",
    )
    assert reference_edit.status_code == 403
    copy = post(admin, f"/api/v1/protocols/{slow.uuid}/copy").json()
    assert copy["validated"] is False and copy["reference"] is False
    phases = copy["phases"]
    phases[1].update(
        {
            "target_percent_body_weight": 100,
            "sessions_per_day": 3,
            "minutes_per_session": 30,
            "pain_gate_nrs": 5,
            "validated": True,
        }
    )
    updated = admin.put(
        f"/api/v1/protocols/{copy['id']}",
        __import__("json").dumps(
            {"name": "Slow, our clinic", "source": "Clinic protocol v2", "phases": phases}
        ),
        content_type="application/json",
    )
    assert updated.status_code == 200, updated.content
    assert updated.json()["validated"] is True
    overlapping = admin.put(
        f"/api/v1/protocols/{copy['id']}",
        __import__("json").dumps(
            {
                "name": "Bad",
                "phases": [
                    {"start_day": 1, "end_day": 10, "target_kg": 20},
                    {"start_day": 5, "end_day": 20, "target_kg": 30},
                ],
            }
        ),
        content_type="application/json",
    )
    assert overlapping.status_code == 422
    assert (
        api_client(world.users["outsider"]).get(f"/api/v1/protocols/{copy['id']}").status_code
        == 404
    )


@time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC))
def test_function_tests_are_coded_and_checked(referred):
    client = api_client(referred.users["rehab_specialist"])
    url = f"/api/v1/patients/{referred.patient.uuid}/function-tests"
    walk = post(
        client, url, {"kind": "six_minute_walk", "performed_on": "2026-02-20", "value": 272}
    )
    assert walk.status_code == 201
    assert walk.json()["code"] == {
        "system": "http://loinc.org",
        "code": "64098-7",
        "display": "Walking distance 6 minutes",
    }
    tug = post(client, url, {"kind": "timed_up_and_go", "performed_on": "2026-02-20", "value": 12})
    assert tug.json()["code"]["system"].startswith("https://osseo.example/")
    assert (
        post(client, url, {"kind": "k_level", "performed_on": "2026-02-20", "value": 7}).status_code
        == 422
    )
    assert (
        post(
            client, url, {"kind": "wear_hours", "performed_on": "2026-03-05", "value": 7}
        ).status_code
        == 422
    )
    assert [t["kind"] for t in client.get(url).json()] == ["six_minute_walk", "timed_up_and_go"]
