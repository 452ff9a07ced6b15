"""Assessment, plan, procedures, devices and recall over the API (the screens' actions).

Every write goes through an action of `actions.py` (the action contract) and declares the errors
it can answer: 409 for a state refusal, with what is missing; 412 for a stale `If-Match` on the
versioned records (the surgical plan; the procedure with its operative record), whose reads and
writes answer an `ETag`."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field as NinjaField
from ninja import Query, Router, Schema, Status

from osseo.accounts.permissions import has_permission
from osseo.audit.services import record
from osseo.contract import etag_of
from osseo.pathway.queries import get_episode_for
from osseo.patients.queries import record_list_read
from osseo.problem import IfMatch, edit_errors, errors, write_errors

from . import actions, rules
from .gs1 import UDIError, parse_udi
from .models import ImplantCatalogueItem, Procedure
from .queries import get_device_for, get_plan_for, get_procedure_for, recall_search
from .schemas import (
    AmendmentIn,
    AssessmentIn,
    AssessmentOut,
    CatalogueIn,
    CatalogueOut,
    DeviceIn,
    DeviceOut,
    ParseIn,
    ParseOut,
    PreviewIn,
    PreviewOut,
    ProcedureIn,
    ProcedureOut,
    RecallPage,
    RecordIn,
    RemovalIn,
    SurgicalPlanIn,
    SurgicalPlanOut,
    SurgicalPlanPatch,
)

router = Router(tags=["surgery"])


def _user(request: HttpRequest) -> Any:
    return request.user


@router.post(
    "/plans/preview", response={200: PreviewOut, **errors(403)}, operation_id="preview_plan"
)
def preview_plan(request: HttpRequest, payload: PreviewIn) -> Any:
    """The planning rules for a site and side, without saving anything."""
    if not has_permission(_user(request), "patient.view"):
        raise PermissionDenied
    for field, problem in (
        ("site", rules.site_problem(payload.site)),
        ("side", rules.side_problem(payload.site, payload.side)),
    ):
        if problem:
            raise ValidationError({field: [problem]})
    return rules.plan_preview(
        payload.site, payload.side, strategy=payload.strategy, previous_stage=payload.previous_stage
    )


@router.post(
    "/episodes/{episode_id}/assessments",
    response={201: AssessmentOut, **write_errors()},
    operation_id="record_assessment",
)
def record_assessment(request: HttpRequest, episode_id: uuid.UUID, payload: AssessmentIn) -> Any:
    episode = get_episode_for(_user(request), episode_id, permission="assessment.record")
    assessment = actions.record_assessment(
        actor=_user(request), episode=episode, data=payload.dict()
    )
    return Status(201, assessment)


@router.get(
    "/episodes/{episode_id}/assessments",
    response={200: list[AssessmentOut], **errors(403, 404)},
    operation_id="list_assessments",
)
def list_assessments(request: HttpRequest, episode_id: uuid.UUID) -> Any:
    episode = get_episode_for(_user(request), episode_id, audit_read=True)
    return list(
        episode.assessments.select_related("episode", "decided_by").prefetch_related(
            "participants__user"
        )
    )


def _catalogue_item(request: HttpRequest, key: uuid.UUID | None) -> ImplantCatalogueItem | None:
    if key is None:
        return None
    org = _user(request).membership.organisation
    item = ImplantCatalogueItem.objects.filter(uuid=key, organisation=org, active=True).first()
    if item is None:
        raise ValidationError({"implant": ["No such item in your clinic's catalogue."]})
    return item


@router.post(
    "/episodes/{episode_id}/plans",
    response={201: SurgicalPlanOut, **write_errors()},
    operation_id="create_plan",
)
def create_plan(
    request: HttpRequest, episode_id: uuid.UUID, payload: SurgicalPlanIn, response: HttpResponse
) -> Any:
    episode = get_episode_for(_user(request), episode_id, permission="plan.edit")
    data = payload.dict()
    data["implant"] = _catalogue_item(request, payload.implant)
    plan = actions.create_plan(actor=_user(request), episode=episode, data=data)
    response["ETag"] = etag_of(plan)
    return Status(201, plan)


@router.get(
    "/plans/{plan_id}", response={200: SurgicalPlanOut, **errors(403, 404)}, operation_id="get_plan"
)
def get_plan(request: HttpRequest, plan_id: uuid.UUID, response: HttpResponse) -> Any:
    plan = get_plan_for(_user(request), plan_id)
    record("patients.patient.viewed", actor=_user(request), patient=plan.episode.patient, obj=plan)
    response["ETag"] = etag_of(plan)
    return plan


@router.patch(
    "/plans/{plan_id}", response={200: SurgicalPlanOut, **edit_errors()}, operation_id="update_plan"
)
def update_plan(
    request: HttpRequest,
    plan_id: uuid.UUID,
    payload: SurgicalPlanPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    plan = get_plan_for(_user(request), plan_id, permission="plan.edit")
    data = payload.dict(exclude_unset=True)
    if "implant" in data:
        data["implant"] = _catalogue_item(request, payload.implant)
    if "stages" in data and data["stages"] is None:
        data.pop("stages")
    plan = actions.update_plan(actor=_user(request), plan=plan, data=data, if_match=if_match)
    response["ETag"] = etag_of(plan)
    return plan


@router.post(
    "/plans/{plan_id}/anaesthesia-agreement",
    response={200: SurgicalPlanOut, **edit_errors()},
    operation_id="agree_anaesthesia",
)
def agree_anaesthesia(
    request: HttpRequest, plan_id: uuid.UUID, response: HttpResponse, if_match: IfMatch = None
) -> Any:
    """The anaesthetist agrees the plan's anaesthesia, as read at `If-Match` when sent."""
    plan = get_plan_for(_user(request), plan_id, permission="plan.anaesthesia")
    plan = actions.agree_anaesthesia(actor=_user(request), plan=plan, if_match=if_match)
    response["ETag"] = etag_of(plan)
    return plan


class FitParams(Schema):
    site: str = NinjaField(..., max_length=20)
    canal_diameter_mm: float = NinjaField(..., gt=0, lt=1000)
    usable_length_mm: float = NinjaField(..., gt=0, lt=1000)
    fixation: str | None = NinjaField(None, max_length=20)


@router.get(
    "/catalogue/fitting",
    response={200: list[CatalogueOut], **errors(403)},
    operation_id="fitting_implants",
)
def fitting_implants(request: HttpRequest, params: Query[FitParams]) -> Any:
    """The catalogue's implants that fit the measured canal diameter and usable bone length."""
    user = _user(request)
    if not has_permission(user, "patient.view") or user.membership.role == "patient":
        raise PermissionDenied
    from .views import fitting_items

    try:
        return fitting_items(
            user.membership.organisation,
            site=params.site,
            canal_diameter_mm=params.canal_diameter_mm,
            usable_length_mm=params.usable_length_mm,
            fixation=params.fixation,
        )
    except ValueError as exc:
        raise ValidationError({"site": [str(exc)]}) from exc


def _procedure_out(procedure: Procedure, response: HttpResponse) -> Procedure:
    """The procedure as answered, its `ETag` set on the response."""
    loaded = (
        Procedure.objects.select_related("episode", "patient", "surgeon", "signed_by")
        .prefetch_related(
            "versions__author", "devices_placed__patient", "devices_placed__placed_by"
        )
        .get(pk=procedure.pk)
    )
    missing = actions.sign_problems(loaded) if loaded.status == "draft" else []
    loaded.missing = [m.label for m in missing]  # type: ignore[attr-defined]
    response["ETag"] = etag_of(loaded)
    return loaded


@router.post(
    "/episodes/{episode_id}/procedures",
    response={201: ProcedureOut, **write_errors()},
    operation_id="start_procedure",
)
def start_procedure(
    request: HttpRequest, episode_id: uuid.UUID, payload: ProcedureIn, response: HttpResponse
) -> Any:
    episode = get_episode_for(_user(request), episode_id, permission="procedure.record")
    procedure = actions.start_procedure(actor=_user(request), episode=episode, **payload.dict())
    return Status(201, _procedure_out(procedure, response))


@router.get(
    "/procedures/{procedure_id}",
    response={200: ProcedureOut, **errors(403, 404)},
    operation_id="get_procedure",
)
def get_procedure(request: HttpRequest, procedure_id: uuid.UUID, response: HttpResponse) -> Any:
    procedure = get_procedure_for(_user(request), procedure_id, audit_read=True)
    return _procedure_out(procedure, response)


@router.put(
    "/procedures/{procedure_id}/record",
    response={200: ProcedureOut, **edit_errors()},
    operation_id="save_operative_record",
)
def save_record(
    request: HttpRequest,
    procedure_id: uuid.UUID,
    payload: RecordIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Replace the draft operative record (a signed record is amended instead: 409)."""
    procedure = get_procedure_for(_user(request), procedure_id, permission="procedure.record")
    actions.save_operative_record(
        actor=_user(request), procedure=procedure, data=payload.data, if_match=if_match
    )
    return _procedure_out(procedure, response)


@router.post(
    "/procedures/{procedure_id}/devices",
    response={201: DeviceOut, **edit_errors()},
    operation_id="place_device",
)
def place_device(
    request: HttpRequest, procedure_id: uuid.UUID, payload: DeviceIn, if_match: IfMatch = None
) -> Any:
    """Record a device placed in the operation; `If-Match` names the procedure's version (its
    ETag), which the device raises."""
    procedure = get_procedure_for(_user(request), procedure_id, permission="procedure.record")
    data = payload.dict()
    item = None
    if payload.catalogue_item:
        item = ImplantCatalogueItem.objects.filter(
            uuid=payload.catalogue_item, organisation=_user(request).membership.organisation
        ).first()
    device = actions.place_device(
        actor=_user(request),
        procedure=procedure,
        kind=payload.kind,
        data=data,
        confirm_expired=payload.confirm_expired,
        catalogue_item=item,
        if_match=if_match,
    )
    return Status(201, device)


@router.post(
    "/procedures/{procedure_id}/sign",
    response={200: ProcedureOut, **edit_errors()},
    operation_id="sign_operative_record",
)
def sign(
    request: HttpRequest, procedure_id: uuid.UUID, response: HttpResponse, if_match: IfMatch = None
) -> Any:
    """Sign the operative record (as read at `If-Match`, when sent); 409 lists what is missing."""
    procedure = get_procedure_for(_user(request), procedure_id, permission="procedure.sign")
    actions.sign_operative_record(actor=_user(request), procedure=procedure, if_match=if_match)
    return _procedure_out(procedure, response)


@router.post(
    "/procedures/{procedure_id}/amendments",
    response={201: ProcedureOut, **edit_errors()},
    operation_id="amend_operative_record",
)
def amend(
    request: HttpRequest,
    procedure_id: uuid.UUID,
    payload: AmendmentIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    procedure = get_procedure_for(_user(request), procedure_id, permission="procedure.sign")
    actions.amend_operative_record(
        actor=_user(request),
        procedure=procedure,
        data=payload.data,
        reason=payload.reason,
        devices={
            str(key): correction.model_dump(exclude_unset=True)
            for key, correction in payload.devices.items()
        },
        if_match=if_match,
    )
    return Status(201, _procedure_out(procedure, response))


@router.post("/devices/parse", response={200: ParseOut, **errors()}, operation_id="parse_udi")
def parse_device_code(request: HttpRequest, payload: ParseIn) -> Any:
    """Parse GS1 UDI data (as scanned, or as printed in brackets); saves nothing."""
    try:
        return parse_udi(payload.code, today=timezone.localdate())
    except UDIError as exc:
        raise ValidationError({"code": [str(exc)]}) from exc


class RecallParams(Schema):
    gtin: str = NinjaField("", max_length=30, description="A GTIN, or an HIBCC device identifier")
    lot: str = NinjaField("", max_length=20)
    limit: int = NinjaField(100, ge=1, le=500)
    offset: int = NinjaField(0, ge=0, le=1_000_000)


@router.get("/devices", response={200: RecallPage, **errors(403)}, operation_id="recall_search")
def recall(request: HttpRequest, params: Query[RecallParams]) -> Any:
    """Which of my patients carry (or carried) devices of this GTIN and/or lot."""
    user = _user(request)
    if not has_permission(user, "patient.view"):
        raise PermissionDenied
    if not params.gtin and not params.lot:
        raise ValidationError({"gtin": ["Give a GTIN, a lot, or both."]})
    qs = recall_search(user, gtin=params.gtin, lot=params.lot)
    items = list(qs[params.offset : params.offset + params.limit])
    record_list_read(
        user,
        sorted({str(d.patient.uuid) for d in items}),
        recall={"gtin": params.gtin, "lot": params.lot},
    )
    return {"items": items, "count": qs.count()}


@router.get(
    "/devices/{device_id}", response={200: DeviceOut, **errors(403, 404)}, operation_id="get_device"
)
def get_device(request: HttpRequest, device_id: uuid.UUID) -> Any:
    device = get_device_for(_user(request), device_id)
    record("patients.patient.viewed", actor=_user(request), patient=device.patient, obj=device)
    return device


@router.get(
    "/catalogue", response={200: list[CatalogueOut], **errors(403)}, operation_id="list_catalogue"
)
def list_catalogue(request: HttpRequest) -> Any:
    user = _user(request)
    if user.membership.role == "patient" or not user.membership.organisation.is_clinic:
        raise PermissionDenied("The catalogue is the clinic's.")
    return list(
        ImplantCatalogueItem.objects.filter(organisation=user.membership.organisation, active=True)
    )


@router.post(
    "/catalogue", response={201: CatalogueOut, **write_errors()}, operation_id="add_catalogue_item"
)
def add_catalogue_item(request: HttpRequest, payload: CatalogueIn) -> Any:
    return Status(201, actions.add_catalogue_item(actor=_user(request), data=payload.dict()))


@router.post(
    "/devices/{device_id}/removal",
    response={200: DeviceOut, **write_errors()},
    operation_id="remove_device",
)
def remove_device(request: HttpRequest, device_id: uuid.UUID, payload: RemovalIn) -> Any:
    """Record a device's removal (date, reason, and the operation that removed it, if any)."""
    user = _user(request)
    device = get_device_for(user, device_id, permission="procedure.record")
    procedure = None
    if payload.procedure is not None:
        procedure = get_procedure_for(user, payload.procedure, permission="procedure.record")
        if procedure.patient_id != device.patient_id:
            raise ValidationError({"procedure": ["That operation is another patient's."]})
    return actions.remove_device(
        actor=user,
        device=device,
        removed_on=payload.removed_on,
        reason=payload.reason,
        procedure=procedure,
    )
