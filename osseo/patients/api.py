"""Patients and limbs over the API; the same actions and getters as the screens."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import Field as NinjaField
from ninja import Query, Router, Schema, Status

from osseo.accounts.permissions import has_permission
from osseo.contract import etag_of
from osseo.problem import IfMatch, edit_errors, errors

from . import actions
from .queries import get_patient_for, patient_detail, record_list_read, search_patients
from .schemas import (
    LimbIn,
    LimbOut,
    PatientDetail,
    PatientIn,
    PatientOut,
    PatientPage,
    PatientPatch,
)

router = Router(tags=["patients"])


class ListParams(Schema):
    search: str = NinjaField("", max_length=100, description="name, record number or NHS number")
    limit: int = NinjaField(25, ge=1, le=100)
    offset: int = NinjaField(0, ge=0, le=1_000_000)


@router.get("/patients", response={200: PatientPage, **errors(403)}, operation_id="list_patients")
def list_patients(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    user = request.user
    if not has_permission(user, "patient.view"):  # type: ignore[arg-type]
        raise PermissionDenied("Your role may not read patients.")
    qs = search_patients(user, params.search)  # type: ignore[arg-type]
    count = qs.count()
    items = list(qs[params.offset : params.offset + params.limit])
    record_list_read(user, (str(p.uuid) for p in items), search=params.search)  # type: ignore[arg-type]
    return {"items": items, "count": count}


@router.post("/patients", response={201: PatientOut, **errors(403)}, operation_id="create_patient")
def create_patient(request: HttpRequest, payload: PatientIn) -> Status[Any]:
    patient = actions.create_patient(actor=request.user, data=payload.dict())  # type: ignore[arg-type]
    return Status(201, patient)


@router.get(
    "/patients/{patient_id}",
    response={200: PatientDetail, **errors(403, 404)},
    operation_id="get_patient",
)
def get_patient(request: HttpRequest, patient_id: uuid.UUID, response: HttpResponse) -> Any:
    patient = get_patient_for(request.user, patient_id)  # type: ignore[arg-type]
    response["ETag"] = etag_of(patient)
    return patient_detail(patient)


@router.patch(
    "/patients/{patient_id}",
    response={200: PatientOut, **edit_errors()},
    operation_id="update_patient",
)
def update_patient(
    request: HttpRequest,
    patient_id: uuid.UUID,
    payload: PatientPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    patient = get_patient_for(request.user, patient_id, permission="patient.edit", audit_read=False)  # type: ignore[arg-type]
    data = {
        k: ("" if v is None and k != "birth_date" else v)
        for k, v in payload.dict(exclude_unset=True).items()
    }
    data = {k: v for k, v in data.items() if v is not None}
    patient = actions.update_patient(
        actor=request.user,  # type: ignore[arg-type]
        patient=patient,
        data=data,
        if_match=if_match,
    )
    response["ETag"] = etag_of(patient)
    return patient


@router.post(
    "/patients/{patient_id}/limbs",
    response={201: LimbOut, **errors(403, 404)},
    operation_id="add_limb",
)
def add_limb(request: HttpRequest, patient_id: uuid.UUID, payload: LimbIn) -> Status[Any]:
    patient = get_patient_for(request.user, patient_id, permission="limb.create", audit_read=False)  # type: ignore[arg-type]
    limb = actions.add_limb(actor=request.user, patient=patient, data=payload.dict())  # type: ignore[arg-type]
    return Status(201, limb)
