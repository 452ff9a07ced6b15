"""Connector parts, activity imports, recordings, policies and the due list over the API."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field as NinjaField
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from osseo.accounts.permissions import has_permission
from osseo.audit.services import record
from osseo.contract import etag_of
from osseo.patients.queries import get_patient_for, record_list_read
from osseo.patients.schemas import IsoDate
from osseo.plausible import BodyError, read_json
from osseo.problem import IfMatch, edit_errors, errors, write_errors
from osseo.surgery.models import CONNECTOR_KINDS

from . import actions
from .models import ServicePolicy
from .queries import (
    activity_days,
    connector_history,
    due_parts,
    get_part_for,
    get_recording_for,
    maintenance_of,
    recordings_of,
)
from .recordings import submit_recording
from .requeue import retry_recording
from .schemas import (
    DayOut,
    DuePage,
    ImportOut,
    MaintenanceIn,
    MaintenanceOut,
    PartOut,
    PolicyIn,
    PolicyOut,
    RecordingIn,
    RecordingOut,
    ReplacementIn,
    WeightIn,
    WeightOut,
)
from .stepsfile import StepsFileError, check_days, parse_steps_csv

router = Router(tags=["connectors"])
MAX_STEPS_BYTES = 10 * 1024 * 1024


def _user(request: HttpRequest) -> Any:
    return request.user


class RangeParams(Schema):
    start: IsoDate | None = NinjaField(None, alias="from", description="first day (YYYY-MM-DD)")
    end: IsoDate | None = NinjaField(None, alias="to", description="last day (YYYY-MM-DD)")


@router.get(
    "/patients/{patient_id}/activity/daily",
    response={200: list[DayOut], **errors(403, 404)},
    operation_id="list_daily_steps",
)
def list_daily_steps(
    request: HttpRequest, patient_id: uuid.UUID, params: Query[RangeParams]
) -> Any:
    """The patient's daily step counts for the range asked (whole: a date-ranged series)."""
    patient = get_patient_for(_user(request), patient_id)
    if params.start and params.end and params.start > params.end:
        raise ValidationError({"from": ["The first day is after the last."]})
    return list(activity_days(patient, params.start, params.end))


DAYS_BODY = {
    "requestBody": {
        "required": True,
        "description": "JSON days, or a CSV file with a date,steps header (text/csv body or a "
        "multipart `file`). All or nothing: any bad day refuses the whole import.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["days"],
                    "properties": {
                        "days": {
                            "type": "array",
                            "maxItems": 40000,
                            "items": {
                                "type": "object",
                                "required": ["date", "steps"],
                                "properties": {
                                    "date": {"type": "string", "format": "date"},
                                    "steps": {"type": "integer", "minimum": 0},
                                },
                            },
                        }
                    },
                }
            },
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        },
    }
}


def days_from_request(request: HttpRequest, patient: Any = None) -> tuple[dict[dt.date, int], str]:
    """The days sent (JSON, CSV body or file), each bad one named; with `patient`, days outside
    their window are named too (stepsfile.check_days)."""
    today = timezone.localdate()
    content_type = (request.content_type or "").lower()
    if content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["Send the CSV file as the multipart field 'file'."]})
        if (upload.size or 0) > MAX_STEPS_BYTES:
            raise ValidationError({"file": ["The file is larger than 10 MB."]})
        data, source = upload.read(), str(upload.name or "upload")[:100]
    elif content_type in ("text/csv", "text/plain", "application/octet-stream"):
        data, source = request.body, "api"
    elif content_type in ("application/json", ""):
        try:
            body = read_json(request.body or b"null")
        except BodyError as exc:
            raise ValidationError({"body": [str(exc)]}) from exc
        if not isinstance(body, dict) or not isinstance(body.get("days"), list):
            raise ValidationError({"days": ['Send {"days": [{"date": ..., "steps": ...}]}.']})
        if len(body["days"]) > 40000:
            raise ValidationError({"days": ["At most 40000 days at once."]})
        rows = [
            (
                f"days[{i}]",
                (d.get("date") if isinstance(d, dict) else None) or "",
                d.get("steps") if isinstance(d, dict) else None,
            )
            for i, d in enumerate(body["days"])
        ]
        days, problems = check_days(rows, today, patient=patient)
        if problems:
            raise ValidationError({"days": problems.summary()})
        if not days:
            raise ValidationError({"days": ["There are no days to import."]})
        return days, "api"
    else:
        raise ValidationError(
            {"body": ["Send JSON, a text/csv body or a multipart/form-data file."]}
        )
    try:
        return parse_steps_csv(data, today=today, patient=patient), source
    except StepsFileError as exc:
        raise ValidationError({"file": exc.problems}) from exc


@router.post(
    "/patients/{patient_id}/activity/daily",
    response={200: ImportOut, **write_errors()},
    operation_id="import_daily_steps",
    openapi_extra=DAYS_BODY,
)
def import_daily_steps(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    """Import daily step counts: idempotent (the same days again add nothing) and all or
    nothing (any bad line or day refuses the whole import, each named)."""
    patient = get_patient_for(
        _user(request), patient_id, permission="activity.import", audit_read=False
    )
    days, source = days_from_request(request, patient)
    summary = actions.import_daily_steps(
        actor=_user(request), patient=patient, days=days, source=source
    )
    return summary.as_dict()


@router.post(
    "/patients/{patient_id}/body-weight",
    response={201: WeightOut, **write_errors()},
    operation_id="record_body_weight",
)
def record_body_weight(request: HttpRequest, patient_id: uuid.UUID, payload: WeightIn) -> Any:
    """A body weight (LOINC 29463-7), used to turn steps into load cycles."""
    patient = get_patient_for(
        _user(request), patient_id, permission="activity.import", audit_read=False
    )
    weight = actions.record_body_weight(
        actor=_user(request),
        patient=patient,
        measured_on=payload.measured_on,
        weight_kg=payload.weight_kg,
    )
    return Status(201, weight)


@router.get(
    "/patients/{patient_id}/connectors",
    response={200: list[PartOut], **errors(403, 404)},
    operation_id="list_connector_parts",
)
def list_connector_parts(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    """Every connector part the patient has worn (history), with each part's forecast."""
    patient = get_patient_for(_user(request), patient_id)
    parts = connector_history(patient)
    for part in parts:
        part.forecast = getattr(part, "forecast", None) if part.status == "in_place" else None
    return parts


@router.post(
    "/devices/{device_id}/replacement",
    response={201: PartOut, **write_errors()},
    operation_id="replace_connector_part",
)
def replace_connector_part(
    request: HttpRequest, device_id: uuid.UUID, payload: ReplacementIn
) -> Any:
    """Remove a connector part and fit its successor (scanned GS1 data or typed) in one step."""
    device = get_part_for(_user(request), device_id, permission="connector.replace")
    new = actions.replace_part(
        actor=_user(request),
        device=device,
        replaced_on=payload.replaced_on,
        reason=payload.reason,
        data=payload.dict(),
        confirm_expired=payload.confirm_expired,
    )
    return Status(201, connector_part(new.pk))


@router.post(
    "/patients/{patient_id}/maintenance",
    response={201: MaintenanceOut, **write_errors()},
    operation_id="record_maintenance",
)
def record_maintenance(request: HttpRequest, patient_id: uuid.UUID, payload: MaintenanceIn) -> Any:
    """An inspection, cleaning, torque check, the prosthesis components fitted, or a fall or
    overload event on one of the patient's limbs. A fall or overload asks for an inspection of
    that limb's parts (the due list shows it) until an inspection in order clears it."""
    user = _user(request)
    patient = get_patient_for(user, patient_id, permission="connector.replace", audit_read=False)
    limb = patient.limbs.filter(uuid=payload.limb).first()
    if limb is None:
        raise ValidationError({"limb": ["Choose one of this patient's limbs."]})
    device = None
    if payload.device is not None:
        device = patient.devices.filter(uuid=payload.device).first()
        if device is None:
            raise ValidationError({"device": ["Choose a connector part of this limb."]})
    data = payload.dict(exclude={"limb", "device"})
    entry = actions.record_maintenance(actor=user, limb=limb, data={**data, "device": device})
    return Status(201, entry)


@router.get(
    "/patients/{patient_id}/maintenance",
    response={200: list[MaintenanceOut], **errors(403, 404)},
    operation_id="list_maintenance",
)
def list_maintenance(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    """The patient's connector maintenance records and events, newest first."""
    patient = get_patient_for(_user(request), patient_id)
    return list(maintenance_of(patient))


def connector_part(pk: int) -> Any:
    from osseo.surgery.models import Device

    return Device.objects.select_related("patient", "limb", "replaced_by", "forecast").get(pk=pk)


def _limb_of(patient: Any, limb_id: uuid.UUID | None) -> Any:
    if limb_id is None:
        return None
    limb = patient.limbs.filter(uuid=limb_id).first()
    if limb is None:
        raise ValidationError({"limb": ["Choose one of this patient's limbs."]})
    return limb


@router.post(
    "/patients/{patient_id}/recordings",
    response={200: RecordingOut, 202: RecordingOut, **write_errors()},
    operation_id="submit_load_recording",
)
def submit_load_recording(
    request: HttpRequest,
    patient_id: uuid.UUID,
    data: Form[RecordingIn],
    file: File[UploadedFile],
) -> Any:
    """Upload a load-cell recording (CSV or Parquet). It is checked, stored and queued (202);
    `osseo worker` counts it. The same file again returns the recording already held (200).
    409 while the clinic has no service policy to count it with."""
    patient = get_patient_for(
        _user(request), patient_id, permission="activity.import", audit_read=False
    )
    recording, created = submit_recording(
        actor=_user(request),
        patient=patient,
        upload=file,
        recorded_on=data.recorded_on,
        channel=data.channel,
        rate_hz=data.rate_hz,
        unit=data.unit,
        steps_during=data.steps_during,
        limb=_limb_of(patient, data.limb),
    )
    recording = recordings_of(patient).get(pk=recording.pk)
    return Status(202 if created else 200, recording)


@router.get(
    "/patients/{patient_id}/recordings",
    response={200: list[RecordingOut], **errors(403, 404)},
    operation_id="list_load_recordings",
)
def list_load_recordings(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    patient = get_patient_for(_user(request), patient_id)
    return list(recordings_of(patient).select_related("patient"))


@router.get(
    "/recordings/{recording_id}",
    response={200: RecordingOut, **errors(403, 404)},
    operation_id="get_load_recording",
)
def get_load_recording(request: HttpRequest, recording_id: uuid.UUID) -> Any:
    """A recording's status and progress while queued or running; its results when done."""
    recording = get_recording_for(_user(request), recording_id)
    record(
        "patients.patient.viewed", actor=_user(request), patient=recording.patient, obj=recording
    )
    return recordings_of(recording.patient).select_related("patient").get(pk=recording.pk)


@router.post(
    "/recordings/{recording_id}/retry",
    response={202: RecordingOut, **write_errors()},
    operation_id="retry_load_recording",
)
def retry_load_recording(request: HttpRequest, recording_id: uuid.UUID) -> Any:
    """Queue a failed or stale recording again (stale: queued or processing with no progress
    for OSSEO_RECORDING_STALE_MINUTES, the worker that had it having stopped). 409 when it is
    processed, refused, waiting in the queue, or showing fresh progress."""
    recording = get_recording_for(_user(request), recording_id, permission="activity.import")
    retry_recording(actor=_user(request), recording=recording)
    return Status(
        202, recordings_of(recording.patient).select_related("patient").get(pk=recording.pk)
    )


class DueParams(Schema):
    within_days: int = NinjaField(30, ge=0, le=3650)
    limit: int = NinjaField(100, ge=1, le=500)
    offset: int = NinjaField(0, ge=0, le=1_000_000)


@router.get(
    "/connectors/due", response={200: DuePage, **errors(403)}, operation_id="list_parts_due"
)
def list_parts_due(request: HttpRequest, params: Query[DueParams]) -> Any:
    """Connector parts due within `within_days` days, or overdue, among the patients I see."""
    user = _user(request)
    if not has_permission(user, "connectors.due_list"):
        raise PermissionDenied("Your role may not read the due list.")
    today = timezone.localdate()
    qs = due_parts(user, within_days=params.within_days, today=today)
    items = list(qs[params.offset : params.offset + params.limit])
    for f in items:
        f.overdue = f.due_on is not None and f.due_on < today  # type: ignore[attr-defined]
    record_list_read(
        user,
        sorted({str(f.device.patient.uuid) for f in items}),
        connectors_due=params.within_days,
    )
    return {"items": items, "count": qs.count()}


def _policy_reader(request: HttpRequest) -> Any:
    user = _user(request)
    if user.membership.role == "patient" or not has_permission(user, "patient.view"):
        raise PermissionDenied
    return user


@router.get(
    "/connectors/policies",
    response={200: list[PolicyOut], **errors(403)},
    operation_id="list_service_policies",
)
def list_service_policies(request: HttpRequest) -> Any:
    """The clinic's service policies per part kind (each "not validated" until validated)."""
    user = _policy_reader(request)
    return list(
        ServicePolicy.objects.filter(organisation=user.membership.organisation).select_related(
            "set_by"
        )
    )


@router.get(
    "/connectors/policies/{kind}",
    response={200: PolicyOut, **errors(403, 404)},
    operation_id="get_service_policy",
)
def get_service_policy(request: HttpRequest, kind: str, response: HttpResponse) -> Any:
    """The clinic's policy for one kind of connector part, with its version as the ETag (send it
    back as If-Match to change it); 404 while none is set."""
    user = _policy_reader(request)
    policy = (
        ServicePolicy.objects.filter(organisation=user.membership.organisation, kind=kind)
        .select_related("set_by")
        .first()
    )
    if policy is None:
        raise Http404("No policy is set for this kind of part.")
    response["ETag"] = etag_of(policy)
    return policy


@router.put(
    "/connectors/policies/{kind}",
    response={200: PolicyOut, **edit_errors()},
    operation_id="set_service_policy",
)
def set_service_policy(
    request: HttpRequest,
    kind: str,
    payload: PolicyIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Set the clinic's policy for one kind of connector part (clinic admins): every value, as
    sent. With If-Match, a policy changed since you read it is refused (412) and left as it is;
    If-Match on a kind with no policy yet is refused too."""
    if kind not in CONNECTOR_KINDS:
        raise Http404("No such kind of connector part.")
    values = payload.dict()
    source, validated = values.pop("source"), values.pop("validated")
    policy = actions.set_service_policy(
        actor=_user(request),
        kind=kind,
        values=values,
        source=source,
        validated=validated,
        if_match=if_match,
    )
    response["ETag"] = etag_of(policy)
    return policy
