"""Every write of the complications app, each through the action contract (`osseo.contract`):
the permission, one transaction, the rows it checks locked and re-read, the audit entry inside.

An operative treatment is recorded as a surgery Procedure through ``osseo.surgery.actions`` (one
source of truth for operations), so it appears in the patient's procedure history. Operations
are recorded in the surgery phase: when the episode is elsewhere (rehabilitation, follow-up,
planning), ``record_treatment`` moves it back to surgery through ``transition_to`` with the
reason, as the phase machine intends ("a revision or an explantation returns an episode from
rehabilitation or follow-up to planning or surgery"). The surgery check is kept, not relaxed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from osseo.accounts.models import User
from osseo.accounts.permissions import require_permission as _require
from osseo.audit.labels import register
from osseo.audit.services import record
from osseo.contract import action, lock
from osseo.errors import Conflict, Missing
from osseo.pathway.actions import transition_to
from osseo.pathway.machine import transition_problem
from osseo.pathway.models import Episode, Phase
from osseo.patients.models import Patient
from osseo.surgery import actions as surgery_actions
from osseo.surgery.models import Device, DeviceStatus, Procedure

from .models import (
    INFECTION_KINDS,
    OPERATIVE_KINDS,
    AdverseEvent,
    Death,
    EventKind,
    Grade,
    GradingSystem,
    Outcome,
    Treatment,
    TreatmentKind,
)
from .validation import check_date, check_event, check_grade, check_treatment

register(
    {
        "complications.event.recorded": "Complication recorded",
        "complications.event.updated": "Complication updated",
        "complications.treatment.recorded": "Complication treatment recorded",
        "complications.death.recorded": "Death recorded",
        "complications.grading_system.added": "Grading system added",
    }
)

EVENT_FIELDS = (
    "limb",
    "episode",
    "procedure",
    "device",
    "kind",
    "description",
    "onset_on",
    "resolved_on",
    "outcome",
    "grading_system",
    "grade",
)


def _shown(value: Any) -> Any:
    if value is None or isinstance(value, str | int | dt.date):
        return value
    return str(getattr(value, "uuid", value))


@action(permission="complication.record", locks=["patient"])
def record_event(*, actor: User, patient: Patient, data: dict[str, Any]) -> AdverseEvent:
    """Record a complication of one limb, graded (or not) under a named system. The patient is
    locked: a death recorded meanwhile is seen by the onset check."""
    cleaned = check_event({k: data.get(k) for k in EVENT_FIELDS}, patient=patient)
    event = AdverseEvent.objects.create(patient=patient, recorded_by=actor, **cleaned)
    record(
        "complications.event.recorded",
        actor=actor,
        patient=patient,
        obj=event,
        changes={k: [None, _shown(v)] for k, v in cleaned.items() if v not in (None, "")},
    )
    return event


@action(permission="complication.record", locks=["event"])
def update_event(
    *, actor: User, event: AdverseEvent, data: dict[str, Any], if_match: str | None = None
) -> AdverseEvent:
    """Change the event's fields named in `data` (its outcome, grade, dates) over the current row,
    locked and re-read by the contract, so a colleague's change to another field survives;
    `if_match` refuses the change (412) when the event is no longer at that version."""
    return _change_event(actor=actor, event=event, data=data)


def _change_event(*, actor: User, event: AdverseEvent, data: dict[str, Any]) -> AdverseEvent:
    """Write the named fields of a locked event, only those that change, and audit them."""
    values = {k: getattr(event, k) for k in EVENT_FIELDS}
    values.update({k: v for k, v in data.items() if k in EVENT_FIELDS})
    if "grading_system" in data and "grade" not in data:
        values["grade"] = None
    cleaned = check_event(values, patient=event.patient)
    changes = {
        k: [_shown(getattr(event, k)), _shown(v)]
        for k, v in cleaned.items()
        if getattr(event, k) != v
    }
    if not changes:
        return event
    for k in changes:
        setattr(event, k, cleaned[k])
    event.save(update_fields=list(changes))
    record(
        "complications.event.updated",
        actor=actor,
        patient=event.patient,
        obj=event,
        changes=changes,
    )
    return event


def _episode_for_operation(event: AdverseEvent) -> Episode:
    episode = event.episode
    if episode is None or not episode.is_open:
        episode = (
            Episode.objects.filter(limb=event.limb)
            .exclude(phase__in=[Phase.CLOSED, Phase.DECLINED])
            .first()
        )
    if episode is None:
        raise Conflict(
            "This limb has no open episode; open one before recording an operation.",
            missing=[Missing("open_episode", "An open episode of care for this limb")],
        )
    return episode


def _removal_reason(event: AdverseEvent, kind: str) -> str:
    """Why parts come out in the operation: the event's kind, as the devices' removal reason."""
    if event.kind in INFECTION_KINDS:
        return "infection"
    if event.kind == EventKind.PERIPROSTHETIC_FRACTURE:
        return "fracture"
    if event.kind == EventKind.ASEPTIC_LOOSENING:
        return "loosening"
    if event.kind == EventKind.IMPLANT_BREAKAGE:
        return "breakage"
    return "explantation" if kind == TreatmentKind.EXPLANTATION else "other"


@action(permission="complication.record", locks=["event"])
def record_treatment(
    *,
    actor: User,
    event: AdverseEvent,
    data: dict[str, Any],
    procedure: Procedure | None = None,
    removed_devices: list[Device] | None = None,
    if_match: str | None = None,
) -> Treatment:
    """Record how an event was treated; an operation is (or links) a surgery Procedure.

    For an operative kind, `procedure` links an operation already recorded on this limb;
    without it a draft Procedure of the same kind is started on the operation date (moving
    the episode back to surgery when needed, with the reason) for the surgeon to complete and
    sign. `removed_devices` are parts taken out during that operation. The event is locked (its
    version rises: its treatments are part of it) and so are the parts, before their state is
    checked. An operation also needs `procedure.record`: the kind decides, so it is checked here.
    """
    cleaned = check_treatment(data, event=event)
    kind = cleaned["kind"]
    operative = kind in OPERATIVE_KINDS
    removed = list(removed_devices or [])
    if not operative and (procedure is not None or removed):
        raise ValidationError(
            {"procedure": ["Only an operation links a procedure or removes parts."]}
        )
    if operative:
        _require(actor, "procedure.record")
        errors: dict[str, list[str]] = {}
        if procedure is not None:
            if procedure.limb_id != event.limb_id:
                errors["procedure"] = ["That operation was not on this limb."]
            elif procedure.kind != OPERATIVE_KINDS[kind]:
                errors["procedure"] = [
                    f"That operation is a {procedure.get_kind_display().lower()}, "
                    f"not a {TreatmentKind(kind).label.removeprefix('Operation: ')}."
                ]
            elif procedure.performed_on != cleaned["started_on"]:
                errors["started_on"] = [
                    f"The operation was on {procedure.performed_on:%d %b %Y}; use that date."
                ]
        for device in removed:
            lock(device)
            if device.limb_id != event.limb_id or device.status != DeviceStatus.IN_PLACE:
                errors["removed_devices"] = ["Choose parts in place on this limb."]
        if removed and kind in (TreatmentKind.EXPLANTATION, TreatmentKind.REVISION):
            # One device lifecycle (surgery/lifecycle.py): signing the operation removes them.
            errors["removed_devices"] = [
                "Signing the operation removes the implant and every part on the limb; "
                "name no parts here."
            ]
        elif any(d.kind == "implant" for d in removed):
            errors["removed_devices"] = [
                "An implant comes out by its explantation or revision, when that is signed."
            ]
        elif removed and (procedure is None or procedure.status != "signed"):
            # Device states follow signed records: a part comes out with a signed operation.
            errors["removed_devices"] = [
                "Name the removed parts once the operation is signed (link the signed operation)."
            ]
        if errors:
            raise ValidationError(errors)
    if operative and procedure is None:
        episode = _episode_for_operation(event)
        if episode.phase != Phase.SURGERY:
            what = TreatmentKind(kind).label.removeprefix("Operation: ")
            reason = (
                f"{what[:1].upper()}{what[1:]} for "
                f"{EventKind(event.kind).label.lower()} (complication)."
            )
            problem = transition_problem(episode.phase, Phase.SURGERY, reason)
            if problem:
                raise Conflict(
                    f"The operation cannot be recorded now: {problem[1]}",
                    missing=[
                        Missing(
                            "episode_can_return_to_surgery",
                            "The limb's episode at planning, rehabilitation or follow-up, "
                            "from where it can return to surgery",
                        )
                    ],
                )
            transition_to(actor=actor, episode=episode, to_phase=Phase.SURGERY, reason=reason)
        procedure = surgery_actions.start_procedure(
            actor=actor,
            episode=episode,
            kind=OPERATIVE_KINDS[kind],
            performed_on=cleaned["started_on"],
            indication=_removal_reason(event, kind),
        )
    elif operative and procedure is not None and procedure.status == "draft":
        lock(procedure)
        if not procedure.indication:
            # The reason its signing gives the parts it removes (surgery/lifecycle.py).
            procedure.indication = _removal_reason(event, kind)
            procedure.save(update_fields=["indication"])
    treatment = Treatment.objects.create(
        event=event, procedure=procedure, recorded_by=actor, **cleaned
    )
    for device in removed:
        assert procedure is not None
        surgery_actions.remove_device(
            actor=actor,
            device=device,
            removed_on=procedure.performed_on,
            reason=_removal_reason(event, kind),
            procedure=procedure,
        )
    event.save(update_fields=[])  # a new version: the event as read lists its treatments
    record(
        "complications.treatment.recorded",
        actor=actor,
        patient=event.patient,
        obj=treatment,
        changes={
            "event": [None, str(event.uuid)],
            "kind": [None, kind],
            "started_on": [None, cleaned["started_on"]],
            **({"procedure": [None, str(procedure.uuid)]} if procedure else {}),
        },
    )
    return treatment


@action(permission="death.record", locks=["patient", "related_event"])
def record_death(
    *,
    actor: User,
    patient: Patient,
    died_on: dt.date,
    cause: str = "",
    related_event: AdverseEvent | None = None,
) -> Death:
    """Record the date of death; the patient's open episodes close with that reason. The patient
    is locked first, so two people recording the death cannot both succeed."""
    if hasattr(patient, "death"):
        raise Conflict(
            "This patient's death is already recorded.",
            missing=[Missing("no_death_recorded", "No death already recorded for this patient")],
        )
    errors: dict[str, list[str]] = {}
    when = check_date(errors, "died_on", died_on, required=True, patient=patient)
    if when is not None:
        last_op = Procedure.objects.filter(patient=patient).order_by("-performed_on").first()
        if last_op is not None and when < last_op.performed_on:
            errors.setdefault("died_on", []).append(
                f"An operation is recorded on {last_op.performed_on:%d %b %Y}, after that date."
            )
    if related_event is not None and related_event.patient_id != patient.pk:
        errors["related_event"] = ["That complication is not this patient's."]
    cause = (cause or "").strip()
    if len(cause) > 2000:
        errors["cause"] = ["At most 2000 characters."]
    if errors:
        raise ValidationError(errors)
    assert when is not None
    death = Death.objects.create(
        patient=patient,
        died_on=when,
        cause=cause,
        related_event=related_event,
        recorded_by=actor,
    )
    record(
        "complications.death.recorded",
        actor=actor,
        patient=patient,
        obj=death,
        changes={
            "died_on": [None, when],
            **({"cause": [None, cause]} if cause else {}),
            **({"related_event": [None, str(related_event.uuid)]} if related_event else {}),
        },
    )
    if related_event is not None and related_event.outcome != Outcome.FATAL:
        # The event's outcome follows from the death: part of this action, not a second one
        # (whoever records a death may not otherwise edit complications).
        _change_event(
            actor=actor,
            event=related_event,
            data={"outcome": Outcome.FATAL, "resolved_on": when},
        )
    for episode in Episode.objects.filter(patient=patient).exclude(phase__in=[Phase.CLOSED]):
        transition_to(
            actor=actor,
            episode=episode,
            to_phase=Phase.CLOSED,
            reason=f"The patient died on {when:%d %b %Y}.",
        )
    patient.death = death
    return death


@action(permission="settings.manage")
def add_grading_system(*, actor: User, data: dict[str, Any]) -> GradingSystem:
    """Add a clinic's grading scheme as data: code, name, source, kinds it grades, grades."""
    errors: dict[str, list[str]] = {}
    code = str(data.get("code") or "").strip().lower()
    if not code or len(code) > 60 or not all(c.isalnum() or c in "-_" for c in code):
        errors["code"] = ["A short code of letters, digits and dashes, e.g. 'al-muderis-2016'."]
    elif GradingSystem.objects.filter(code=code).exists():
        errors["code"] = ["A grading system with this code already exists."]
    name, source = str(data.get("name") or "").strip(), str(data.get("source") or "").strip()
    if not name:
        errors["name"] = ["Name the grading system."]
    if not source:
        errors["source"] = ["Cite where the grades' wording comes from (the publication)."]
    applies_to = list(data.get("applies_to") or [])
    if any(k not in EventKind.values for k in applies_to):
        errors["applies_to"] = [f"Event kinds are: {', '.join(EventKind.values)}."]
    grades = list(data.get("grades") or [])
    if not grades:
        errors["grades"] = ["List the grades in order."]
    codes = [str(g.get("code") or "").strip() for g in grades]
    if any(not c or len(c) > 30 for c in codes) or len(set(codes)) != len(codes):
        errors["grades"] = ["Each grade needs its own short code."]
    if any(not str(g.get("label") or "").strip() for g in grades):
        errors.setdefault("grades", []).append("Each grade needs its published wording.")
    # Each grade names the event kinds it describes, within the kinds its system grades.
    for g in grades:
        kinds = list(g.get("kinds") or [])
        allowed = applies_to or EventKind.values
        if any(k not in allowed for k in kinds):
            errors.setdefault("grades", []).append(
                f"Grade {g.get('code')}: its kinds must be among: {', '.join(allowed)}."
            )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():  # a savepoint: a code taken meanwhile is the same refusal
            system = GradingSystem.objects.create(
                code=code,
                name=name,
                source=source,
                applies_to=applies_to,
                organisation=actor.membership.organisation,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"code": ["A grading system with this code already exists."]}
        ) from exc
    for rank, (grade_code, grade) in enumerate(zip(codes, grades, strict=True), start=1):
        Grade.objects.create(
            system=system,
            code=grade_code,
            label=str(grade["label"]).strip()[:200],
            description=str(grade.get("description") or "").strip(),
            rank=rank,
            kinds=list(grade.get("kinds") or []),
        )
    record(
        "complications.grading_system.added",
        actor=actor,
        obj=system,
        changes={"code": [None, code], "grades": [None, codes], "source": [None, source]},
    )
    return system


__all__ = [
    "add_grading_system",
    "check_grade",
    "record_death",
    "record_event",
    "record_treatment",
    "update_event",
]
