"""Every rehabilitation write: one transaction each, audited inside it.

Referral access flows through CareTeam rows: a referral opens one for the partner (`since`), and
withdrawing it closes that row (`until`), so `patients_for()` stays the single scope.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from osseo.accounts.clinic_settings import SPECS
from osseo.accounts.models import ClinicSetting, Organisation, OrganisationKind, User
from osseo.accounts.permissions import has_permission
from osseo.audit.labels import register
from osseo.audit.services import record
from osseo.pathway.models import Episode
from osseo.patients.models import CareTeam, Patient, Referral

from . import rules
from .models import (
    FollowUp,
    FunctionTest,
    InformationSheet,
    LoadingProtocol,
    LoadLog,
    ProtocolPhase,
    RehabPlan,
    WalkingAid,
)
from .queries import phases_of, prescription_on, signed_procedures, thresholds_for

register(
    {
        "rehab.referral.made": "Referred to a rehabilitation partner",
        "rehab.referral.withdrawn": "Referral to a rehabilitation partner withdrawn",
        "rehab.letter.viewed": "Referral letter viewed",
        "rehab.protocol.created": "Loading protocol created",
        "rehab.protocol.updated": "Loading protocol changed",
        "rehab.plan.created": "Rehabilitation plan made",
        "rehab.load.logged": "Daily loading logged",
        "rehab.function_test.recorded": "Function test recorded",
        "rehab.follow_up.recorded": "Follow-up visit recorded",
        "rehab.setting.changed": "Rehabilitation setting changed",
        "rehab.sheet.uploaded": "Information sheet uploaded",
        "rehab.sheet.retired": "Information sheet removed",
    }
)

MAX_SHEET_BYTES = 5 * 1024 * 1024  # technical limit on one uploaded PDF
PDF_MAGIC = b"%PDF-"
MAX_BODY_WEIGHT_KG = Decimal(400)


def _require(actor: User, permission: str, what: str) -> None:
    if not has_permission(actor, permission):
        raise PermissionDenied(f"Your role may not {what}.")


def _org(actor: User) -> Organisation:
    return actor.membership.organisation


def _decimal(errors: dict[str, list[str]], name: str, value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.setdefault(name, []).append("Enter a number.")
        return None
    if not number.is_finite():
        errors.setdefault(name, []).append("Enter a number.")
        return None
    return number


# --- Referral --------------------------------------------------------------------------------


def refer_patient(
    *,
    actor: User,
    patient: Patient,
    organisation: Organisation,
    protocol: LoadingProtocol | None = None,
    note: str = "",
) -> Referral:
    """Refer a patient (with a signed operative record) to a rehabilitation partner: its staff
    see this patient, and only this one, from now on."""
    _require(actor, "referral.manage", "refer patients")
    errors: dict[str, list[str]] = {}
    if organisation.kind != OrganisationKind.REHAB_PARTNER:
        errors["organisation"] = ["Refer to a rehabilitation partner organisation."]
    if not signed_procedures(patient).exists():
        errors["patient"] = [
            "The patient has no signed operative record yet; sign it before referring."
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(pk=patient.pk)
        if Referral.objects.filter(
            patient=locked, organisation=organisation, withdrawn_at__isnull=True
        ).exists():
            raise ValidationError(
                {"organisation": [f"{organisation.name} already has this referral."]}
            )
        now = timezone.now()
        team = CareTeam.objects.filter(
            patient=locked, organisation=organisation, until__isnull=True
        ).first() or CareTeam.objects.create(patient=locked, organisation=organisation, since=now)
        referral = Referral.objects.create(
            patient=locked,
            organisation=organisation,
            care_team=team,
            protocol=protocol,
            note=note.strip(),
            referred_by=actor,
            referred_at=now,
        )
        record(
            "rehab.referral.made",
            actor=actor,
            patient=locked,
            obj=referral,
            changes={
                "organisation": [None, organisation.slug],
                **({"protocol": [None, protocol.name]} if protocol else {}),
            },
        )
    return referral


def withdraw_referral(*, actor: User, referral: Referral, reason: str) -> Referral:
    """Withdraw a referral: the partner's access to the patient ends now."""
    _require(actor, "referral.manage", "withdraw referrals")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the referral is withdrawn."]})
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.withdrawn_at is not None:
            raise ValidationError({"referral": ["This referral was already withdrawn."]})
        now = timezone.now()
        locked.withdrawn_at, locked.withdrawn_by, locked.withdrawal_reason = now, actor, reason
        locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        CareTeam.objects.filter(pk=locked.care_team_id).update(until=now)
        record(
            "rehab.referral.withdrawn",
            actor=actor,
            patient=locked.patient,
            obj=locked,
            changes={"organisation": [locked.organisation.slug, None], "reason": [None, reason]},
        )
    return locked


# --- Protocols -------------------------------------------------------------------------------

PHASE_FIELDS = (
    "start_day",
    "end_day",
    "target_percent_body_weight",
    "target_kg",
    "sessions_per_day",
    "minutes_per_session",
    "walking_aid",
    "pain_gate_nrs",
    "description",
    "validated",
)


def _clean_protocol(data: dict[str, Any]) -> tuple[dict[str, Any], list[rules.Phase]]:
    errors: dict[str, list[str]] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = ["Give the protocol a name."]
    phases: list[rules.Phase] = []
    for n, raw in enumerate(data.get("phases") or [], start=1):
        values = {k: raw.get(k) for k in PHASE_FIELDS}
        pct = _decimal(
            errors, f"phases.{n}.target_percent_body_weight", values["target_percent_body_weight"]
        )
        kg = _decimal(errors, f"phases.{n}.target_kg", values["target_kg"])
        try:
            phases.append(
                rules.Phase(
                    start_day=int(values["start_day"]),
                    end_day=int(values["end_day"]),
                    target_percent_body_weight=pct,
                    target_kg=kg,
                    sessions_per_day=None
                    if values["sessions_per_day"] in (None, "")
                    else int(values["sessions_per_day"]),
                    minutes_per_session=None
                    if values["minutes_per_session"] in (None, "")
                    else int(values["minutes_per_session"]),
                    walking_aid=bool(values["walking_aid"]),
                    pain_gate_nrs=None
                    if values["pain_gate_nrs"] in (None, "")
                    else int(values["pain_gate_nrs"]),
                    description=(values["description"] or "").strip()[:500],
                    validated=bool(values["validated"]),
                )
            )
        except (TypeError, ValueError):
            errors.setdefault(f"phases.{n}", []).append(f"Phase {n}: enter whole numbers for days.")
    if not errors:
        for field, message in rules.phase_problems(phases).items():
            errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)
    return {
        "name": name[:200],
        "source": (data.get("source") or "").strip()[:500],
        "notes": (data.get("notes") or "").strip(),
    }, phases


def _write_phases(protocol: LoadingProtocol, phases: list[rules.Phase]) -> None:
    protocol.phases.all().delete()
    ProtocolPhase.objects.bulk_create(
        ProtocolPhase(protocol=protocol, **p.as_dict()) for p in phases
    )


def create_protocol(*, actor: User, data: dict[str, Any]) -> LoadingProtocol:
    """A protocol of the actor's organisation."""
    _require(actor, "protocol.manage", "manage loading protocols")
    values, phases = _clean_protocol(data)
    with transaction.atomic():
        protocol = LoadingProtocol.objects.create(organisation=_org(actor), **values)
        _write_phases(protocol, phases)
        record(
            "rehab.protocol.created",
            actor=actor,
            obj=protocol,
            changes={
                **{k: [None, v] for k, v in values.items() if v},
                "phases": [None, len(phases)],
            },
        )
    return protocol


def update_protocol(
    *, actor: User, protocol: LoadingProtocol, data: dict[str, Any]
) -> LoadingProtocol:
    """Replace a protocol's name, source and phases. Shipped references are read-only (copy one
    to edit it); plans already made keep the phases they were made with."""
    _require(actor, "protocol.manage", "manage loading protocols")
    if protocol.organisation_id != _org(actor).pk:
        raise PermissionDenied(
            "Only your organisation's own protocols can be edited; copy a reference protocol first."
        )
    values, phases = _clean_protocol(data)
    before = {
        "name": protocol.name,
        "source": protocol.source,
        "phases": [p.as_dict() for p in phases_of(protocol)],
    }
    with transaction.atomic():
        for k, v in values.items():
            setattr(protocol, k, v)
        protocol.save()
        _write_phases(protocol, phases)
        after = {
            "name": protocol.name,
            "source": protocol.source,
            "phases": [p.as_dict() for p in phases],
        }
        record(
            "rehab.protocol.updated",
            actor=actor,
            obj=protocol,
            changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
        )
    return protocol


def copy_protocol(*, actor: User, protocol: LoadingProtocol) -> LoadingProtocol:
    """The organisation's own editable copy of a protocol (e.g. to complete Radboud slow)."""
    return create_protocol(
        actor=actor,
        data={
            "name": f"{protocol.name} (copy)",
            "source": protocol.source,
            "notes": protocol.notes,
            "phases": [p.as_dict() for p in phases_of(protocol)],
        },
    )


# --- Plans and logs --------------------------------------------------------------------------


def create_plan(
    *,
    actor: User,
    patient: Patient,
    protocol: LoadingProtocol,
    start_date: dt.date,
    body_weight_kg: Any,
) -> RehabPlan:
    """A loading plan for a patient the actor's organisation cares for (post-operative, or
    pre-operative conditioning). The protocol's phases are copied into the plan."""
    _require(actor, "rehab.write", "make rehabilitation plans")
    errors: dict[str, list[str]] = {}
    weight = _decimal(errors, "body_weight_kg", body_weight_kg)
    if weight is None and "body_weight_kg" not in errors:
        errors["body_weight_kg"] = ["Enter the body weight in kg."]
    elif weight is not None and not Decimal(20) <= weight <= MAX_BODY_WEIGHT_KG:
        errors["body_weight_kg"] = ["Enter a body weight from 20 to 400 kg."]
    phases = phases_of(protocol)
    if not phases:
        errors["protocol"] = ["This protocol has no phases."]
    if errors:
        raise ValidationError(errors)
    assert weight is not None
    with transaction.atomic():
        plan = RehabPlan.objects.create(
            patient=patient,
            organisation=_org(actor),
            protocol=protocol,
            protocol_name=protocol.name,
            protocol_source=protocol.source,
            phases=[p.as_dict() for p in phases],
            start_date=start_date,
            body_weight_kg=weight.quantize(Decimal("0.1")),
            created_by=actor,
        )
        record(
            "rehab.plan.created",
            actor=actor,
            patient=patient,
            obj=plan,
            changes={
                "protocol": [None, protocol.name],
                "start_date": [None, start_date],
                "body_weight_kg": [None, str(plan.body_weight_kg)],
            },
        )
    return plan


def log_load(
    *, actor: User, plan: RehabPlan, data: dict[str, Any], today: dt.date | None = None
) -> LoadLog:
    """One day's loading; the flags are worked out against that day's prescription and stored
    with it (with the clinic's thresholds in force then)."""
    _require(actor, "rehab.log", "log loading")
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    on = data.get("date")
    if not isinstance(on, dt.date):
        errors["date"] = ["Enter the date as YYYY-MM-DD."]
    elif on < plan.start_date:
        errors["date"] = [f"The plan starts on {plan.start_date:%d %b %Y}; log from then on."]
    elif on > today:
        errors["date"] = ["A day cannot be logged before it happens."]
    applied = _decimal(errors, "applied_kg", data.get("applied_kg"))
    if applied is None and "applied_kg" not in errors:
        errors["applied_kg"] = ["Enter the load applied, in kg."]
    elif applied is not None and not Decimal(0) <= applied <= MAX_BODY_WEIGHT_KG:
        errors["applied_kg"] = ["Enter a load from 0 to 400 kg."]
    pain = data.get("pain_nrs")
    if not isinstance(pain, int) or isinstance(pain, bool) or not 0 <= pain <= 10:
        errors["pain_nrs"] = ["Enter the pain score as a whole number from 0 to 10 (NRS)."]
    aid = data.get("walking_aid") or ""
    if aid and aid not in WalkingAid.values:
        errors["walking_aid"] = [f"Choose one of: {', '.join(WalkingAid.values)}."]
    wear = _decimal(errors, "wear_hours", data.get("wear_hours"))
    if wear is not None and not Decimal(0) <= wear <= 24:
        errors["wear_hours"] = ["Enter the hours worn, from 0 to 24."]
    if errors:
        raise ValidationError(errors)
    assert isinstance(on, dt.date) and applied is not None and isinstance(pain, int)
    with transaction.atomic():
        RehabPlan.objects.select_for_update().filter(pk=plan.pk).first()
        if plan.logs.filter(date=on).exists():
            raise ValidationError({"date": [f"{on:%d %b %Y} is already logged for this plan."]})
        rx = prescription_on(plan, on)
        limits = thresholds_for(plan.patient)
        flags = rules.log_flags(
            rx, applied, pain, under_share=limits.under_share, over_share=limits.over_share
        )
        try:
            with transaction.atomic():
                log = LoadLog.objects.create(
                    plan=plan,
                    date=on,
                    applied_kg=applied.quantize(Decimal("0.1")),
                    pain_nrs=pain,
                    walking_aid=aid,
                    wear_hours=None if wear is None else wear.quantize(Decimal("0.1")),
                    prescribed_kg=rx.target_kg,
                    flags=flags,
                    logged_by=actor,
                )
        except IntegrityError as exc:
            raise ValidationError({"date": [f"{on:%d %b %Y} is already logged."]}) from exc
        record(
            "rehab.load.logged",
            actor=actor,
            patient=plan.patient,
            obj=log,
            changes={
                "date": [None, on],
                "applied_kg": [None, str(log.applied_kg)],
                "pain_nrs": [None, pain],
                **({"flags": [None, flags]} if flags else {}),
            },
        )
    return log


# --- Function tests and follow-up --------------------------------------------------------------


def record_function_test(*, actor: User, patient: Patient, data: dict[str, Any]) -> FunctionTest:
    _require(actor, "rehab.write", "record function tests")
    errors: dict[str, list[str]] = {}
    kind = data.get("kind") or ""
    value = _decimal(errors, "value", data.get("value"))
    if value is None and "value" not in errors:
        errors["value"] = ["Enter the result."]
    elif value is not None and (problem := rules.function_test_problem(kind, value)):
        errors["kind" if kind not in rules.FUNCTION_TESTS else "value"] = [problem]
    on = data.get("performed_on")
    if not isinstance(on, dt.date):
        errors["performed_on"] = ["Enter the date as YYYY-MM-DD."]
    elif on > timezone.localdate():
        errors["performed_on"] = ["A test cannot be recorded before it is done."]
    if errors:
        raise ValidationError(errors)
    assert value is not None and isinstance(on, dt.date)
    with transaction.atomic():
        test = FunctionTest.objects.create(
            patient=patient,
            kind=kind,
            performed_on=on,
            value=value.quantize(Decimal("0.1")),
            notes=(data.get("notes") or "").strip(),
            recorded_by=actor,
        )
        record(
            "rehab.function_test.recorded",
            actor=actor,
            patient=patient,
            obj=test,
            changes={
                "kind": [None, kind],
                "value": [None, str(test.value)],
                "performed_on": [None, on],
            },
        )
    return test


def record_follow_up(
    *,
    actor: User,
    episode: Episode,
    due_date: dt.date,
    done_on: dt.date,
    notes: str = "",
) -> FollowUp:
    """A follow-up visit held, against the scheduled visit (`due_date`) it satisfies."""
    from .queries import schedule_for, surgery_date

    _require(actor, "followup.record", "record follow-up visits")
    surgery = surgery_date(episode)
    errors: dict[str, list[str]] = {}
    if surgery is None:
        errors["episode"] = ["This episode has no signed implantation to follow up from."]
    else:
        scheduled = {
            v.due
            for v in schedule_for(
                episode, surgery, _org(actor), max(due_date, done_on) + dt.timedelta(days=1)
            )
        }
        if due_date not in scheduled:
            errors["due_date"] = ["This date is not a scheduled follow-up visit for the episode."]
    if done_on > timezone.localdate():
        errors["done_on"] = ["A visit cannot be recorded before it happens."]
    elif surgery and done_on < surgery:
        errors["done_on"] = ["The visit date is before the surgery."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if FollowUp.objects.filter(episode=episode, due_date=due_date).exists():
            raise ValidationError({"due_date": ["This visit is already recorded."]})
        visit = FollowUp.objects.create(
            patient=episode.patient,
            episode=episode,
            due_date=due_date,
            done_on=done_on,
            notes=notes.strip(),
            recorded_by=actor,
        )
        record(
            "rehab.follow_up.recorded",
            actor=actor,
            patient=episode.patient,
            obj=visit,
            changes={"due_date": [None, due_date], "done_on": [None, done_on]},
        )
    return visit


# --- Clinic settings and information sheets --------------------------------------------------

REHAB_SETTINGS = (
    "rehab_under_loading_percent",
    "rehab_over_loading_percent",
    "follow_up_schedule",
    "stoma_care_instructions",
)


def _check_setting(key: str, value: Any) -> Any:
    if key in ("rehab_under_loading_percent", "rehab_over_loading_percent"):
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            number = Decimal(-1)
        if not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
            raise ValidationError({key: ["Enter a percentage from 0 to 100."]})
        return float(number)
    if key == "follow_up_schedule":
        try:
            months = sorted({int(m) for m in value.get("months", [])})
            every = int(value.get("then_every_months", 0))
        except (AttributeError, TypeError, ValueError) as exc:
            raise ValidationError({key: ["Enter months as whole numbers."]}) from exc
        if not months or any(not 1 <= m <= 600 for m in months) or not 0 <= every <= 120:
            raise ValidationError(
                {key: ["List at least one visit, 1 to 600 months after surgery; repeat 0-120."]}
            )
        return {"months": months, "then_every_months": every}
    if key == "stoma_care_instructions":
        text = str(value or "").strip()
        if len(text) > 20000:
            raise ValidationError({key: ["Keep the instructions under 20,000 characters."]})
        return text
    raise ValidationError({"key": [f"Unknown rehabilitation setting {key!r}."]})


def set_rehab_setting(
    *, actor: User, key: str, value: Any, source: str = "", validated: bool = False
) -> ClinicSetting:
    """Set one of the clinic's rehabilitation settings, with its source (or "not validated")."""
    _require(actor, "settings.manage", "change the clinic's settings")
    if key not in REHAB_SETTINGS or key not in SPECS:
        raise ValidationError({"key": [f"Unknown rehabilitation setting {key!r}."]})
    clean = _check_setting(key, value)
    source = (source or "").strip()[:300]
    if validated and not source and key != "stoma_care_instructions":
        raise ValidationError({"source": ["Name the source that validates this value."]})
    org = _org(actor)
    with transaction.atomic():
        row = ClinicSetting.objects.filter(organisation=org, key=key).first()
        before = row.value if row else SPECS[key].default
        if row is None:
            row = ClinicSetting(organisation=org, key=key)
        row.value, row.source, row.validated = clean, source, validated
        row.set_by, row.set_at = actor, timezone.now()
        row.save()
        record(
            "rehab.setting.changed",
            actor=actor,
            obj=org,
            changes={key: [before, clean], "validated": [None, validated]},
        )
    return row


def upload_information_sheet(*, actor: User, title: str, upload: UploadedFile) -> InformationSheet:
    """Store a PDF information sheet through Django's storage, after size and content checks."""
    _require(actor, "settings.manage", "upload information sheets")
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["Give the sheet a title."]
    size = upload.size or 0
    if size == 0:
        errors["file"] = ["The file is empty."]
    elif size > MAX_SHEET_BYTES:
        errors["file"] = ["The file is larger than 5 MB."]
    else:
        upload.seek(0)
        head = upload.read(len(PDF_MAGIC))
        upload.seek(0)
        if head != PDF_MAGIC:
            errors["file"] = ["This is not a PDF file."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        sheet = InformationSheet(
            organisation=_org(actor), title=title[:200], size_bytes=size, uploaded_by=actor
        )
        sheet.file.save("sheet.pdf", upload, save=False)
        sheet.save()
        record(
            "rehab.sheet.uploaded",
            actor=actor,
            obj=sheet,
            changes={"title": [None, sheet.title], "size_bytes": [None, size]},
        )
    return sheet


def retire_information_sheet(*, actor: User, sheet: InformationSheet) -> InformationSheet:
    _require(actor, "settings.manage", "remove information sheets")
    if sheet.organisation_id != _org(actor).pk:
        raise PermissionDenied("This sheet belongs to another organisation.")
    with transaction.atomic():
        sheet.active = False
        sheet.save(update_fields=["active"])
        record("rehab.sheet.retired", actor=actor, obj=sheet, changes={"active": [True, False]})
    return sheet
