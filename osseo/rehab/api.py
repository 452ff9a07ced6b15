"""Referrals, loading protocols, rehab plans, load logs, function tests and follow-up (API)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from osseo.accounts.models import Organisation, OrganisationKind
from osseo.accounts.permissions import has_permission
from osseo.audit.services import record
from osseo.contract import etag_of
from osseo.pathway.queries import get_episode_for
from osseo.patients.queries import get_patient_for, record_list_read
from osseo.problem import IfMatch, edit_errors, errors, write_errors

from . import actions, rules
from .models import LoadingProtocol, LoadLog, RehabPlan
from .queries import (
    follow_up_list,
    function_tests_of,
    get_plan_for,
    get_protocol_for,
    get_referral_for,
    plan_phases,
    plans_of,
    prescription_on,
    protocols_for,
    referrals_of,
)
from .schemas import (
    FollowUpIn,
    FollowUpOut,
    FollowUpPage,
    FollowUpParams,
    FunctionTestIn,
    FunctionTestOut,
    FunctionTestParams,
    LogCorrectionIn,
    LogIn,
    LogOut,
    LogRange,
    PrescriptionOut,
    PrescriptionParams,
    ProtocolIn,
    ProtocolOut,
    ReferralIn,
    ReferralOut,
    RehabPlanIn,
    RehabPlanOut,
    WithdrawalIn,
)

router = Router(tags=["rehabilitation"])


def _user(request: HttpRequest) -> Any:
    return request.user


def _staff(request: HttpRequest) -> Any:
    user = _user(request)
    if not has_permission(user, "patient.view") or user.membership.role == "patient":
        raise PermissionDenied("Your role may not read loading protocols.")
    return user


# --- Protocols -------------------------------------------------------------------------------


@router.get(
    "/protocols", response={200: list[ProtocolOut], **errors(403)}, operation_id="list_protocols"
)
def list_protocols(request: HttpRequest) -> Any:
    """The shipped reference protocols, your organisation's own, and those referred with."""
    return list(protocols_for(_staff(request)))


@router.get(
    "/protocols/{protocol_id}",
    response={200: ProtocolOut, **errors(403, 404)},
    operation_id="get_protocol",
)
def get_protocol(request: HttpRequest, protocol_id: uuid.UUID, response: HttpResponse) -> Any:
    """A protocol, with its version as the ETag (send it back as If-Match to change it)."""
    protocol = get_protocol_for(_staff(request), protocol_id)
    response["ETag"] = etag_of(protocol)
    return protocol


def _protocol_data(payload: ProtocolIn) -> dict[str, Any]:
    data = payload.dict()
    if "sites" not in payload.model_fields_set:
        data.pop("sites")  # not sent: the protocol keeps the sites it names
    return data


def _protocol_out(protocol: LoadingProtocol, response: HttpResponse) -> LoadingProtocol:
    response["ETag"] = etag_of(protocol)
    return LoadingProtocol.objects.prefetch_related("phases").get(pk=protocol.pk)


@router.post(
    "/protocols", response={201: ProtocolOut, **write_errors()}, operation_id="create_protocol"
)
def create_protocol(request: HttpRequest, payload: ProtocolIn, response: HttpResponse) -> Any:
    protocol = actions.create_protocol(actor=_user(request), data=_protocol_data(payload))
    return Status(201, _protocol_out(protocol, response))


@router.put(
    "/protocols/{protocol_id}",
    response={200: ProtocolOut, **edit_errors()},
    operation_id="update_protocol",
)
def update_protocol(
    request: HttpRequest,
    protocol_id: uuid.UUID,
    payload: ProtocolIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Replace your organisation's protocol: its name, source, notes and phases. With If-Match,
    a protocol changed since you read it is refused (412) and left as it is."""
    protocol = get_protocol_for(_staff(request), protocol_id)
    protocol = actions.update_protocol(
        actor=_user(request), protocol=protocol, data=_protocol_data(payload), if_match=if_match
    )
    return _protocol_out(protocol, response)


@router.post(
    "/protocols/{protocol_id}/copy",
    response={201: ProtocolOut, **write_errors()},
    operation_id="copy_protocol",
)
def copy_protocol(request: HttpRequest, protocol_id: uuid.UUID, response: HttpResponse) -> Any:
    protocol = get_protocol_for(_staff(request), protocol_id)
    copy = actions.copy_protocol(actor=_user(request), protocol=protocol)
    return Status(201, _protocol_out(copy, response))


# --- Referrals -------------------------------------------------------------------------------


@router.post(
    "/patients/{patient_id}/referrals",
    response={201: ReferralOut, **write_errors()},
    operation_id="refer_patient",
)
def refer_patient(request: HttpRequest, patient_id: uuid.UUID, payload: ReferralIn) -> Any:
    user = _user(request)
    patient = get_patient_for(user, patient_id, permission="referral.manage", audit_read=False)
    organisation = Organisation.objects.filter(
        uuid=payload.organisation, kind=OrganisationKind.REHAB_PARTNER
    ).first()
    if organisation is None:
        raise ValidationError({"organisation": ["No such rehabilitation partner."]})
    protocol = None
    if payload.protocol is not None:
        protocol = protocols_for(user).filter(uuid=payload.protocol).first()
        if protocol is None:
            raise ValidationError({"protocol": ["No such protocol."]})
    referral = actions.refer_patient(
        actor=user, patient=patient, organisation=organisation, protocol=protocol, note=payload.note
    )
    return Status(201, referral)


@router.get(
    "/patients/{patient_id}/referrals",
    response={200: list[ReferralOut], **errors(403, 404)},
    operation_id="list_referrals",
)
def list_referrals(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    patient = get_patient_for(_user(request), patient_id)
    return list(referrals_of(patient))


@router.post(
    "/referrals/{referral_id}/withdrawal",
    response={200: ReferralOut, **write_errors()},
    operation_id="withdraw_referral",
)
def withdraw_referral(request: HttpRequest, referral_id: uuid.UUID, payload: WithdrawalIn) -> Any:
    referral = get_referral_for(_user(request), referral_id, permission="referral.manage")
    return actions.withdraw_referral(actor=_user(request), referral=referral, reason=payload.reason)


# --- Plans, prescriptions and logs -----------------------------------------------------------


def _plan_out(plan: RehabPlan, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    phases = plan_phases(plan)
    return {
        "id": plan.uuid,
        "patient": plan.patient.uuid,
        "limb": plan.limb.uuid if plan.limb else None,
        "site": plan.limb.site if plan.limb else None,
        "protocol": plan.protocol.uuid,
        "protocol_name": plan.protocol_name,
        "protocol_source": plan.protocol_source,
        "start_date": plan.start_date,
        "end_date": rules.plan_end(plan.start_date, phases),
        "measure": plan.measure,
        "unit": plan.unit,
        "body_weight_kg": plan.body_weight_kg,
        "phases": plan.phases,
        "missing_log": rules.missing_days(
            phases, plan.start_date, set(plan.logs.values_list("date", flat=True)), today
        ),
        "created_by": plan.created_by.username,
        "created_at": plan.created_at,
    }


@router.post(
    "/patients/{patient_id}/rehab-plans",
    response={201: RehabPlanOut, **write_errors()},
    operation_id="create_rehab_plan",
)
def create_rehab_plan(request: HttpRequest, patient_id: uuid.UUID, payload: RehabPlanIn) -> Any:
    user = _user(request)
    patient = get_patient_for(user, patient_id, permission="rehab.write", audit_read=False)
    protocol = protocols_for(user).filter(uuid=payload.protocol).first()
    if protocol is None:
        raise ValidationError({"protocol": ["No such protocol."]})
    limb = None
    if payload.limb is not None:
        limb = patient.limbs.filter(uuid=payload.limb).first()
        if limb is None:
            raise ValidationError({"limb": ["Choose one of this patient's limbs."]})
    plan = actions.create_plan(
        actor=user,
        patient=patient,
        protocol=protocol,
        start_date=payload.start_date,
        body_weight_kg=payload.body_weight_kg,
        limb=limb,
    )
    return Status(201, _plan_out(plan))


@router.get(
    "/patients/{patient_id}/rehab-plans",
    response={200: list[RehabPlanOut], **errors(403, 404)},
    operation_id="list_rehab_plans",
)
def list_rehab_plans(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    patient = get_patient_for(_user(request), patient_id)
    return [_plan_out(p) for p in plans_of(patient)]


@router.get(
    "/rehab-plans/{plan_id}",
    response={200: RehabPlanOut, **errors(403, 404)},
    operation_id="get_rehab_plan",
)
def get_rehab_plan(request: HttpRequest, plan_id: uuid.UUID) -> Any:
    plan = get_plan_for(_user(request), plan_id)
    record("patients.patient.viewed", actor=_user(request), patient=plan.patient, obj=plan)
    return _plan_out(plan)


@router.get(
    "/rehab-plans/{plan_id}/prescription",
    response={200: PrescriptionOut, **errors(403, 404)},
    operation_id="get_prescription",
)
def get_prescription(
    request: HttpRequest, plan_id: uuid.UUID, params: Query[PrescriptionParams]
) -> Any:
    """The day's prescription: the phase in force, its target in kg, dose, aid and pain gate."""
    plan = get_plan_for(_user(request), plan_id)
    record("patients.patient.viewed", actor=_user(request), patient=plan.patient, obj=plan)
    rx = prescription_on(plan, params.date)
    load = rx.measure == "load"
    return {
        "plan": plan.uuid,
        **rx.__dict__,
        "unit": rx.unit,
        "floor_kg": rx.floor if load else None,
        "ceiling_kg": rx.ceiling if load else None,
    }


@router.post(
    "/rehab-plans/{plan_id}/logs",
    response={201: LogOut, **write_errors()},
    operation_id="log_load",
)
def log_load(request: HttpRequest, plan_id: uuid.UUID, payload: LogIn) -> Any:
    """Log a day's loading; the log comes back with its flags."""
    plan = get_plan_for(_user(request), plan_id, permission="rehab.log")
    log = actions.log_load(actor=_user(request), plan=plan, data=payload.dict())
    return Status(201, log)


@router.post(
    "/load-logs/{log_id}/correction",
    response={200: LogOut, **write_errors()},
    operation_id="correct_load_log",
)
def correct_load_log(request: HttpRequest, log_id: uuid.UUID, payload: LogCorrectionIn) -> Any:
    """Its author corrects a day's log, saying why; the flags are worked out again and the change
    is audited. Only the fields sent change."""
    user = _user(request)
    log = LoadLog.objects.select_related("plan").filter(uuid=log_id).first()
    if log is None:
        raise Http404("No such log.")
    get_plan_for(user, log.plan.uuid, permission="rehab.log")
    data = payload.dict(exclude_unset=True, exclude={"reason"})
    data = {k: v for k, v in data.items() if v is not None or k == "wear_hours"}
    return actions.correct_load_log(actor=user, log=log, data=data, reason=payload.reason)


@router.get(
    "/rehab-plans/{plan_id}/logs",
    response={200: list[LogOut], **errors(403, 404)},
    operation_id="list_load_logs",
)
def list_load_logs(request: HttpRequest, plan_id: uuid.UUID, params: Query[LogRange]) -> Any:
    """The plan's logs, whole, for the range asked (`from`, `to`, both inclusive)."""
    plan = get_plan_for(_user(request), plan_id)
    record("patients.patient.viewed", actor=_user(request), patient=plan.patient, obj=plan)
    logs = plan.logs.select_related("logged_by")
    if params.date_from:
        logs = logs.filter(date__gte=params.date_from)
    if params.date_to:
        logs = logs.filter(date__lte=params.date_to)
    return list(logs)


# --- Function tests --------------------------------------------------------------------------


def _test_out(test: Any) -> dict[str, Any]:
    spec = rules.FUNCTION_TESTS[test.kind]
    return {
        "id": test.uuid,
        "kind": test.kind,
        "code": {"system": spec.system, "code": spec.code, "display": spec.display},
        "performed_on": test.performed_on,
        "value": test.value,
        "unit": spec.unit,
        "notes": test.notes,
        "recorded_by": test.recorded_by.username,
    }


@router.post(
    "/patients/{patient_id}/function-tests",
    response={201: FunctionTestOut, **write_errors()},
    operation_id="record_function_test",
)
def record_function_test(
    request: HttpRequest, patient_id: uuid.UUID, payload: FunctionTestIn
) -> Any:
    patient = get_patient_for(
        _user(request), patient_id, permission="rehab.write", audit_read=False
    )
    test = actions.record_function_test(actor=_user(request), patient=patient, data=payload.dict())
    return Status(201, _test_out(test))


@router.get(
    "/patients/{patient_id}/function-tests",
    response={200: list[FunctionTestOut], **errors(403, 404)},
    operation_id="list_function_tests",
)
def list_function_tests(
    request: HttpRequest, patient_id: uuid.UUID, params: Query[FunctionTestParams]
) -> Any:
    patient = get_patient_for(_user(request), patient_id)
    tests = function_tests_of(patient)
    if params.kind:
        tests = tests.filter(kind=params.kind)
    return [_test_out(t) for t in tests]


# --- Follow-up -------------------------------------------------------------------------------


@router.get(
    "/follow-ups", response={200: FollowUpPage, **errors(403)}, operation_id="list_follow_ups"
)
def list_follow_ups(request: HttpRequest, params: Query[FollowUpParams]) -> Any:
    """Episodes whose next follow-up visit is overdue, or due within `within_days`."""
    user = _user(request)
    if not has_permission(user, "followup.view"):
        raise PermissionDenied("Your role may not read the follow-up lists.")
    rows = follow_up_list(user, timezone.localdate(), params.within_days)
    if params.status != "all":
        rows = [r for r in rows if r.status == params.status]
    record_list_read(user, (str(r.patient.uuid) for r in rows), follow_up=params.status)
    items = [
        {
            "patient": r.patient.uuid,
            "patient_name": r.patient.display_name,
            "episode": r.episode.uuid,
            "surgery_date": r.surgery,
            "visit": r.visit.label,
            "due_date": r.visit.due,
            "status": r.status,
            "overdue_days": max(r.overdue_days, 0),
        }
        for r in rows
    ]
    return {"items": items, "count": len(items)}


@router.post(
    "/episodes/{episode_id}/follow-ups",
    response={201: FollowUpOut, **write_errors()},
    operation_id="record_follow_up",
)
def record_follow_up(request: HttpRequest, episode_id: uuid.UUID, payload: FollowUpIn) -> Any:
    episode = get_episode_for(_user(request), episode_id, permission="followup.record")
    visit = actions.record_follow_up(
        actor=_user(request),
        episode=episode,
        due_date=payload.due_date,
        done_on=payload.done_on,
        notes=payload.notes,
    )
    return Status(201, visit)
