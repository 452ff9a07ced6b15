"""Every write of the surgery app, each through the action contract (`osseo.contract.action`):
the permission, one transaction, the rows it checks locked and re-read before their state is
checked, input refused with `ValidationError` (422), a move the state forbids with `Conflict`
(409, listing what is missing), and the audit entry inside the transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from osseo.accounts.clinic_settings import resolve
from osseo.accounts.disciplines import Discipline
from osseo.accounts.models import User
from osseo.audit.labels import register
from osseo.audit.services import record
from osseo.contract import action
from osseo.errors import Conflict, Missing
from osseo.pathway import gates
from osseo.pathway.actions import pass_gate
from osseo.pathway.models import Episode, Phase
from osseo.patients.models import FundingRoute
from osseo.plausible import MAX_YEARS_AHEAD, After, check_date

from . import eligibility, lifecycle, mdt, rules
from .gs1 import UDIError, parse_udi
from .hibcc import HIBCCError, looks_like_hibcc, parse_hibcc
from .models import (
    CONNECTOR_KINDS,
    Assessment,
    AssessmentParticipant,
    Decision,
    Device,
    DeviceKind,
    DeviceStatus,
    ImplantCatalogueItem,
    Indication,
    OperativeRecordVersion,
    PlannedStage,
    Procedure,
    ProcedureKind,
    RecordStatus,
    RemovalReason,
    Strategy,
    SurgicalPlan,
)
from .operative import DeviceFact, clean_record, record_diff, signing_problems
from .systems import ImplantSystem, system_for

register(
    {
        "surgery.assessment.recorded": "Eligibility assessment recorded",
        "surgery.plan.created": "Surgical plan created",
        "surgery.plan.updated": "Surgical plan changed",
        "surgery.plan.anaesthesia_agreed": "Anaesthetist agreed the anaesthesia plan",
        "surgery.procedure.started": "Procedure record started",
        "surgery.record.saved": "Operative record saved (draft)",
        "surgery.record.signed": "Operative record signed",
        "surgery.record.amended": "Operative record amended",
        "surgery.device.placed": "Device placed",
        "surgery.device.removed": "Device removed",
        "surgery.catalogue.added": "Catalogue item added",
        "surgery.catalogue.retired": "Catalogue item retired",
        "surgery.guide.viewed": "Personalised guide viewed",
    }
)


def _decimal(errors: dict[str, list[str]], name: str, value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors.setdefault(name, []).append("Enter a number of millimetres.")
        return None
    if not Decimal("0") < number < Decimal("1000"):
        errors.setdefault(name, []).append("Enter a length between 0 and 1000 mm.")
        return None
    return number


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _after_limb(episode: Episode) -> list[After]:
    """The bound a date on the treated limb's record cannot precede: its amputation."""
    return [After(episode.limb.amputation_date, "the amputation")]


def _months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def assessment_flags(episode: Episode, values: dict[str, Any]) -> list[eligibility.Flag]:
    patient, limb = episode.patient, episode.limb
    on = values.get("assessed_on") or timezone.localdate()
    months = values.get("prosthetic_rehab_months")
    return eligibility.eligibility_flags(
        age_years=_age(patient.birth_date, on),
        dysvascular=bool(values.get("dysvascular")),
        active_infection=bool(values.get("active_infection")),
        short_or_poor_bone=bool(values.get("short_or_poor_bone")),
        months_since_amputation=_months_between(limb.amputation_date, on)
        if limb.amputation_date
        else None,
        limb_cause=limb.cause,
        prior_socket_use=values.get("prior_socket_use"),
        prosthetic_rehab_months=months if isinstance(months, int) else None,
    )


def _phase_conflict(message: str, code: str, label: str) -> Conflict:
    """A refusal because the episode is not in the phase the action needs."""
    return Conflict(message, missing=[Missing(code, label, "")])


def _clinic_of(episode: Episode) -> Any:
    team = episode.patient.care_teams.filter(organisation__kind="oi_clinic").first()
    return team.organisation if team else None


def _decider(
    errors: dict[str, list[str]], value: Any, participants: list[mdt.Participant]
) -> User | None:
    """The surgeon who made the decision: one of the participants, taking part as surgeon."""
    surgeons = [p.user for p in participants if p.user is not None and p.discipline == "surgeon"]
    chosen = next(
        (u for u in surgeons if value in (u, str(u.uuid), u.uuid)),
        None,
    )
    if chosen is None:
        errors["decided_by"] = [
            "The decision is made by a surgeon who took part in the MDT (NICE IPG270, "
            "docs/sources.md#nice-ipg270); choose them among the participants."
        ]
    return chosen


@action(permission="assessment.record", locks=["episode"])
def record_assessment(*, actor: User, episode: Episode, data: dict[str, Any]) -> Assessment:
    """The MDT's assessment; flags inform, the MDT decides. The MDT names its participants with
    their disciplines and must include the clinic's required disciplines (at least a surgeon, a
    rehabilitation physician and a prosthetist: NICE IPG270); the decision is made by a surgeon
    who took part, whoever records it, and "eligible" over any flag needs a reason written by
    that surgeon. Only in the assessment phase (the episode is locked)."""
    errors: dict[str, list[str]] = {}
    assessed_on = data.get("assessed_on") or timezone.localdate()
    check_date(
        errors, "assessed_on", assessed_on, patient=episode.patient, after=_after_limb(episode)
    )
    participants, problems = mdt.clean_participants(
        data.get("participants"), patient=episode.patient, actor=actor
    )
    if problems:
        errors["participants"] = problems
    else:
        lacking = mdt.composition_missing(
            participants, mdt.required_disciplines(_clinic_of(episode))
        )
        if lacking:
            names = ", ".join(
                Discipline(m.code.removeprefix("mdt_")).label.lower() for m in lacking
            )
            errors["participants"] = [f"The MDT lacks: {names} ({lacking[0].source})."]
    decided_by = _decider(errors, data.get("decided_by"), participants) if participants else None
    indications = list(data.get("indications") or [])
    if any(i not in Indication.values for i in indications):
        errors["indications"] = [f"Indications are: {', '.join(Indication.values)}."]
    decision = data.get("decision")
    if decision not in Decision.values:
        errors["decision"] = [f"Choose one of: {', '.join(Decision.values)}."]
    modality = data.get("imaging_modality") or ""
    if modality not in ("", "xray", "ct", "mri"):
        errors["imaging_modality"] = ["Imaging is xray, ct or mri."]
    smoking = data.get("smoking") or ""
    if smoking not in ("", "never", "former", "current"):
        errors["smoking"] = ["Smoking is never, former or current."]
    funding = data.get("funding_route") or ""
    if funding and funding not in FundingRoute.values:
        errors["funding_route"] = [f"Choose one of: {', '.join(FundingRoute.values)}."]
    socket_use = data.get("prior_socket_use")
    if socket_use not in (None, True, False):
        errors["prior_socket_use"] = ["Answer yes, no, or leave it unknown."]
    rehab_months = data.get("prosthetic_rehab_months")
    if rehab_months in ("", None):
        rehab_months = None
    elif (
        isinstance(rehab_months, bool)
        or not isinstance(rehab_months, int)
        or not (0 <= rehab_months <= 1200)
    ):
        errors["prosthetic_rehab_months"] = ["Enter a whole number of months, 0 to 1200."]
        rehab_months = None
    diameter = _decimal(errors, "canal_diameter_mm", data.get("canal_diameter_mm"))
    length = _decimal(errors, "usable_length_mm", data.get("usable_length_mm"))
    reason = str(data.get("decision_reason") or "").strip()
    flags = assessment_flags(
        episode,
        {
            **data,
            "prosthetic_rehab_months": rehab_months,
            "assessed_on": assessed_on if isinstance(assessed_on, dt.date) else None,
        },
    )
    if decision in Decision.values and (
        problem := eligibility.decision_problem(decision, flags, reason)
    ):
        errors["decision_reason"] = [problem]
    elif decision == Decision.ELIGIBLE and flags and decided_by is not None and actor != decided_by:
        errors["decision_reason"] = [
            "Deciding eligible despite the flags needs a reason written by the deciding surgeon "
            f"({decided_by.get_full_name() or decided_by.username}): they record this decision "
            "themselves."
        ]
    if decision == Decision.NOT_ELIGIBLE and not reason:
        errors.setdefault("decision_reason", []).append("Record the reasons for the decision.")
    if errors:
        raise ValidationError(errors)
    if episode.phase != Phase.ASSESSMENT:
        raise _phase_conflict(
            "An assessment cannot be recorded now.",
            "episode_in_assessment",
            f"Assessments are recorded in the assessment phase, not {episode.get_phase_display()}.",
        )
    assessment = Assessment.objects.create(
        episode=episode,
        assessed_on=assessed_on,
        indications=indications,
        indication_notes=str(data.get("indication_notes") or ""),
        prior_socket_use=socket_use,
        prosthetic_rehab_months=rehab_months,
        dysvascular=bool(data.get("dysvascular")),
        diabetes=bool(data.get("diabetes")),
        smoking=smoking,
        short_or_poor_bone=bool(data.get("short_or_poor_bone")),
        active_infection=bool(data.get("active_infection")),
        expectations_discussed=bool(data.get("expectations_discussed")),
        imaging_modality=modality,
        canal_diameter_mm=diameter,
        usable_length_mm=length,
        flags=[
            {"code": f.code, "text": f.text, "source": f.source, "suggests": f.suggests}
            for f in flags
        ],
        decision=str(decision),
        decision_reason=reason,
        funding_route=funding,
        decided_by=decided_by,
        recorded_by=actor,
    )
    for p in participants:
        AssessmentParticipant.objects.create(
            assessment=assessment,
            user=p.user,
            name=p.name,
            organisation=p.organisation,
            discipline=p.discipline,
        )
    record(
        "surgery.assessment.recorded",
        actor=actor,
        patient=episode.patient,
        obj=assessment,
        changes={
            "decision": [None, decision],
            "flags": [None, [f.code for f in flags]],
            "decided_by": [None, decided_by.username if decided_by else None],
            "participants": [
                None,
                [
                    f"{p.user.username if p.user else p.name} ({Discipline(p.discipline).label})"
                    for p in participants
                ],
            ],
        },
    )
    return assessment


def stage_window(episode: Episode) -> rules.Window:
    """The clinic's stage window setting (default: the guide's 4 to 6 months)."""
    org = episode.patient.care_teams.filter(organisation__kind="oi_clinic").first()
    setting = resolve(org.organisation if org else None, "stage_window")
    value = setting.value
    return rules.Window(int(value["min"]), int(value["max"]), value["unit"], source=setting.label)


def _plan_values(
    episode: Episode, data: dict[str, Any], *, instance: SurgicalPlan | None
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    site = episode.limb.site
    strategy = data.get("strategy") or rules.recommended_strategy(site)
    reason = str(data.get("strategy_reason") or "").strip()
    if strategy not in Strategy.values:
        errors["strategy"] = ["Choose single_stage or staged."]
    elif problem := rules.strategy_problem(site, strategy, reason):
        errors["strategy_reason"] = [problem]
    anaesthesia = data.get("anaesthesia") or ""
    if problem := rules.anaesthesia_problem(site, anaesthesia):
        errors["anaesthesia"] = [problem]
    fixation = data.get("fixation") or rules.default_fixation(site)
    if fixation not in rules.FIXATIONS:
        errors["fixation"] = ["Choose press_fit or threaded."]
    implant = data.get("implant")
    if implant is not None and not isinstance(implant, ImplantCatalogueItem):
        errors["implant"] = ["Choose an implant from the catalogue."]
    if isinstance(implant, ImplantCatalogueItem) and implant.site and implant.site != site:
        errors["implant"] = ["That implant is for another site."]
    planned = data.get("planned_date")
    check_date(
        errors,
        "planned_date",
        planned,
        patient=episode.patient,
        after=_after_limb(episode),
        planned=True,
        required=False,
    )
    stages = data.get("stages") or []
    window = stage_window(episode)
    clean_stages = []
    if strategy == Strategy.STAGED:
        previous = planned
        for index, stage in enumerate(stages, start=2):
            when = stage.get("planned_date")
            why = str(stage.get("outside_window_reason") or "").strip()
            if when is not None and not check_date(
                errors,
                f"stages.{index}",
                when,
                patient=episode.patient,
                after=[*_after_limb(episode), After(previous, "the stage before")],
                planned=True,
            ):
                when = None
            problem = (
                rules.date_problem(when, previous, window, why)
                if when is not None and previous is not None
                else None
            )
            if problem:
                errors.setdefault(f"stages.{index}", []).append(problem)
            clean_stages.append((index, when, why))
            previous = when or previous
    if errors:
        raise ValidationError(errors)
    return {
        "strategy": strategy,
        "strategy_reason": reason,
        "anaesthesia": anaesthesia,
        "fixation": fixation,
        "implant": implant,
        "planned_date": planned,
        "notes": str(data.get("notes") or ""),
        "window_min": window.minimum,
        "window_max": window.maximum,
        "window_unit": window.unit,
        "_stages": clean_stages,
    }


@action(permission="plan.edit", locks=["episode"])
def create_plan(*, actor: User, episode: Episode, data: dict[str, Any]) -> SurgicalPlan:
    """The episode's surgical plan, made in the assessment or planning phase."""
    values = _plan_values(episode, data, instance=None)
    stages = values.pop("_stages")
    if episode.phase not in (Phase.PLANNING, Phase.ASSESSMENT):
        raise _phase_conflict(
            "A plan cannot be made now.",
            "episode_in_planning",
            "Plans are made in the planning phase.",
        )
    plan = SurgicalPlan.objects.create(episode=episode, created_by=actor, **values)
    for number, when, why in stages:
        PlannedStage.objects.create(
            plan=plan, number=number, planned_date=when, outside_window_reason=why
        )
    record(
        "surgery.plan.created",
        actor=actor,
        patient=episode.patient,
        obj=plan,
        changes={
            "strategy": [None, plan.strategy],
            "anaesthesia": [None, plan.anaesthesia],
            "fixation": [None, plan.fixation],
            "implant": [None, str(plan.implant) if plan.implant else None],
        },
    )
    return plan


@action(permission="plan.edit", locks=["plan"])
def update_plan(
    *, actor: User, plan: SurgicalPlan, data: dict[str, Any], if_match: str | None = None
) -> SurgicalPlan:
    """Change the plan's fields named in `data`, over the current plan (locked and re-read by the
    contract), so a colleague's change to another field survives; `if_match` refuses the change
    (412) when the plan is no longer at that version. A changed anaesthesia plan needs agreeing
    again."""
    stages_now = [(s.number, s.planned_date, s.outside_window_reason) for s in plan.stages.all()]
    current = {
        "strategy": plan.strategy,
        "strategy_reason": plan.strategy_reason,
        "anaesthesia": plan.anaesthesia,
        "fixation": plan.fixation,
        "implant": plan.implant,
        "planned_date": plan.planned_date,
        "notes": plan.notes,
        "stages": [{"planned_date": d, "outside_window_reason": r} for _n, d, r in stages_now],
    }
    values = _plan_values(plan.episode, {**current, **data}, instance=plan)
    stages = values.pop("_stages")
    changes: dict[str, Any] = {
        k: [str(getattr(plan, k)), str(v)] for k, v in values.items() if getattr(plan, k) != v
    }
    fields = list(changes)
    if stages != stages_now:
        changes["stages"] = [
            [str(d) for _n, d, _r in stages_now],
            [str(d) for _n, d, _r in stages],
        ]
    if not changes:
        return plan
    for name in fields:
        setattr(plan, name, values[name])
    if "anaesthesia" in changes and plan.anaesthesia_agreed_by_id is not None:
        plan.anaesthesia_agreed_by = None
        plan.anaesthesia_agreed_at = None
        fields += ["anaesthesia_agreed_by", "anaesthesia_agreed_at"]
        changes["anaesthesia_agreed"] = [True, False]
    plan.save(update_fields=[*fields, "updated_at"])
    if "stages" in changes:
        plan.stages.all().delete()
        for number, when, why in stages:
            PlannedStage.objects.create(
                plan=plan, number=number, planned_date=when, outside_window_reason=why
            )
    record(
        "surgery.plan.updated",
        actor=actor,
        patient=plan.episode.patient,
        obj=plan,
        changes=changes,
    )
    return plan


@action(permission="plan.anaesthesia", locks=["plan"])
def agree_anaesthesia(
    *, actor: User, plan: SurgicalPlan, if_match: str | None = None
) -> SurgicalPlan:
    """The anaesthetist agrees the plan's anaesthesia (as read at `if_match`, when given); once
    only, until the anaesthesia plan changes."""
    if plan.anaesthesia_agreed_by_id is not None:
        raise Conflict("The anaesthesia plan is already agreed.")
    plan.anaesthesia_agreed_by = actor
    plan.anaesthesia_agreed_at = timezone.now()
    plan.save(update_fields=["anaesthesia_agreed_by", "anaesthesia_agreed_at"])
    record(
        "surgery.plan.anaesthesia_agreed",
        actor=actor,
        patient=plan.episode.patient,
        obj=plan,
        changes={"anaesthesia": [None, plan.anaesthesia]},
    )
    return plan


@action(permission="procedure.record", locks=["episode"])
def start_procedure(
    *,
    actor: User,
    episode: Episode,
    kind: str,
    performed_on: dt.date,
    stage_number: int | None = None,
    final_stage: bool | None = None,
    indication: str = "",
) -> Procedure:
    """Start the record of an operation on the episode (in the surgery phase): a draft.
    `indication` is why parts come out in it (an explantation's or a revision's reason)."""
    errors: dict[str, list[str]] = {}
    if kind not in ProcedureKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(ProcedureKind.values)}."]
    if indication and indication not in RemovalReason.values:
        errors["indication"] = [f"Choose one of: {', '.join(RemovalReason.values)}."]
    check_date(
        errors, "performed_on", performed_on, patient=episode.patient, after=_after_limb(episode)
    )
    if errors:
        raise ValidationError(errors)
    if episode.phase != Phase.SURGERY:
        raise _phase_conflict(
            "An operation cannot be recorded now.",
            "episode_in_surgery",
            "Move the episode to the surgery phase before recording an operation.",
        )
    # The gate of recording an operation: the anaesthesia agreed (osseo/pathway/gates.py).
    pass_gate(actor=actor, episode=episode, move=gates.OPERATION)
    if final_stage is None:
        final_stage = kind in (ProcedureKind.SINGLE_STAGE, ProcedureKind.STAGE_2)
    if kind == ProcedureKind.STAGE_1:
        stage_number, final_stage = 1, False
    elif kind == ProcedureKind.STAGE_2:
        stage_number = 2
    plan = episode.plans.order_by("-created_at", "-id").first()
    procedure = Procedure.objects.create(
        episode=episode,
        patient=episode.patient,
        limb=episode.limb,
        kind=kind,
        planned_anaesthesia=plan.anaesthesia if plan and plan.anaesthesia_agreed_by_id else "",
        stage_number=stage_number,
        final_stage=final_stage,
        performed_on=performed_on,
        indication=indication,
        surgeon=actor,
    )
    OperativeRecordVersion.objects.create(procedure=procedure, number=1, data={}, author=actor)
    record(
        "surgery.procedure.started",
        actor=actor,
        patient=episode.patient,
        obj=procedure,
        changes={"kind": [None, kind], "performed_on": [None, performed_on]},
    )
    return procedure


def _validated_record(procedure: Procedure, data: dict[str, Any]) -> dict[str, Any]:
    clean, errors = clean_record(data)
    given = clean.get("anaesthesia", {}).get("given")
    if given and (problem := rules.anaesthesia_problem(procedure.limb.site, given)):
        errors.setdefault("anaesthesia.given", []).append(problem)
    if errors:
        raise ValidationError(errors)
    return clean


def _merged(
    base: dict[str, Any], data: dict[str, Any], clean: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """`base` with the steps' fields named in `data` written over it (an empty value clears
    one); the fields `data` does not name stay as they are."""
    merged = {step: dict(values) for step, values in base.items()}
    for step, values in data.items():
        for name, value in values.items():
            if value in (None, ""):
                merged.get(step, {}).pop(name, None)
    for step, values in clean.items():
        merged.setdefault(step, {}).update(values)
    return {step: values for step, values in merged.items() if values}


def _changed(procedure: Procedure) -> None:
    """Raise the procedure's version: its record or devices changed (Versioned adds the field)."""
    procedure.save(update_fields=[])


@action(permission="procedure.record", locks=["procedure"])
def save_operative_record(
    *,
    actor: User,
    procedure: Procedure,
    data: dict[str, Any],
    merge: bool = False,
    if_match: str | None = None,
) -> OperativeRecordVersion:
    """Save the draft (signed records are read-only: amend them instead).

    `data` replaces the draft (the API's PUT); with `merge`, only the fields it names are written
    over the current draft, as a form that sends what its user changed does."""
    clean = _validated_record(procedure, data)
    if procedure.status == RecordStatus.SIGNED:
        raise Conflict("This record is signed and read-only; amend it with a reason.")
    version = procedure.versions.order_by("-number").first()
    assert version is not None
    if merge:
        clean = _merged(version.data, data, clean)
    version.data = clean
    version.author = actor
    version.save(update_fields=["data", "author"])
    _changed(procedure)
    record(
        "surgery.record.saved",
        actor=actor,
        patient=procedure.patient,
        obj=procedure,
        changes={"steps": [None, sorted(clean)]},
    )
    return version


def _device_facts(procedure: Procedure) -> list[DeviceFact]:
    # The device identifier: a GTIN (GS1), else the HIBCC labeler, product and unit.
    return [DeviceFact(d.kind, d.gtin or d.udi_di, d.lot) for d in procedure.devices_placed.all()]


def _system_of(procedure: Procedure) -> ImplantSystem:
    """The implant system the record names: its implant's catalogue item, else the implant in
    place on that limb (placed at an earlier stage), else the plan's implant; else the clinic's
    usual system for the site (systems.DEFAULT_FOR_SITE)."""
    implants = [
        *procedure.devices_placed.filter(kind=DeviceKind.IMPLANT),
        *Device.objects.filter(
            limb=procedure.limb, kind=DeviceKind.IMPLANT, status=DeviceStatus.IN_PLACE
        ).order_by("-placed_on", "-id"),
    ]
    for device in implants:
        item = device.catalogue_item
        if item is not None and item.system:
            return system_for(item.system, site=procedure.limb.site)
    plan = procedure.episode.plans.select_related("implant").first()
    code = plan.implant.system if plan and plan.implant else None
    return system_for(code, site=procedure.limb.site)


def sign_problems(procedure: Procedure, data: dict[str, Any] | None = None) -> list[Missing]:
    """What the record (or `data`, a version about to be made) still needs before it can be
    signed, empty when complete; an explantation needs an implant in place to remove."""
    if data is None:
        current = procedure.current
        data = current.data if current else {}
    problems = signing_problems(
        kind=procedure.kind,
        final_stage=procedure.final_stage,
        data=data,
        devices=_device_facts(procedure),
        system=_system_of(procedure),
    )
    if (
        procedure.kind == ProcedureKind.EXPLANTATION
        and procedure.status == RecordStatus.DRAFT
        and not lifecycle.implant_in_place(procedure)
    ):
        problems.append(
            Missing(
                "implant_in_place",
                "An explantation removes the implant in place on this limb; there is none.",
                "Removing the bone-anchor implant is its explantation "
                "(docs/sources.md#design-rules)",
            )
        )
    problems += _anaesthesia_problems(procedure, data)
    problems += _stage_window_problems(procedure, data)
    return problems


def _anaesthesia_problems(procedure: Procedure, data: dict[str, Any]) -> list[Missing]:
    """The anaesthesia given against the plan the anaesthetist agreed (kept on the procedure when
    the operation was recorded): a difference needs a reason (issue 17)."""
    step = data.get("anaesthesia", {})
    given, planned = step.get("given"), procedure.planned_anaesthesia
    if not given or not planned or given == planned or str(step.get("difference_reason") or ""):
        return []
    label = rules.ANAESTHESIA_LABELS
    return [
        Missing(
            "anaesthesia_difference_reason",
            f"The anaesthesia given ({label.get(given, given)}) differs from the plan the "
            f"anaesthetist agreed ({label.get(planned, planned)}): record why.",
            "Clinic patient guide, 'The Surgery' (the anaesthesia options); the agreed plan",
        )
    ]


def _previous_stage(procedure: Procedure) -> Procedure | None:
    """The signed implantation stage before this one on the same episode, if any."""
    return (
        Procedure.objects.filter(
            episode_id=procedure.episode_id,
            status=RecordStatus.SIGNED,
            kind__in=[ProcedureKind.STAGE_1, ProcedureKind.STAGE_2, ProcedureKind.STAGE_N],
        )
        .exclude(pk=procedure.pk)
        .filter(performed_on__lte=procedure.performed_on)
        .order_by("-performed_on", "-id")
        .first()
    )


def _stage_window_problems(procedure: Procedure, data: dict[str, Any]) -> list[Missing]:
    """A later stage done outside the window after the signed previous stage needs a reason, as
    a planned date does (issue 17; the window is the plan's, else the clinic setting)."""
    if procedure.kind not in (ProcedureKind.STAGE_2, ProcedureKind.STAGE_N):
        return []
    previous = _previous_stage(procedure)
    if previous is None or str(data.get("extras", {}).get("outside_window_reason") or ""):
        return []
    plan = procedure.episode.plans.order_by("-created_at", "-id").first()
    if plan is not None and plan.window_max and plan.window_unit:
        unit: rules.WindowUnit = "weeks" if plan.window_unit == "weeks" else "months"
        window = rules.Window(int(plan.window_min or 0), int(plan.window_max), unit)
    else:
        window = stage_window(procedure.episode)
    earliest, latest = rules.window_dates(previous.performed_on, window)
    if earliest <= procedure.performed_on <= latest:
        return []
    return [
        Missing(
            "stage_window_reason",
            f"This stage on {procedure.performed_on:%-d %b %Y} is outside the {window.label} "
            f"window after the signed previous stage on {previous.performed_on:%-d %b %Y} "
            f"({earliest:%-d %b %Y} to {latest:%-d %b %Y}): record why.",
            "Clinic setting: stage window (default: clinic patient guide, 'The Osseointegration "
            "Procedure', 'a gap of 4 to 6 months between each stage')",
        )
    ]


@action(permission="procedure.sign", locks=["procedure"])
def sign_operative_record(
    *, actor: User, procedure: Procedure, if_match: str | None = None
) -> Procedure:
    """The surgeon signs (the record as read at `if_match`, when given); refused while anything
    is missing, listing it, and once signed."""
    if procedure.status == RecordStatus.SIGNED:
        raise Conflict("This record is already signed.")
    problems = sign_problems(procedure)
    if problems:
        raise Conflict("This record cannot be signed yet.", missing=problems)
    # The one device lifecycle (lifecycle.py), in this transaction: parts removed by this
    # operation come out before the parts it placed go in, so one implant is in place per limb.
    removed = lifecycle.apply_signed(procedure, actor=actor)
    procedure.status = RecordStatus.SIGNED
    procedure.signed_by = actor
    procedure.signed_at = timezone.now()
    procedure.save(update_fields=["status", "signed_by", "signed_at"])
    current = procedure.current
    recorded = (current.data if current else {}).get("implant_insertion", {}).get("fixation")
    for device in procedure.devices_placed.filter(kind=DeviceKind.IMPLANT).select_related(
        "catalogue_item"
    ):
        fixation = recorded or (device.catalogue_item.fixation if device.catalogue_item else "")
        if fixation and device.fixation != fixation:
            device.fixation = fixation
            device.save(update_fields=["fixation"])
    if procedure.devices_placed.filter(kind__in=CONNECTOR_KINDS).exists():
        # A part placed at surgery has its service forecast from the day the record is signed
        # (the connectors app reads signed facts only; imported here, as it builds on surgery).
        from osseo.connectors.forecasts import refresh_forecasts

        refresh_forecasts(procedure.patient)
    record(
        "surgery.record.signed",
        actor=actor,
        patient=procedure.patient,
        obj=procedure,
        changes={
            "status": ["draft", "signed"],
            "version": [None, procedure.current.number if procedure.current else 1],
            **({"removed": [None, [str(d.uuid) for d in removed]]} if removed else {}),
        },
    )
    return procedure


@action(permission="procedure.sign", locks=["procedure"])
def amend_operative_record(
    *,
    actor: User,
    procedure: Procedure,
    data: dict[str, Any],
    reason: str,
    devices: dict[str, dict[str, Any]] | None = None,
    if_match: str | None = None,
) -> OperativeRecordVersion:
    """A signed record changes only by a new version, with its reason; history stays visible.

    An amendment changes only the fields it names (a merge over the last version; an empty value
    clears one), must change something, and the amended record must pass the same sign-off
    checks as signing (409 naming what is missing). The audit entry holds the field-by-field
    difference. `devices` corrects the devices the record placed (by their UUID: a wrong GTIN,
    lot, serial, size or expiry), through the device lifecycle in the same transaction: a
    signed device changes only this way."""
    errors: dict[str, list[str]] = {}
    corrections = _device_corrections(procedure, devices or {}, errors)
    reason = str(reason or "").strip()
    if not reason:
        errors["reason"] = ["Say why the signed record is amended."]
    elif len(reason) > 2000:
        errors["reason"] = ["At most 2000 characters."]
    try:
        clean = _validated_record(procedure, data)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if procedure.status != RecordStatus.SIGNED:
        raise Conflict(
            "Only a signed record is amended; edit the draft instead.",
            missing=[Missing("record_signed", "Sign the record first.", "")],
        )
    last = procedure.versions.order_by("-number").first()
    before = last.data if last else {}
    merged = _merged(before, data, clean)
    diff = record_diff(before, merged)
    device_diff = [
        change
        for device, values in corrections
        for change in lifecycle.correct_device(device, values)
    ]
    if not diff and not device_diff:
        raise ValidationError({"data": ["The amendment changes nothing in the signed record."]})
    problems = sign_problems(procedure, merged)
    if problems:
        raise Conflict("This amendment would leave the signed record incomplete.", missing=problems)
    number = (last.number if last else 0) + 1
    version = OperativeRecordVersion.objects.create(
        procedure=procedure,
        number=number,
        data=merged,
        amendment_reason=reason,
        device_changes=device_diff,
        author=actor,
    )
    _changed(procedure)
    record(
        "surgery.record.amended",
        actor=actor,
        patient=procedure.patient,
        obj=procedure,
        changes={
            "version": [number - 1, number],
            **{d["field"]: [d["before"] or None, d["after"] or None] for d in diff + device_diff},
            "reason": [None, reason],
        },
    )
    return version


def _device_corrections(
    procedure: Procedure, devices: dict[str, dict[str, Any]], errors: dict[str, list[str]]
) -> list[tuple[Device, dict[str, Any]]]:
    """The amendment's device corrections, validated as a label is when it is recorded
    (`device_values`): each names a device the record placed and only the fields an amendment
    may correct; invalid ones are added to `errors` under `devices.<uuid>.<field>`."""
    placed = {str(d.uuid): d for d in procedure.devices_placed.all()}
    allowed = ("gtin", "lot", "serial", "size", "expiry")
    out = []
    for key, fields in devices.items():
        device = placed.get(str(key))
        where = f"devices.{key}"
        if device is None:
            errors[where] = ["Not a device this operative record placed."]
            continue
        if not isinstance(fields, dict) or not fields:
            errors[where] = [f"Name the fields to correct: {', '.join(allowed)}."]
            continue
        unknown = sorted(set(fields) - set(allowed))
        if unknown:
            errors[where] = [f"An amendment corrects only {', '.join(allowed)}: not {unknown[0]}."]
            continue
        current = {name: getattr(device, name) for name in DEVICE_FIELDS}
        try:
            values = device_values({**current, **fields}, used_on=procedure.performed_on)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors[f"{where}.{name}"] = messages
            continue
        size = str(fields.get("size", device.size) or "")
        if len(size) > 60:
            errors[f"{where}.size"] = ["At most 60 characters."]
            continue
        corrected = {name: values[name] for name in fields if name != "size"}
        if "size" in fields:
            corrected["size"] = size
        if "gtin" in fields and values.get("udi_di"):
            corrected.update(udi_issuer=values["udi_issuer"], udi_di=values["udi_di"])
        out.append((device, corrected))
    return out


DEVICE_FIELDS = ("gtin", "lot", "serial", "expiry", "production_date")


def device_values(data: dict[str, Any], *, used_on: dt.date | None = None) -> dict[str, Any]:
    """UDI fields from a scan (`code`) or typed in; a scan wins over typed fields.

    `_expired` says whether the device had expired on the day it was used (the operation's
    date; today when not given), so that entering an old operation does not flag it."""
    used_on = used_on or timezone.localdate()
    values = {
        k: data.get(k) or ("" if k in ("gtin", "lot", "serial") else None) for k in DEVICE_FIELDS
    }
    code = str(data.get("code") or "").strip()
    expired = False
    if code and looks_like_hibcc(code):
        try:
            hibcc = parse_hibcc(code, today=used_on)
        except HIBCCError as exc:
            raise ValidationError({"code": [str(exc)]}) from exc
        values.update(
            gtin="",
            lot=hibcc.lot or values["lot"],
            serial=hibcc.serial or values["serial"],
            expiry=hibcc.expiry or values["expiry"],
        )
        values["udi_issuer"], values["udi_di"] = "hibcc", hibcc.di
        values["udi_quantity"] = hibcc.quantity
        expired = hibcc.expired
    elif code:
        try:
            parsed = parse_udi(code, today=used_on)
        except UDIError as exc:
            raise ValidationError({"code": [str(exc)]}) from exc
        values.update(
            gtin=parsed.gtin,
            lot=parsed.lot or values["lot"],
            serial=parsed.serial or values["serial"],
            expiry=parsed.expiry,
            production_date=parsed.production_date,
        )
        values["udi_issuer"], values["udi_di"] = "gs1", parsed.gtin
        expired = parsed.expired
    else:
        gtin = str(values["gtin"] or "")
        if gtin:
            try:
                parsed = parse_udi(f"(01){gtin.zfill(14)}", today=timezone.localdate())
                values["gtin"] = parsed.gtin
                values["udi_issuer"], values["udi_di"] = "gs1", parsed.gtin
            except UDIError as exc:
                raise ValidationError({"gtin": [str(exc)]}) from exc
        expiry = values["expiry"]
        expired = isinstance(expiry, dt.date) and expiry < used_on
    errors: dict[str, list[str]] = {}
    if values["expiry"] is not None:
        check_date(errors, "expiry", values["expiry"], planned=True, years_ahead=MAX_YEARS_AHEAD)
    if values["production_date"] is not None:
        check_date(errors, "production_date", values["production_date"])
    if errors:
        raise ValidationError(errors)
    for name, limit in (("lot", 20), ("serial", 20)):
        if len(str(values[name] or "")) > limit:
            raise ValidationError({name: [f"At most {limit} characters (GS1 limit)."]})
    values["_expired"] = expired
    values["udi_carrier"] = code[:200]
    return values


def _check_one_implant(procedure: Procedure) -> None:
    """One bone-anchored implant per operation, and per limb: a limb with an implant in place
    takes a new one only in a revision, whose signing exchanges them (lifecycle.py)."""
    if procedure.devices_placed.filter(kind=DeviceKind.IMPLANT).exists():
        raise Conflict(
            "This operation already records its implant.",
            missing=[Missing("one_implant", "One bone-anchored implant per operation.", "")],
        )
    if procedure.kind != ProcedureKind.REVISION and lifecycle.implant_in_place(procedure):
        raise Conflict(
            "This limb has an implant in place; a new implant is placed by a revision, which "
            "exchanges them when it is signed.",
            missing=[
                Missing(
                    "no_implant_in_place",
                    "No implant in place on this limb, or record the operation as a revision.",
                    "One Device lifecycle; at most one implant in place per limb "
                    "(docs/sources.md#design-rules)",
                )
            ],
        )


@action(permission="procedure.record", locks=["procedure"])
def place_device(
    *,
    actor: User,
    procedure: Procedure,
    kind: str,
    data: dict[str, Any],
    confirm_expired: bool = False,
    catalogue_item: ImplantCatalogueItem | None = None,
    if_match: str | None = None,
) -> Device:
    """Record a device placed during a procedure, scanned (GS1) or typed, while its record is a
    draft."""
    if kind not in DeviceKind.values:
        raise ValidationError({"kind": [f"Choose one of: {', '.join(DeviceKind.values)}."]})
    values = device_values(data, used_on=procedure.performed_on)
    expired = values.pop("_expired")
    if expired and not confirm_expired:
        raise ValidationError(
            {
                "confirm_expired": [
                    f"This device expired on {values['expiry']:%d %b %Y}. "
                    "Confirm to record it anyway."
                ]
            }
        )
    if procedure.status == RecordStatus.SIGNED:
        raise Conflict("This record is signed; devices are added by amendment.")
    if kind == DeviceKind.IMPLANT:
        _check_one_implant(procedure)
    description = data.get("description") or (str(catalogue_item) if catalogue_item else "")
    device = Device.objects.create(
        patient=procedure.patient,
        limb=procedure.limb,
        kind=kind,
        catalogue_item=catalogue_item,
        description=str(description)[:200],
        size=str(data.get("size") or "")[:60],
        placed_on=procedure.performed_on,
        placed_by=procedure,
        status=DeviceStatus.RECORDED,  # in place once the record is signed (lifecycle.py)
        expired_use_confirmed=bool(expired and confirm_expired),
        **values,
    )
    _changed(procedure)
    record(
        "surgery.device.placed",
        actor=actor,
        patient=procedure.patient,
        obj=device,
        changes={
            "kind": [None, kind],
            "gtin": [None, device.gtin],
            "lot": [None, device.lot],
            "serial": [None, device.serial],
        },
    )
    return device


@action(permission="procedure.record", locks=["device"])
def remove_device(
    *,
    actor: User,
    device: Device,
    removed_on: dt.date,
    reason: str,
    procedure: Procedure | None = None,
) -> Device:
    """Record a connector part's removal (date, reason, and the operation that removed it, if
    any). An implant comes out only by signing its explantation or revision (lifecycle.py)."""
    errors: dict[str, list[str]] = {}
    if reason not in RemovalReason.values:
        errors["reason"] = [f"Choose one of: {', '.join(RemovalReason.values)}."]
    check_date(
        errors,
        "removed_on",
        removed_on,
        patient=device.patient,
        after=[After(device.placed_on, "its placement")],
    )
    if errors:
        raise ValidationError(errors)
    if device.status == DeviceStatus.REMOVED:
        raise Conflict("This device was already removed.")
    if device.status == DeviceStatus.RECORDED:
        raise Conflict(
            "This device is on a draft operative record: correct the draft instead.",
            missing=[Missing("device_in_place", "A device in place.", "")],
        )
    if device.kind == DeviceKind.IMPLANT:
        raise Conflict(
            "An implant is removed by signing its explantation or revision.",
            missing=[
                Missing(
                    "signed_explantation",
                    "A signed explantation or revision of this limb.",
                    "Removing the bone-anchor implant is its explantation "
                    "(docs/sources.md#design-rules)",
                )
            ],
        )
    lifecycle.mark_removed(device, on=removed_on, reason=reason, removed_by=procedure)
    record(
        "surgery.device.removed",
        actor=actor,
        patient=device.patient,
        obj=device,
        changes={"status": ["in_place", "removed"], "reason": [None, reason]},
    )
    return device


@action(permission="catalogue.manage")
def add_catalogue_item(*, actor: User, data: dict[str, Any]) -> ImplantCatalogueItem:
    errors: dict[str, list[str]] = {}
    for name in ("manufacturer", "model"):
        if not str(data.get(name) or "").strip():
            errors[name] = ["This field is required."]
    diameter = _decimal(errors, "diameter_mm", data.get("diameter_mm"))
    length = _decimal(errors, "length_mm", data.get("length_mm"))
    gtin = str(data.get("gtin") or "")
    if gtin:
        try:
            gtin = parse_udi(f"(01){gtin.zfill(14)}").gtin
        except UDIError as exc:
            errors["gtin"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    item = ImplantCatalogueItem.objects.create(
        organisation=actor.membership.organisation,
        kind=data.get("kind") or DeviceKind.IMPLANT,
        manufacturer=str(data["manufacturer"]).strip(),
        model=str(data["model"]).strip(),
        gtin=gtin,
        site=data.get("site") or "",
        system=data.get("system") or "",
        fixation=data.get("fixation") or "",
        diameter_mm=diameter,
        length_mm=length,
    )
    record("surgery.catalogue.added", actor=actor, obj=item, changes={"item": [None, str(item)]})
    return item


@action(permission="catalogue.manage", locks=["item"])
def retire_catalogue_item(*, actor: User, item: ImplantCatalogueItem) -> ImplantCatalogueItem:
    """Take an item out of use (devices already placed keep their link)."""
    if not item.active:
        raise Conflict("This item is already retired.")
    item.active = False
    item.save(update_fields=["active"])
    record("surgery.catalogue.retired", actor=actor, obj=item, changes={"active": [True, False]})
    return item
