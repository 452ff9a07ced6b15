"""Every clinical date the API takes falls in its window (osseo/plausible.py): not before the
events the record follows, an event not after today, a planned date not more than the clinic's
years ahead, never near the calendar's end. Outside it: 422 naming the field and the bound, and
nothing is saved."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from osseo.audit.models import AuditEntry
from osseo.complications.actions import record_event
from osseo.rehab.actions import create_plan as create_rehab_plan
from osseo.rehab.reference import ensure_reference_protocols
from osseo.surgery.models import Device
from tests.conftest import api_client
from tests.connectors.conftest import WALK, policy
from tests.rehab.conftest import STANDARD, operate, protocol

TOO_EARLY = ["0001-01-01", "1800-06-01"]
TOO_LATE = ["9999-12-31"]


def _today() -> dt.date:
    return timezone.localdate()


@dataclass
class Row:
    """One date field: who sends it where, and the body around it."""

    name: str
    field: str
    role: str
    url: Any  # (world) -> str
    body: Any  # (world, value) -> dict
    early: str  # words of the refusal of a date too early
    late: str  # words of the refusal of a date too late
    multipart: bool = False


def _patient(w):
    return f"/api/v1/patients/{w.patient.uuid}"


def _episode(w):
    return f"/api/v1/episodes/{w.episode.uuid}"


BIRTH = "before the date of birth (17 May 1980)"
AMPUTATION = "before the amputation (2 Mar 2015)"
AFTER_TODAY = "after today"
AHEAD = "years ahead"


ROWS = [
    Row(
        "patient.birth_date",
        "birth_date",
        "coordinator",
        lambda w: "/api/v1/patients",
        lambda w, v: {"given_name": "A", "family_name": "B", "birth_date": v, "sex": "male"},
        "more than 120 years ago",
        "cannot be in the future",
    ),
    Row(
        "limb.amputation_date",
        "amputation_date",
        "coordinator",
        lambda w: f"{_patient(w)}/limbs",
        lambda w, v: {"site": "humerus", "side": "right", "amputation_date": v, "cause": "trauma"},
        BIRTH,
        "cannot be in the future",
    ),
    Row(
        "assessment.assessed_on",
        "assessed_on",
        "surgeon",
        lambda w: f"{_episode(w)}/assessments",
        lambda w, v: {
            "assessed_on": v,
            "participants": [
                {"user": str(w.users["surgeon"].uuid), "discipline": "surgeon"},
                {"name": "R. Physician", "discipline": "rehabilitation_physician"},
                {"user": str(w.users["prosthetist"].uuid), "discipline": "prosthetist"},
            ],
            "decided_by": str(w.users["surgeon"].uuid),
            "decision": "eligible",
        },
        BIRTH,
        AFTER_TODAY,
    ),
    Row(
        "plan.planned_date",
        "planned_date",
        "surgeon",
        lambda w: f"{_episode(w)}/plans",
        lambda w, v: {"anaesthesia": "general", "planned_date": v},
        BIRTH,
        AHEAD,
    ),
    Row(
        "procedure.performed_on",
        "performed_on",
        "surgeon",
        lambda w: f"{_episode(w)}/procedures",
        lambda w, v: {"kind": "revision", "performed_on": v},
        BIRTH,
        AFTER_TODAY,
    ),
    Row(
        "device.expiry",
        "expiry",
        "surgeon",
        lambda w: f"/api/v1/procedures/{w.procedure.uuid}/devices",
        lambda w, v: {"kind": "abutment", "gtin": "09506000134352", "lot": "L", "expiry": v},
        "more than 130 years ago",
        AHEAD,
    ),
    Row(
        "device.production_date",
        "production_date",
        "surgeon",
        lambda w: f"/api/v1/procedures/{w.procedure.uuid}/devices",
        lambda w, v: {"kind": "abutment", "gtin": "09506000134352", "production_date": v},
        "more than 130 years ago",
        AFTER_TODAY,
    ),
    Row(
        "device.removed_on",
        "removed_on",
        "surgeon",
        lambda w: f"/api/v1/devices/{w.implant.uuid}/removal",
        lambda w, v: {"removed_on": v, "reason": "infection"},
        BIRTH,
        AFTER_TODAY,
    ),
    Row(
        "connector.replaced_on",
        "replaced_on",
        "prosthetist",
        lambda w: f"/api/v1/devices/{w.dualcone.uuid}/replacement",
        lambda w, v: {"replaced_on": v, "reason": "wear", "gtin": "04012345000009", "lot": "N"},
        BIRTH,
        AFTER_TODAY,
    ),
    Row(
        "body_weight.measured_on",
        "measured_on",
        "prosthetist",
        lambda w: f"{_patient(w)}/body-weight",
        lambda w, v: {"measured_on": v, "weight_kg": 80},
        BIRTH,
        AFTER_TODAY,
    ),
    Row(
        "activity.date",
        "days",
        "prosthetist",
        lambda w: f"{_patient(w)}/activity/daily",
        lambda w, v: {"days": [{"date": v, "steps": 4000}]},
        "",
        "",
    ),
    Row(
        "recording.recorded_on",
        "recorded_on",
        "prosthetist",
        lambda w: f"{_patient(w)}/recordings",
        lambda w, v: {"recorded_on": v},
        BIRTH,
        AFTER_TODAY,
        multipart=True,
    ),
    Row(
        "adverse_event.onset_on",
        "onset_on",
        "surgeon",
        lambda w: f"{_patient(w)}/adverse-events",
        lambda w, v: {"limb": str(w.limb.uuid), "kind": "infection_soft_tissue", "onset_on": v},
        BIRTH,
        AFTER_TODAY,
    ),
    Row(
        "adverse_event.resolved_on",
        "resolved_on",
        "surgeon",
        lambda w: f"{_patient(w)}/adverse-events",
        lambda w, v: {
            "limb": str(w.limb.uuid),
            "kind": "infection_soft_tissue",
            "onset_on": str(_today() - dt.timedelta(days=3)),
            "outcome": "resolved",
            "resolved_on": v,
        },
        BIRTH,
        AFTER_TODAY,
    ),
    Row(
        "treatment.started_on",
        "started_on",
        "surgeon",
        lambda w: f"/api/v1/adverse-events/{w.event.uuid}/treatments",
        lambda w, v: {"kind": "oral_antibiotics", "started_on": v},
        BIRTH,
        AFTER_TODAY,
    ),
    Row(
        "treatment.ended_on",
        "ended_on",
        "surgeon",
        lambda w: f"/api/v1/adverse-events/{w.event.uuid}/treatments",
        lambda w, v: {"kind": "oral_antibiotics", "started_on": str(_today()), "ended_on": v},
        BIRTH,
        AFTER_TODAY,
    ),
    Row(
        "death.died_on",
        "died_on",
        "surgeon",
        lambda w: f"{_patient(w)}/death",
        lambda w, v: {"died_on": v},
        BIRTH,
        AFTER_TODAY,
    ),
    Row(
        "questionnaire_response.authored_on",
        "authored_on",
        "prosthetist",
        lambda w: f"{_patient(w)}/questionnaire-responses",
        lambda w, v: {"questionnaire": "rand-36", "authored_on": v, "answers": {"1": 1}},
        BIRTH,
        AFTER_TODAY,
    ),
    Row(
        "rehab_plan.start_date",
        "start_date",
        "rehab_specialist",
        lambda w: f"{_patient(w)}/rehab-plans",
        lambda w, v: {
            "protocol": str(protocol(STANDARD).uuid),
            "start_date": v,
            "body_weight_kg": 80,
        },
        BIRTH,
        AHEAD,
    ),
    Row(
        "load_log.date",
        "date",
        "rehab_specialist",
        lambda w: f"/api/v1/rehab-plans/{w.rehab_plan.uuid}/logs",
        lambda w, v: {"date": v, "applied_kg": 20, "pain_nrs": 2},
        "The plan starts on",
        "before it happens",
    ),
    Row(
        "function_test.performed_on",
        "performed_on",
        "rehab_specialist",
        lambda w: f"{_patient(w)}/function-tests",
        lambda w, v: {"kind": "timed_up_and_go", "performed_on": v, "value": 12},
        BIRTH,
        "before it is done",
    ),
    Row(
        "follow_up.done_on",
        "done_on",
        "surgeon",
        lambda w: f"{_episode(w)}/follow-ups",
        lambda w, v: {"due_date": str(w.operated_on + dt.timedelta(days=91)), "done_on": v},
        BIRTH,
        "before it happens",
    ),
    Row(
        "follow_up.due_date",
        "due_date",
        "surgeon",
        lambda w: f"{_episode(w)}/follow-ups",
        lambda w, v: {"due_date": v, "done_on": str(_today())},
        "more than 130 years ago",
        AHEAD,
    ),
    Row(
        "appointment.visit_due",
        "visit_due",
        "coordinator",
        lambda w: f"{_patient(w)}/appointments",
        lambda w, v: {
            "kind": "follow_up",
            "starts_at": f"{_today() + dt.timedelta(days=5)}T10:00:00+00:00",
            "place": "Outpatients",
            "clinician": str(w.users["surgeon"].uuid),
            "episode": str(w.episode.uuid),
            "visit_due": v,
        },
        "more than 130 years ago",
        AHEAD,
    ),
]


@pytest.fixture
def clinic_record(world):
    """The world's patient operated on 300 days ago (an implant and a dualcone placed), in
    rehabilitation with a partner's plan, with one adverse event."""
    ensure_reference_protocols()
    world.operated_on = _today() - dt.timedelta(days=300)
    world.procedure = operate(world, world.operated_on)
    devices = Device.objects.filter(placed_by=world.procedure)
    world.implant = devices.get(kind="implant")
    world.dualcone = devices.get(kind="dualcone")
    api_client(world.users["coordinator"]).post(
        f"{_patient(world)}/referrals",
        json.dumps({"organisation": str(world.rehab.uuid)}),
        content_type="application/json",
    )
    world.rehab_plan = create_rehab_plan(
        actor=world.users["rehab_specialist"],
        patient=world.patient,
        protocol=protocol(STANDARD),
        start_date=world.operated_on + dt.timedelta(days=7),
        body_weight_kg=80,
    )
    world.event = record_event(
        actor=world.users["surgeon"],
        patient=world.patient,
        data={
            "limb": world.limb,
            "kind": "infection_soft_tissue",
            "onset_on": _today() - dt.timedelta(days=10),
        },
    )
    policy(world)
    return world


def _send(client, world, row: Row, value: str):
    if row.multipart:
        with WALK.open("rb") as f:
            return client.post(row.url(world), {**row.body(world, value), "file": f})
    return client.post(
        row.url(world), json.dumps(row.body(world, value)), content_type="application/json"
    )


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
@pytest.mark.parametrize("when", ["early", "late"])
def test_a_date_outside_its_window_is_a_422_naming_the_bound_and_nothing_is_saved(
    clinic_record, row, when
):
    client = api_client(clinic_record.users[row.role])  # issuing the token is audited
    before = AuditEntry.objects.count()
    for value in TOO_EARLY if when == "early" else TOO_LATE:
        response = _send(client, clinic_record, row, value)
        assert response.status_code == 422, (value, response.content)
        assert response["Content-Type"] == "application/problem+json"
        errors = response.json()["errors"]
        messages = [e["message"] for e in errors if e["field"].startswith(row.field)]
        assert messages, (value, errors)
        words = row.early if when == "early" else row.late
        assert any(words in m for m in messages), (value, messages)
    assert AuditEntry.objects.count() == before


def test_a_planned_date_beyond_the_clinics_years_ahead_names_the_setting(clinic_record):
    from osseo.accounts.actions import set_clinic_setting

    set_clinic_setting(actor=clinic_record.users["clinic_admin"], key="date_years_ahead", value=1)
    row = next(r for r in ROWS if r.name == "rehab_plan.start_date")
    today = _today()
    inside = today.replace(year=today.year + 1) - dt.timedelta(days=1)
    outside = inside + dt.timedelta(days=2)
    client = api_client(clinic_record.users[row.role])
    refused = _send(client, clinic_record, row, str(outside))
    assert refused.status_code == 422
    (message,) = [e["message"] for e in refused.json()["errors"] if e["field"] == "start_date"]
    assert message.startswith("The date cannot be more than 1 years ahead (after ")
    assert message.endswith("the clinic's setting for planned dates.")
    assert _send(client, clinic_record, row, str(inside)).status_code == 201


def test_every_date_field_the_api_takes_is_in_the_table():
    """A date field added to an input schema without a row here fails this test."""
    from ninja.params.models import BodyModel, FormModel

    from tests.api.documented import operations

    fields = set()
    for operation in operations():
        for holder in operation.models:
            if issubclass(holder, BodyModel | FormModel):
                for field in holder.model_fields.values():
                    fields |= _date_fields(field.annotation)
    covered = {r.name.split(".")[1] for r in ROWS}
    # The plan preview stores nothing; schemathesis sends it absurd dates (never a 5xx).
    assert fields - covered == {"previous_stage"}


def _date_fields(annotation: Any) -> set[str]:
    import typing

    from pydantic import BaseModel

    found: set[str] = set()
    pending = [annotation]
    seen: set[Any] = set()
    while pending:
        item = pending.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            if item in seen:
                continue
            seen.add(item)
            for name, field in item.model_fields.items():
                if _is_date(field.annotation):
                    found.add(name)
                pending.append(field.annotation)
        pending.extend(typing.get_args(item))
    return found


def _is_date(annotation: Any) -> bool:
    import typing

    if annotation is dt.date:
        return True
    return any(_is_date(a) for a in typing.get_args(annotation))
