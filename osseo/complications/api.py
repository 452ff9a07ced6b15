"""Graded adverse events, their treatments, deaths and grading systems over the API."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field as NinjaField
from ninja import Query, Router, Schema, Status

from osseo.accounts.permissions import has_permission, require_permission
from osseo.audit.services import record
from osseo.contract import etag_of
from osseo.patients.models import Patient
from osseo.patients.queries import get_patient_for, record_list_read
from osseo.patients.schemas import IsoDate
from osseo.problem import IfMatch, edit_errors, errors, write_errors

from . import actions
from .models import AdverseEvent, Death, EventKind, Outcome
from .queries import (
    events_for,
    events_of,
    get_event_for,
    get_grading_system_for,
    grade_of,
    grading_systems_for,
)
from .schemas import (
    AdverseEventIn,
    AdverseEventOut,
    AdverseEventPage,
    AdverseEventPatch,
    DeathIn,
    DeathOut,
    GradingSystemIn,
    GradingSystemOut,
    TreatmentIn,
    TreatmentOut,
)

router = Router(tags=["complications"])


def _user(request: HttpRequest) -> Any:
    return request.user


def _one_of(qs: Any, key: uuid.UUID | None, field: str, what: str) -> Any:
    if key is None:
        return None
    found = qs.filter(uuid=key).first()
    if found is None:
        raise ValidationError({field: [f"No such {what} for this patient."]})
    return found


def _links(patient: Patient, payload: Any) -> dict[str, Any]:
    return {
        "limb": _one_of(patient.limbs.all(), payload.limb, "limb", "limb"),
        "episode": _one_of(patient.episodes.all(), payload.episode, "episode", "episode"),
        "procedure": _one_of(patient.procedures.all(), payload.procedure, "procedure", "operation"),
        "device": _one_of(patient.devices.all(), payload.device, "device", "device"),
    }


def _grading(user: Any, system_code: str | None, grade_code: str | None) -> dict[str, Any]:
    if not system_code:
        if grade_code:
            raise ValidationError({"grading_system": ["Name the grading system of the grade."]})
        return {"grading_system": None, "grade": None}
    system = get_grading_system_for(user, system_code)
    return {"grading_system": system, "grade": grade_of(system, grade_code) if grade_code else None}


def _out(event: AdverseEvent) -> AdverseEvent:
    return events_of(event.patient).get(pk=event.pk)


@router.get(
    "/grading-systems",
    response={200: list[GradingSystemOut], **errors(403)},
    operation_id="list_grading_systems",
)
def list_grading_systems(request: HttpRequest) -> Any:
    """The grading schemes in use: those shipped (with their sources) and the clinic's own."""
    if not has_permission(_user(request), "patient.view"):
        raise PermissionDenied
    return list(grading_systems_for(_user(request)))


@router.post(
    "/grading-systems",
    response={201: GradingSystemOut, **write_errors()},
    operation_id="add_grading_system",
)
def add_grading_system(request: HttpRequest, payload: GradingSystemIn) -> Any:
    """Add a scheme as data (clinic administrators), citing the publication of its wording."""
    system = actions.add_grading_system(actor=_user(request), data=payload.dict())
    return Status(201, system)


class EventParams(Schema):
    limit: int = NinjaField(50, ge=1, le=200)
    offset: int = NinjaField(0, ge=0, le=1_000_000)


class AllEventParams(EventParams):
    outcome: str = NinjaField("", max_length=30, description="e.g. ongoing")
    kind: str = NinjaField("", max_length=30)
    onset_from: IsoDate | None = None
    onset_to: IsoDate | None = None


@router.get(
    "/adverse-events",
    response={200: AdverseEventPage, **errors(403)},
    operation_id="list_all_adverse_events",
)
def list_all_events(request: HttpRequest, params: Query[AllEventParams]) -> Any:
    """Every complication of the patients the caller may see, the latest onset first, filtered
    by outcome, kind and onset dates (as the /complications/ screen). The patients named are an
    audited read."""
    user = _user(request)
    if user.membership.role == "patient":
        raise PermissionDenied("A patient reads their own record.")
    require_permission(user, "patient.view")
    problems: dict[str, list[str]] = {}
    if params.outcome and params.outcome not in Outcome.values:
        problems["outcome"] = [f"Choose one of: {', '.join(Outcome.values)}."]
    if params.kind and params.kind not in EventKind.values:
        problems["kind"] = [f"Choose one of: {', '.join(EventKind.values)}."]
    if params.onset_from and params.onset_to and params.onset_to < params.onset_from:
        problems["onset_to"] = ["The end cannot be before the start."]
    if problems:
        raise ValidationError(problems)
    qs = events_for(user, params.dict())
    items = list(qs[params.offset : params.offset + params.limit])
    record_list_read(user, sorted({str(e.patient.uuid) for e in items}), list="complications (API)")
    return {"items": items, "count": qs.count()}


@router.get(
    "/patients/{patient_id}/adverse-events",
    response={200: AdverseEventPage, **errors(403, 404)},
    operation_id="list_adverse_events",
)
def list_events(request: HttpRequest, patient_id: uuid.UUID, params: Query[EventParams]) -> Any:
    patient = get_patient_for(_user(request), patient_id)
    qs = events_of(patient)
    return {"items": list(qs[params.offset : params.offset + params.limit]), "count": qs.count()}


@router.post(
    "/patients/{patient_id}/adverse-events",
    response={201: AdverseEventOut, **write_errors()},
    operation_id="record_adverse_event",
)
def record_event(
    request: HttpRequest, patient_id: uuid.UUID, payload: AdverseEventIn, response: HttpResponse
) -> Any:
    user = _user(request)
    patient = get_patient_for(user, patient_id, permission="complication.record", audit_read=False)
    data = payload.dict()
    data.update(_links(patient, payload))
    data.update(_grading(user, payload.grading_system, payload.grade))
    event = actions.record_event(actor=user, patient=patient, data=data)
    response["ETag"] = etag_of(event)
    return Status(201, _out(event))


@router.get(
    "/adverse-events/{event_id}",
    response={200: AdverseEventOut, **errors(403, 404)},
    operation_id="get_adverse_event",
)
def get_event(request: HttpRequest, event_id: uuid.UUID, response: HttpResponse) -> Any:
    """The event with its grade and treatments; its `ETag` is the version a PATCH may name in
    `If-Match`."""
    event = get_event_for(_user(request), event_id)
    record("patients.patient.viewed", actor=_user(request), patient=event.patient, obj=event)
    response["ETag"] = etag_of(event)
    return _out(event)


@router.patch(
    "/adverse-events/{event_id}",
    response={200: AdverseEventOut, **edit_errors()},
    operation_id="update_adverse_event",
)
def update_event(
    request: HttpRequest,
    event_id: uuid.UUID,
    payload: AdverseEventPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Change the fields named in the body, over the current event: a colleague's change to
    another field is kept. With `If-Match`, a changed event is refused (412)."""
    user = _user(request)
    event = get_event_for(user, event_id, permission="complication.record")
    data = payload.dict(exclude_unset=True)
    if "grading_system" in data or "grade" in data:
        system = data.get(
            "grading_system", event.grading_system.code if event.grading_system else None
        )
        data.update(_grading(user, system, data.get("grade")))
    event = actions.update_event(actor=user, event=event, data=data, if_match=if_match)
    response["ETag"] = etag_of(event)
    return _out(event)


@router.post(
    "/adverse-events/{event_id}/treatments",
    response={201: TreatmentOut, **edit_errors()},
    operation_id="record_treatment",
)
def record_treatment(
    request: HttpRequest, event_id: uuid.UUID, payload: TreatmentIn, if_match: IfMatch = None
) -> Any:
    """How the event was treated. An operation links (or starts) a surgery procedure record.
    The event's version rises (it lists its treatments); `If-Match` names the version the
    treatment was decided on."""
    user = _user(request)
    event = get_event_for(user, event_id, permission="complication.record")
    patient = event.patient
    procedure = _one_of(patient.procedures.all(), payload.procedure, "procedure", "operation")
    devices = [
        _one_of(patient.devices.all(), key, "removed_devices", "device")
        for key in payload.removed_devices
    ]
    treatment = actions.record_treatment(
        actor=user,
        event=event,
        data=payload.dict(exclude={"procedure", "removed_devices"}),
        procedure=procedure,
        removed_devices=devices,
        if_match=if_match,
    )
    return Status(201, treatment)


@router.post(
    "/patients/{patient_id}/death",
    response={201: DeathOut, **write_errors()},
    operation_id="record_death",
)
def record_death(request: HttpRequest, patient_id: uuid.UUID, payload: DeathIn) -> Any:
    """Record the date of death; the patient's open episodes are closed with that reason."""
    user = _user(request)
    patient = get_patient_for(user, patient_id, permission="death.record", audit_read=False)
    related = _one_of(
        patient.adverse_events.all(), payload.related_event, "related_event", "complication"
    )
    death = actions.record_death(
        actor=user,
        patient=patient,
        died_on=payload.died_on,
        cause=payload.cause,
        related_event=related,
    )
    return Status(201, death)


@router.get(
    "/patients/{patient_id}/death",
    response={200: DeathOut, **errors(403, 404)},
    operation_id="get_death",
)
def get_death(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    patient = get_patient_for(_user(request), patient_id)
    death = Death.objects.filter(patient=patient).select_related("patient", "related_event").first()
    if death is None:
        from django.http import Http404

        raise Http404("No death is recorded for this patient.")
    return death
