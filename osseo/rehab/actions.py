"""Every rehabilitation write, each through the action contract (`osseo.contract.action`): the
permission, one transaction, the rows it checks locked and re-read before their state is checked,
the audit entry. Invalid input is a ValidationError (422); a move the current state forbids is a
`Conflict` (409) naming what it is missing.

Referral access flows through CareTeam rows: a referral opens one for the partner (`since`), and
withdrawing it closes that row (`until`), so `patients_for()` stays the single scope. The writes a
partner makes for a patient (plans, logs, function tests) lock the patient and check, under that
lock, that the partner still cares for them; withdrawing a referral locks the patient too, so the
two cannot cross.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from osseo.accounts.clinic_settings import SPECS
from osseo.accounts.models import (
    ClinicSetting,
    Organisation,
    OrganisationKind,
    Partnership,
    Role,
    User,
)
from osseo.audit.labels import register
from osseo.audit.services import record
from osseo.contract import action, lock
from osseo.errors import Conflict, Missing
from osseo.pathway.models import Episode
from osseo.patients.models import CareTeam, Patient, Referral, ResidualLimb
from osseo.patients.sites import PROFILES, SITES
from osseo.plausible import MAX_YEARS_AHEAD, After, check_date

from . import rules
from .models import (
    FollowUp,
    FunctionTest,
    InformationSheet,
    LoadingProtocol,
    LoadLog,
    Measure,
    ProtocolPhase,
    RehabPlan,
    WalkingAid,
)
from .queries import (
    phases_of,
    prescription_on,
    protocol_values,
    signed_procedures,
    tests_for,
    thresholds_for,
)

register(
    {
        "rehab.referral.made": "Referred to a rehabilitation partner",
        "rehab.referral.withdrawn": "Referral to a rehabilitation partner withdrawn",
        "rehab.letter.viewed": "Referral letter viewed",
        "rehab.protocol.created": "Loading protocol created",
        "rehab.protocol.updated": "Loading protocol changed",
        "rehab.plan.created": "Rehabilitation plan made",
        "rehab.load.logged": "Daily loading logged",
        "rehab.load.corrected": "Daily loading log corrected",
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


# Where the rules behind the refusals come from (docs/sources.md).
GUIDE_REHAB = "patient guide: Post-Surgery Rehabilitation"
NOTES_FOLLOW_UP = "docs/sources.md#follow-up-schedule"


def _org(actor: User) -> Organisation:
    return actor.membership.organisation


def _check_cared_for(actor: User, patient: Patient) -> None:
    """Under the patient's lock: the actor's organisation cares for the patient now (a partner's
    care ends when its referral is withdrawn). A patient acts on their own record."""
    if actor.membership.role == Role.PATIENT:
        return
    org = _org(actor)
    if CareTeam.objects.filter(patient=patient, organisation=org, until__isnull=True).exists():
        return
    raise Conflict(
        f"{org.name} does not care for this patient now: their referral was withdrawn.",
        missing=[
            Missing(
                "active_referral",
                f"An active referral of the patient to {org.name}",
                GUIDE_REHAB,
            )
        ],
    )


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


@action(permission="referral.manage", locks=["patient"])
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
    if organisation.kind != OrganisationKind.REHAB_PARTNER:
        raise ValidationError({"organisation": ["Refer to a rehabilitation partner organisation."]})
    clinic = actor.membership.organisation
    # Only to a partner the clinic works with (issue 19); its row is locked, so the partnership
    # cannot end between this check and the referral.
    if (
        not Partnership.objects.select_for_update()
        .filter(clinic=clinic, partner=organisation, ended_at__isnull=True)
        .exists()
    ):
        raise ValidationError(
            {
                "organisation": [
                    f"{organisation.name} is not one of {clinic.name}'s rehabilitation partners. "
                    "Refer to a listed partner; a clinic administrator adds partners on the "
                    "partners screen."
                ]
            }
        )
    if not signed_procedures(patient).exists():
        raise Conflict(
            "The patient has no signed operative record yet; sign it before referring.",
            missing=[
                Missing(
                    "signed_operative_record",
                    "A signed operative record of the patient's osseointegration surgery",
                    GUIDE_REHAB,
                )
            ],
        )
    if Referral.objects.filter(
        patient=patient, organisation=organisation, withdrawn_at__isnull=True
    ).exists():
        raise Conflict(f"{organisation.name} already has this referral.")
    now = timezone.now()
    team = CareTeam.objects.filter(
        patient=patient, organisation=organisation, until__isnull=True
    ).first() or CareTeam.objects.create(patient=patient, organisation=organisation, since=now)
    referral = Referral.objects.create(
        patient=patient,
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
        patient=patient,
        obj=referral,
        changes={
            "organisation": [None, organisation.slug],
            **({"protocol": [None, protocol.name]} if protocol else {}),
        },
    )
    return referral


@action(permission="referral.manage", locks=["referral"])
def withdraw_referral(*, actor: User, referral: Referral, reason: str) -> Referral:
    """Withdraw a referral: the partner's access to the patient ends now. The patient is locked
    too, so a partner's write for them (which checks its care under that lock) cannot cross it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the referral is withdrawn."]})
    lock(referral.patient)
    if referral.withdrawn_at is not None:
        raise Conflict(
            f"This referral was already withdrawn on "
            f"{timezone.localtime(referral.withdrawn_at):%-d %b %Y}.",
            missing=[
                Missing(
                    "active_referral",
                    f"An active referral to {referral.organisation.name}",
                    GUIDE_REHAB,
                )
            ],
        )
    now = timezone.now()
    referral.withdrawn_at, referral.withdrawn_by, referral.withdrawal_reason = now, actor, reason
    referral.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    CareTeam.objects.filter(pk=referral.care_team_id).update(until=now)
    record(
        "rehab.referral.withdrawn",
        actor=actor,
        patient=referral.patient,
        obj=referral,
        changes={"organisation": [referral.organisation.slug, None], "reason": [None, reason]},
    )
    return referral


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
    "ramp",
    "floor_percent_body_weight",
    "floor_kg",
    "target_amount",
    "floor_amount",
)


def _clean_protocol(data: dict[str, Any]) -> tuple[dict[str, Any], list[rules.Phase]]:
    errors: dict[str, list[str]] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = ["Give the protocol a name."]
    phases: list[rules.Phase] = []
    for n, raw in enumerate(data.get("phases") or [], start=1):
        values = {k: raw.get(k) for k in PHASE_FIELDS}
        pct = _tenth(
            _decimal(
                errors,
                f"phases.{n}.target_percent_body_weight",
                values["target_percent_body_weight"],
            )
        )
        kg = _tenth(_decimal(errors, f"phases.{n}.target_kg", values["target_kg"]))
        floor_pct = _tenth(
            _decimal(
                errors,
                f"phases.{n}.floor_percent_body_weight",
                values["floor_percent_body_weight"],
            )
        )
        floor_kg = _tenth(_decimal(errors, f"phases.{n}.floor_kg", values["floor_kg"]))
        amount = _tenth(_decimal(errors, f"phases.{n}.target_amount", values["target_amount"]))
        floor_amount = _tenth(_decimal(errors, f"phases.{n}.floor_amount", values["floor_amount"]))
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
                    ramp=bool(values["ramp"]),
                    floor_percent_body_weight=floor_pct,
                    floor_kg=floor_kg,
                    target_amount=amount,
                    floor_amount=floor_amount,
                )
            )
        except (TypeError, ValueError):
            errors.setdefault(f"phases.{n}", []).append(f"Phase {n}: enter whole numbers for days.")
    sites = data.get("sites") or []
    if not isinstance(sites, list) or any(site not in SITES for site in sites):
        errors["sites"] = [f"Name the sites it applies to, of: {', '.join(SITES)}."]
    measure = data.get("measure") or Measure.LOAD
    if measure not in Measure.values:
        errors["measure"] = [f"Choose one of: {', '.join(Measure.values)}."]
    if not (data.get("source") or "").strip():
        # A phase matches its cited source only when there is one: a clinic's own programme
        # stays "not validated" (docs/sources.md#rehab-protocols).
        for n, phase in enumerate(phases, start=1):
            if phase.validated:
                errors.setdefault(f"phases.{n}.validated", []).append(
                    f"Phase {n}: only a phase of a programme with a cited source can be marked "
                    "as matching it; name the source or leave the phase not validated."
                )
    if not errors:
        for field, message in rules.phase_problems(phases, measure).items():
            errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)
    return {
        "name": name[:200],
        "source": (data.get("source") or "").strip()[:500],
        "notes": (data.get("notes") or "").strip(),
        "sites": [site for site in SITES if site in sites],
        "measure": measure,
    }, phases


def _tenth(number: Decimal | None) -> Decimal | None:
    """A target as stored (to 0.1), so that a value sent again compares equal to the stored one."""
    return None if number is None else number.quantize(Decimal("0.1"))


def _in_order(phases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(phases, key=lambda p: (p["start_day"], p["end_day"]))


def _write_phases(protocol: LoadingProtocol, phases: list[rules.Phase]) -> None:
    protocol.phases.all().delete()
    ProtocolPhase.objects.bulk_create(
        ProtocolPhase(protocol=protocol, **p.as_dict()) for p in phases
    )


@action(permission="protocol.manage")
def create_protocol(*, actor: User, data: dict[str, Any]) -> LoadingProtocol:
    """A protocol of the actor's organisation."""
    values, phases = _clean_protocol(data)
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


PROTOCOL_FIELDS = ("name", "source", "notes", "sites", "measure", "phases")


@action(permission="protocol.manage", locks=["protocol"])
def update_protocol(
    *,
    actor: User,
    protocol: LoadingProtocol,
    data: dict[str, Any],
    if_match: str | None = None,
) -> LoadingProtocol:
    """Change the protocol's name, source, notes and phases named in `data` (the API's PUT names
    them all; the editor, those its user changed) over the current row, locked and re-read by the
    contract; `if_match` refuses the change (412) once the protocol is at another version.
    Shipped references are read-only (copy one to edit it); plans already made keep the phases
    they were made with."""
    if protocol.organisation_id != _org(actor).pk:
        raise PermissionDenied(
            "Only your organisation's own protocols can be edited; copy a reference protocol first."
        )
    before = protocol_values(protocol)
    values, phases = _clean_protocol(
        {**before, **{k: v for k, v in data.items() if k in PROTOCOL_FIELDS}}
    )
    after = {**values, "phases": [p.as_dict() for p in phases]}
    changes = {
        k: [before[k], after[k]]
        for k in PROTOCOL_FIELDS
        if (_in_order(before[k]) != _in_order(after[k]) if k == "phases" else before[k] != after[k])
    }
    if not changes:
        return protocol
    for name in ("name", "source", "notes", "sites", "measure"):
        setattr(protocol, name, values[name])
    # Saved even when only the phases changed: the protocol's version is the phases' too.
    protocol.save(update_fields=[*(k for k in changes if k != "phases"), "updated_at"])
    if "phases" in changes:
        _write_phases(protocol, phases)
    record("rehab.protocol.updated", actor=actor, obj=protocol, changes=changes)
    return protocol


@action(permission="protocol.manage", locks=["protocol"])
def copy_protocol(*, actor: User, protocol: LoadingProtocol) -> LoadingProtocol:
    """The organisation's own editable copy of a protocol (e.g. to complete Radboud slow)."""
    return create_protocol(
        actor=actor,
        data={
            "name": f"{protocol.name} (copy)",
            "source": protocol.source,
            "notes": protocol.notes,
            "sites": list(protocol.sites),
            "measure": protocol.measure,
            "phases": [p.as_dict() for p in phases_of(protocol)],
        },
    )


# --- Plans and logs --------------------------------------------------------------------------


def _plan_end(start: dt.date, phases: list[dict[str, Any]] | list[rules.Phase]) -> dt.date:
    last = max(p.end_day if isinstance(p, rules.Phase) else int(p["end_day"]) for p in phases)
    return start + dt.timedelta(days=last - 1)


def _plan_limb(patient: Patient, limb: ResidualLimb | None) -> ResidualLimb:
    """The treated limb: the one named (of this patient), else the patient's only limb."""
    limbs = list(patient.limbs.all())
    if limb is not None:
        if limb.patient_id != patient.pk:
            raise ValidationError({"limb": ["Choose one of this patient's limbs."]})
        return limb
    if len(limbs) == 1:
        return limbs[0]
    if not limbs:
        raise ValidationError({"limb": ["Record the patient's treated limb first."]})
    raise ValidationError({"limb": [f"The patient has {len(limbs)} limbs: name the treated limb."]})


@action(permission="rehab.write", locks=["patient", "protocol"])
def create_plan(
    *,
    actor: User,
    patient: Patient,
    protocol: LoadingProtocol,
    start_date: dt.date,
    body_weight_kg: Any,
    limb: ResidualLimb | None = None,
) -> RehabPlan:
    """A loading plan for one limb of a patient the actor's organisation cares for
    (post-operative, or pre-operative conditioning). The protocol's phases are copied into the
    plan. Refused (422) when the protocol does not apply to the limb's site; refused (409) while
    the protocol has a phase without a prescription, or while another plan for that limb runs
    over the same days (one active plan per limb)."""
    errors: dict[str, list[str]] = {}
    phases = phases_of(protocol)
    # The body weight turns % body weight targets into kg; a programme without them needs none.
    needs_weight = any(
        p.target_percent_body_weight is not None or p.floor_percent_body_weight is not None
        for p in phases
    )
    weight = _decimal(errors, "body_weight_kg", body_weight_kg)
    if weight is None and "body_weight_kg" not in errors and needs_weight:
        errors["body_weight_kg"] = [
            "Enter the body weight in kg: the programme's targets are in % body weight."
        ]
    elif weight is not None and not Decimal(20) <= weight <= MAX_BODY_WEIGHT_KG:
        errors["body_weight_kg"] = ["Enter a body weight from 20 to 400 kg."]
    amputated = patient.limbs.exclude(amputation_date=None).order_by("amputation_date").first()
    check_date(
        errors,
        "start_date",
        start_date,
        patient=patient,
        after=[After(amputated.amputation_date if amputated else None, "the amputation")],
        planned=True,
    )
    if errors:
        raise ValidationError(errors)
    _check_cared_for(actor, patient)
    limb = _plan_limb(patient, limb)
    if limb.site not in protocol.sites:
        covered = ", ".join(PROFILES[s].label for s in protocol.sites) or "no site yet"
        raise ValidationError(
            {
                "protocol": [
                    f"{protocol.name} does not apply to the {PROFILES[limb.site].label} "
                    f"(site {limb.site}); it applies to: {covered}."
                ]
            }
        )
    if not phases:
        raise Conflict(
            f"The protocol {protocol.name} has no phases.",
            missing=[Missing("protocol_phases", "A protocol with at least one phase", "")],
        )
    empty = [n for n, p in enumerate(phases, start=1) if p.empty]
    if empty:
        raise Conflict(
            f"The protocol {protocol.name} has phases without a prescription; copy it and "
            "fill them before assigning it.",
            missing=[
                Missing(
                    f"phase_{n}_prescription",
                    f"Phase {n} (days {phases[n - 1].start_day}-{phases[n - 1].end_day}) needs "
                    f"a target in {rules.MEASURE_WORDS[protocol.measure]}.",
                    protocol.source,
                )
                for n in empty
            ],
        )
    end = _plan_end(start_date, phases)
    for other in RehabPlan.objects.filter(limb=limb, start_date__lte=end):
        if _plan_end(other.start_date, other.phases) >= start_date:
            raise Conflict(
                f"The {limb} already has a plan over these days ({other.protocol_name} from "
                f"{other.start_date:%d %b %Y}).",
                missing=[
                    Missing(
                        "one_active_plan_per_limb",
                        "One active loading plan per limb: start after the current plan ends.",
                        "",
                    )
                ],
            )
    plan = RehabPlan.objects.create(
        patient=patient,
        limb=limb,
        organisation=_org(actor),
        protocol=protocol,
        protocol_name=protocol.name,
        protocol_source=protocol.source,
        phases=[p.as_dict() for p in phases],
        measure=protocol.measure,
        start_date=start_date,
        body_weight_kg=None if weight is None else weight.quantize(Decimal("0.1")),
        created_by=actor,
    )
    record(
        "rehab.plan.created",
        actor=actor,
        patient=patient,
        obj=plan,
        changes={
            "protocol": [None, protocol.name],
            "limb": [None, str(limb)],
            "start_date": [None, start_date],
            **(
                {"body_weight_kg": [None, str(plan.body_weight_kg)]}
                if plan.body_weight_kg is not None
                else {}
            ),
        },
    )
    return plan


@action(permission="rehab.log", locks=["plan"])
def log_load(
    *, actor: User, plan: RehabPlan, data: dict[str, Any], today: dt.date | None = None
) -> LoadLog:
    """One day's loading; the flags are worked out against that day's prescription and stored
    with it (with the clinic's thresholds in force then). One log a day: the plan is locked, so
    the same day sent twice at once is logged once."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    on = data.get("date")
    if not isinstance(on, dt.date):
        errors["date"] = ["Enter the date as YYYY-MM-DD."]
    elif on < plan.start_date:
        errors["date"] = [f"The plan starts on {plan.start_date:%d %b %Y}; log from then on."]
    elif on > today:
        errors["date"] = ["A day cannot be logged before it happens."]
    else:
        check_date(errors, "date", on, patient=plan.patient)
    values = _log_values(errors, plan, data, {})
    pain = values["pain_nrs"]
    if errors:
        raise ValidationError(errors)
    assert isinstance(on, dt.date) and isinstance(pain, int)
    lock(plan.patient)
    _check_cared_for(actor, plan.patient)
    if plan.logs.filter(date=on).exists():
        raise Conflict(f"{on:%d %b %Y} is already logged for this plan.")
    rx = prescription_on(plan, on)
    limits = thresholds_for(plan.patient)
    flags = rules.log_flags(
        rx,
        _amount(plan, values),
        pain,
        under_share=limits.under_share,
        over_share=limits.over_share,
    )
    log = LoadLog.objects.create(
        plan=plan,
        date=on,
        **values,
        prescribed_kg=rx.target_kg if plan.measure == Measure.LOAD else None,
        prescribed_amount=rx.target,
        flags=flags,
        logged_by=actor,
    )
    record(
        "rehab.load.logged",
        actor=actor,
        patient=plan.patient,
        obj=log,
        changes={
            "date": [None, on],
            **{
                k: [None, str(v) if isinstance(v, Decimal) else v]
                for k, v in values.items()
                if v not in (None, "")
            },
            **({"flags": [None, flags]} if flags else {}),
        },
    )
    return log


# The field that carries a day's amount in each measure, and its bounds and words.
AMOUNT_FIELD = {
    Measure.LOAD: "applied_kg",
    Measure.WEAR_HOURS: "wear_hours",
    Measure.MINUTES: "minutes",
}


def _log_values(
    errors: dict[str, list[str]], plan: RehabPlan, data: dict[str, Any], current: dict[str, Any]
) -> dict[str, Any]:
    """A day's values from `data` over `current` (a correction names only what changes), checked:
    the field of the plan's measure is required, the others optional."""
    values: dict[str, Any] = {}
    wanted = AMOUNT_FIELD[Measure(plan.measure)]

    def number(name: str, top: Decimal, words: str, whole: bool = False) -> None:
        if name not in data and name in current:
            values[name] = current[name]
            return
        value = _decimal(errors, name, data.get(name))
        if value is None and name not in errors and name == wanted:
            errors[name] = [f"Enter the {words} (this plan is in {plan.get_measure_display()})."]
        elif value is not None and not Decimal(0) <= value <= top:
            errors[name] = [f"Enter the {words}, from 0 to {top}."]
        elif value is not None and whole and value != value.to_integral_value():
            errors[name] = [f"Enter the {words} as a whole number."]
        values[name] = (
            None if value is None else (int(value) if whole else value.quantize(Decimal("0.1")))
        )

    number("applied_kg", MAX_BODY_WEIGHT_KG, "load applied, in kg")
    number("wear_hours", Decimal(24), "hours worn")
    number("minutes", Decimal(1440), "minutes of loading", whole=True)
    pain = data.get("pain_nrs", current.get("pain_nrs"))
    if not isinstance(pain, int) or isinstance(pain, bool) or not 0 <= pain <= 10:
        errors["pain_nrs"] = ["Enter the pain score as a whole number from 0 to 10 (NRS)."]
    values["pain_nrs"] = pain
    aid = data.get("walking_aid", current.get("walking_aid", "")) or ""
    if aid and aid not in WalkingAid.values:
        errors["walking_aid"] = [f"Choose one of: {', '.join(WalkingAid.values)}."]
    values["walking_aid"] = aid
    return values


def _amount(plan: RehabPlan, values: dict[str, Any]) -> Decimal:
    amount = values[AMOUNT_FIELD[Measure(plan.measure)]]
    return Decimal(amount)


@action(permission="rehab.log", locks=["log"])
def correct_load_log(*, actor: User, log: LoadLog, data: dict[str, Any], reason: str) -> LoadLog:
    """Its author corrects a day's log (the load, pain, aid or hours named in `data`), with the
    reason; the flags are worked out again against that day's prescription and the change, with
    before and after, goes into the audit."""
    if log.logged_by_id != actor.pk:
        raise PermissionDenied("Only the person who logged a day corrects it.")
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = ["Say why the log is corrected."]
    plan = log.plan
    current = {k: getattr(log, k) for k in (*AMOUNT_FIELD.values(), "pain_nrs", "walking_aid")}
    values = _log_values(errors, plan, data, current)
    if errors:
        raise ValidationError(errors)
    pain = values["pain_nrs"]
    assert isinstance(pain, int)
    _check_cared_for(actor, plan.patient)
    others = [g for g in plan.logs.all() if g.pk != log.pk]
    rx = prescription_on(plan, log.date, others)
    limits = thresholds_for(plan.patient)
    flags = rules.log_flags(
        rx,
        _amount(plan, values),
        pain,
        under_share=limits.under_share,
        over_share=limits.over_share,
    )
    after = {**values, "flags": flags}
    changes = {
        k: [
            str(getattr(log, k)) if isinstance(getattr(log, k), Decimal) else getattr(log, k),
            str(v) if isinstance(v, Decimal) else v,
        ]
        for k, v in after.items()
        if getattr(log, k) != v
    }
    if not changes:
        return log
    for k, v in after.items():
        setattr(log, k, v)
    log.save(update_fields=list(after))
    record(
        "rehab.load.corrected",
        actor=actor,
        patient=plan.patient,
        obj=log,
        changes={**changes, "reason": [None, reason.strip()]},
    )
    return log


# --- Function tests and follow-up --------------------------------------------------------------


@action(permission="rehab.write", locks=["patient"])
def record_function_test(*, actor: User, patient: Patient, data: dict[str, Any]) -> FunctionTest:
    errors: dict[str, list[str]] = {}
    kind = data.get("kind") or ""
    value = _decimal(errors, "value", data.get("value"))
    if value is None and "value" not in errors:
        errors["value"] = ["Enter the result."]
    elif value is not None and (problem := rules.function_test_problem(kind, value)):
        errors["kind" if kind not in rules.FUNCTION_TESTS else "value"] = [problem]
    if kind in rules.FUNCTION_TESTS and kind not in (offered := tests_for(patient)):
        sites = ", ".join(sorted({limb.site for limb in patient.limbs.all()})) or "none"
        errors["kind"] = [
            f"{rules.FUNCTION_TESTS[kind].display} does not apply to this patient's site "
            f"({sites}); the tests that do are: {', '.join(offered) or 'none'}."
        ]
    on = data.get("performed_on")
    if not isinstance(on, dt.date):
        errors["performed_on"] = ["Enter the date as YYYY-MM-DD."]
    elif on > timezone.localdate():
        errors["performed_on"] = ["A test cannot be recorded before it is done."]
    else:
        check_date(errors, "performed_on", on, patient=patient)
    if errors:
        raise ValidationError(errors)
    assert value is not None and isinstance(on, dt.date)
    _check_cared_for(actor, patient)
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


@action(permission="followup.record", locks=["episode"])
def record_follow_up(
    *,
    actor: User,
    episode: Episode,
    due_date: dt.date,
    done_on: dt.date,
    notes: str = "",
) -> FollowUp:
    """A follow-up visit held, against the scheduled visit (`due_date`) it satisfies. The
    episode is locked, so the same visit recorded twice at once is recorded once."""
    from .queries import schedule_for, surgery_date

    window: dict[str, list[str]] = {}
    if isinstance(done_on, dt.date) and done_on > timezone.localdate():
        window["done_on"] = ["A visit cannot be recorded before it happens."]
    else:
        check_date(window, "done_on", done_on, patient=episode.patient)
    # A due date is a scheduled one (checked below); first, one the schedule can reach at all.
    check_date(window, "due_date", due_date, planned=True, years_ahead=MAX_YEARS_AHEAD)
    if window:
        raise ValidationError(window)
    surgery = surgery_date(episode)
    if surgery is None:
        raise Conflict(
            "This episode has no signed implantation to follow up from.",
            missing=[
                Missing(
                    "signed_implantation",
                    "A signed operative record of the implantation (single-stage or final stage)",
                    NOTES_FOLLOW_UP,
                )
            ],
        )
    errors: dict[str, list[str]] = {}
    scheduled = {
        v.due
        for v in schedule_for(
            episode, surgery, _org(actor), max(due_date, done_on) + dt.timedelta(days=1)
        )
    }
    if due_date not in scheduled:
        errors["due_date"] = ["This date is not a scheduled follow-up visit for the episode."]
    if done_on < surgery:
        errors["done_on"] = ["The visit date is before the surgery."]
    if errors:
        raise ValidationError(errors)
    held = FollowUp.objects.filter(episode=episode, due_date=due_date).first()
    if held is not None:
        raise Conflict(
            f"The visit due on {due_date:%-d %b %Y} is already recorded "
            f"(seen on {held.done_on:%-d %b %Y})."
        )
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


@action(permission="settings.manage")
def set_rehab_setting(
    *, actor: User, key: str, value: Any, source: str = "", validated: bool = False
) -> ClinicSetting:
    """Set one of the clinic's rehabilitation settings, with its source (or "not validated"). The
    setting's row is locked (made first when the clinic has none yet), so two changes of it are
    written one after the other; setting what it already holds writes nothing."""
    if key not in REHAB_SETTINGS or key not in SPECS:
        raise ValidationError({"key": [f"Unknown rehabilitation setting {key!r}."]})
    clean = _check_setting(key, value)
    source = (source or "").strip()[:300]
    if validated and not source and key != "stoma_care_instructions":
        raise ValidationError({"source": ["Name the source that validates this value."]})
    org = _org(actor)
    now = timezone.now()
    row, created = ClinicSetting.objects.select_for_update().get_or_create(
        organisation=org,
        key=key,
        defaults={
            "value": clean,
            "source": source,
            "validated": validated,
            "set_by": actor,
            "set_at": now,
        },
    )
    if created:
        before: Any = SPECS[key].default
    elif (row.value, row.source, row.validated) == (clean, source, validated):
        return row
    else:
        before = row.value
        row.value, row.source, row.validated = clean, source, validated
        row.set_by, row.set_at = actor, now
        row.save(update_fields=["value", "source", "validated", "set_by", "set_at"])
    record(
        "rehab.setting.changed",
        actor=actor,
        obj=org,
        changes={key: [before, clean], "validated": [None, validated]},
    )
    return row


@action(permission="settings.manage")
def set_rehab_settings(
    *, actor: User, settings: dict[str, tuple[Any, str, bool]]
) -> list[ClinicSetting]:
    """Set several rehabilitation settings at once, each `key: (value, source, validated)` (the
    settings form): all of them or, when one is refused, none."""
    return [
        set_rehab_setting(actor=actor, key=key, value=value, source=source, validated=validated)
        for key, (value, source, validated) in settings.items()
    ]


@action(permission="settings.manage")
def upload_information_sheet(*, actor: User, title: str, upload: UploadedFile) -> InformationSheet:
    """Store a PDF information sheet through Django's storage, after size and content checks."""
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


@action(permission="settings.manage", locks=["sheet"])
def retire_information_sheet(*, actor: User, sheet: InformationSheet) -> InformationSheet:
    """Stop handing a sheet to the partners (its file is kept for the record)."""
    if sheet.organisation_id != _org(actor).pk:
        raise PermissionDenied("This sheet belongs to another organisation.")
    if not sheet.active:
        raise Conflict(
            f"{sheet.title} was already removed.",
            missing=[Missing("active_sheet", "An information sheet in use", "")],
        )
    sheet.active = False
    sheet.save(update_fields=["active"])
    record("rehab.sheet.retired", actor=actor, obj=sheet, changes={"active": [True, False]})
    return sheet
