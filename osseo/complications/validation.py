"""Field rules for adverse events, treatments and deaths, shared by the actions.

The actions receive model objects (limb, episode, procedure, device, grading system, grade)
already fetched through the access-checked getters; these checks make sure they belong together.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError

from osseo import plausible
from osseo.patients.models import Patient

from .models import (
    RESOLVED_OUTCOMES,
    AdverseEvent,
    Grade,
    GradingSystem,
    Outcome,
    TreatmentKind,
)
from .models import EventKind as Kind

Errors = dict[str, list[str]]


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def check_date(
    errors: Errors, field: str, value: Any, *, required: bool, patient: Patient | None = None
) -> dt.date | None:
    """The date inside its window (osseo/plausible.py: not before birth, not after today or
    the death), or None with a field error."""
    if value not in (None, "") and (
        not isinstance(value, dt.date) or isinstance(value, dt.datetime)
    ):
        _add(errors, field, "Enter a date as YYYY-MM-DD.")
        return None
    return plausible.check_date(errors, field, value, patient=patient, required=required)


def _died_on(patient: Patient) -> dt.date | None:
    death = getattr(patient, "death", None)
    return death.died_on if death is not None else None


def check_grade(
    errors: Errors, kind: str, system: GradingSystem | None, grade: Grade | None
) -> None:
    if grade is not None and system is None:
        _add(errors, "grade", "Name the grading system the grade belongs to.")
    if system is not None:
        if not system.active:
            _add(errors, "grading_system", f"{system.name} is no longer in use.")
        elif kind in Kind.values and not system.grades_kind(kind):
            kinds = ", ".join(Kind(k).label for k in system.applies_to if k in Kind.values)
            _add(errors, "grading_system", f"{system.name} grades only: {kinds}.")
        if grade is None:
            codes = ", ".join(g.code for g in system.grades.all())
            _add(errors, "grade", f"Choose a grade of {system.name}: {codes}.")
        elif grade.system_id != system.pk:
            _add(errors, "grade", f"That grade is not one of {system.name}'s.")
        elif kind in Kind.values and not grade.grades_kind(kind):
            kinds = ", ".join(Kind(k).label.lower() for k in grade.kinds if k in Kind.values)
            _add(
                errors,
                "grade",
                f"{grade.label} describes {kinds}, not {Kind(kind).label.lower()}.",
            )


def check_event(values: dict[str, Any], *, patient: Patient) -> dict[str, Any]:
    """Validate an event's fields; return them cleaned, or raise ValidationError per field."""
    errors: Errors = {}
    kind = values.get("kind")
    if kind not in Kind.values:
        _add(errors, "kind", f"Choose one of: {', '.join(Kind.values)}.")
    limb, episode = values.get("limb"), values.get("episode")
    procedure, device = values.get("procedure"), values.get("device")
    if limb is None or limb.patient_id != patient.pk:
        _add(errors, "limb", "Choose one of this patient's residual limbs.")
    if episode is not None and (limb is None or episode.limb_id != limb.pk):
        _add(errors, "episode", "That episode is not of this limb.")
    if procedure is not None and (limb is None or procedure.limb_id != limb.pk):
        _add(errors, "procedure", "That operation was not on this limb.")
    if device is not None and (limb is None or device.limb_id != limb.pk):
        _add(errors, "device", "That device is not on this limb.")
    onset = check_date(errors, "onset_on", values.get("onset_on"), required=True, patient=patient)
    resolved = check_date(
        errors, "resolved_on", values.get("resolved_on"), required=False, patient=patient
    )
    if onset is not None:
        if onset < patient.birth_date:
            _add(errors, "onset_on", "The onset cannot be before the date of birth.")
        elif limb is not None and limb.amputation_date and onset < limb.amputation_date:
            _add(errors, "onset_on", "The onset cannot be before the amputation date.")
        if procedure is not None and onset < procedure.performed_on:
            _add(errors, "onset_on", "The onset cannot be before the operation it followed.")
        died = _died_on(patient)
        if died is not None and onset > died:
            _add(errors, "onset_on", f"The patient died on {died:%d %b %Y}.")
    if onset is not None and resolved is not None and resolved < onset:
        _add(errors, "resolved_on", "The resolution cannot be before the onset.")
    outcome = values.get("outcome") or Outcome.ONGOING
    if outcome not in Outcome.values:
        _add(errors, "outcome", f"Choose one of: {', '.join(Outcome.values)}.")
    elif outcome == Outcome.ONGOING and resolved is not None:
        _add(errors, "resolved_on", "An ongoing event has no resolution date.")
    elif outcome in RESOLVED_OUTCOMES and resolved is None and "resolved_on" not in errors:
        _add(errors, "resolved_on", "Enter the date it resolved (or ended).")
    check_grade(errors, str(kind), values.get("grading_system"), values.get("grade"))
    description = str(values.get("description") or "").strip()
    if len(description) > 4000:
        _add(errors, "description", "At most 4000 characters.")
    elif kind == Kind.OTHER and not description:
        # "Other" says nothing on its own: the registry and the next clinician need the words.
        _add(errors, "description", "Describe what happened: the kind is 'Other'.")
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "limb": limb,
        "episode": episode,
        "procedure": procedure,
        "device": device,
        "onset_on": onset,
        "resolved_on": resolved,
        "outcome": outcome,
        "grading_system": values.get("grading_system"),
        "grade": values.get("grade"),
        "description": description,
    }


def check_treatment(values: dict[str, Any], *, event: AdverseEvent) -> dict[str, Any]:
    errors: Errors = {}
    kind = values.get("kind")
    if kind not in TreatmentKind.values:
        _add(errors, "kind", f"Choose one of: {', '.join(TreatmentKind.values)}.")
    patient = event.patient
    started = check_date(
        errors, "started_on", values.get("started_on"), required=True, patient=patient
    )
    ended = check_date(errors, "ended_on", values.get("ended_on"), required=False, patient=patient)
    if started is not None and started < event.onset_on:
        _add(errors, "started_on", "The treatment cannot start before the event's onset.")
    if started is not None and ended is not None and ended < started:
        _add(errors, "ended_on", "The treatment cannot end before it starts.")
    died = _died_on(event.patient)
    if started is not None and died is not None and started > died:
        _add(errors, "started_on", f"The patient died on {died:%d %b %Y}.")
    details = str(values.get("details") or "").strip()
    if len(details) > 4000:
        _add(errors, "details", "At most 4000 characters.")
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "started_on": started, "ended_on": ended, "details": details}
