"""Access-checked getters and reads for complications (through the patients getters)."""

from __future__ import annotations

import uuid as uuid_module
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from osseo.accounts.models import User
from osseo.patients.models import Patient
from osseo.patients.queries import get_patient_for, patients_for

from .models import AdverseEvent, Grade, GradingSystem


def _uuid(key: Any, what: str) -> uuid_module.UUID:
    try:
        return key if isinstance(key, uuid_module.UUID) else uuid_module.UUID(str(key))
    except ValueError as exc:
        raise Http404(f"No such {what}.") from exc


def get_event_for(
    user: User, event_id: Any, *, permission: str = "patient.view", audit_read: bool = False
) -> AdverseEvent:
    """The event, if its patient is in the user's scope (404) and the user may (403)."""
    try:
        event = AdverseEvent.objects.select_related(
            "patient", "limb", "episode", "procedure", "device", "grading_system", "grade"
        ).get(uuid=_uuid(event_id, "complication"))
    except AdverseEvent.DoesNotExist as exc:
        raise Http404("No such complication.") from exc
    get_patient_for(user, event.patient.uuid, permission=permission, audit_read=audit_read)
    return event


def grading_systems_for(user: User) -> QuerySet[GradingSystem]:
    """The shipped schemes and the user's own organisation's."""
    membership = getattr(user, "membership", None)
    org_id = membership.organisation_id if membership else None
    return (
        GradingSystem.objects.filter(Q(organisation__isnull=True) | Q(organisation_id=org_id))
        .filter(active=True)
        .prefetch_related("grades")
    )


def get_grading_system_for(
    user: User, code: str, *, field: str = "grading_system"
) -> GradingSystem:
    system = grading_systems_for(user).filter(code=code).first()
    if system is None:
        raise ValidationError({field: [f"No grading system {code!r}."]})
    return system


def grade_of(system: GradingSystem, code: str) -> Grade:
    grade = system.grades.filter(code=code).first()
    if grade is None:
        codes = ", ".join(g.code for g in system.grades.all())
        raise ValidationError({"grade": [f"{system.name} has no grade {code!r}; it has: {codes}."]})
    return grade


def events_of(patient: Patient) -> QuerySet[AdverseEvent]:
    """A patient's events with everything the patient page and the API show (no N+1)."""
    return (
        AdverseEvent.objects.filter(patient=patient)
        .select_related("limb", "episode", "procedure", "device", "grading_system", "grade")
        .prefetch_related("treatments__procedure")
        .order_by("-onset_on", "-id")
    )


def events_for(user: User, filters: dict[str, Any]) -> QuerySet[AdverseEvent]:
    """The complications of the patients the user may see, filtered, the latest onset first."""
    qs = AdverseEvent.objects.filter(patient__in=patients_for(user))
    if filters.get("outcome"):
        qs = qs.filter(outcome=filters["outcome"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("onset_from"):
        qs = qs.filter(onset_on__gte=filters["onset_from"])
    if filters.get("onset_to"):
        qs = qs.filter(onset_on__lte=filters["onset_to"])
    return (
        qs.select_related(
            "patient", "limb", "episode", "procedure", "device", "grading_system", "grade"
        )
        .prefetch_related("treatments__procedure")
        .order_by("-onset_on", "-id")
    )
