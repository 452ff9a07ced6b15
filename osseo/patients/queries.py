"""The access-checked getters every app uses to reach a patient's record.

Habit from Healthchecks' `_get_check_for_user`: nothing outside this module fetches a patient by id.
A patient outside the user's care scope is "not found" (404), never "forbidden": its existence is
not revealed. Inside the scope, a missing permission is 403.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Model, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404

from osseo.accounts.models import Role, User
from osseo.accounts.permissions import has_permission
from osseo.audit.services import record

from .due import Due, next_due
from .models import CareTeam, Patient, ResidualLimb
from .nhs import normalise_nhs_number


def patients_for(user: User) -> QuerySet[Patient]:
    """The patients a user may see: their organisation's current patients, or their own record."""
    membership = getattr(user, "membership", None)
    if membership is None or not user.is_active:
        return Patient.objects.none()
    if membership.role == Role.PATIENT:
        return Patient.objects.filter(pk=membership.patient_id)
    caring = CareTeam.objects.filter(organisation_id=membership.organisation_id, until__isnull=True)
    return Patient.objects.filter(pk__in=caring.values("patient_id"))


def search_patients(user: User, query: str = "") -> QuerySet[Patient]:
    qs = patients_for(user)
    compact = normalise_nhs_number(query.strip())
    if len(compact) == 10 and compact.isdigit():  # an NHS number, however it is spaced
        return qs.filter(nhs_number=compact).order_by("family_name", "given_name", "id")
    for term in query.split()[:5]:
        digits = term.replace("-", "")
        qs = qs.filter(
            Q(given_name__icontains=term)
            | Q(family_name__icontains=term)
            | Q(record_number__iexact=term)
            | Q(nhs_number=digits)
        )
    return qs.order_by("family_name", "given_name", "id")


# The patient list's columns a reader may sort by (`?sort=phase`, `?sort=-phase` descending).
LIST_SORTS = {
    "name": ("family_name", "given_name"),
    "birth_date": ("birth_date",),
    "phase": ("phase_order",),
    "site": ("current_site",),
    "due": (),  # derived by the apps, not stored: sorted by `by_next_due`
}


def phase_labels() -> dict[str, str]:
    """The episode phases in pathway order with their labels, read from the field through the
    patient's own relation (the patients app imports none of the apps above it)."""
    episode = Patient._meta.get_field("episodes").related_model
    return dict(episode._meta.get_field("phase").flatchoices)  # type: ignore[union-attr]


def patient_list_rows(qs: QuerySet[Patient], sort: str) -> QuerySet[Patient]:
    """The list's rows with each patient's latest episode's phase and its limb's site, in two
    subqueries of the one list query (no query per row), sorted by `sort`."""
    episode = Patient._meta.get_field("episodes").related_model
    latest = episode._default_manager.filter(patient=OuterRef("pk")).order_by("-opened_at", "-id")
    order = Case(
        *(When(current_phase=code, then=Value(i)) for i, code in enumerate(phase_labels())),
        default=Value(99),
        output_field=IntegerField(),
    )
    qs = qs.annotate(
        current_phase=Subquery(latest.values("phase")[:1]),
        current_site=Subquery(latest.values("limb__site")[:1]),
    ).annotate(phase_order=order)
    fields = LIST_SORTS.get(sort.lstrip("-"), LIST_SORTS["name"])
    descending = sort.startswith("-")
    return qs.order_by(*(f"-{f}" if descending else f for f in fields), "family_name", "id")


def by_next_due(
    user: User, qs: QuerySet[Patient], today: dt.date, *, descending: bool = False
) -> tuple[list[int], dict[int, Due]]:
    """The ids of `qs`'s patients by their next due item (soonest first, or latest first when
    `descending`; ties by name), those with nothing due last, by name; and each one's item. A
    fixed number of queries however many patients (each provider answers for all of them)."""
    named = list(qs.order_by("family_name", "given_name", "id").values_list("pk", flat=True))
    found = next_due(user, qs, today)
    dated = sorted(
        (pk for pk in named if pk in found), key=lambda pk: found[pk].on, reverse=descending
    )
    return dated + [pk for pk in named if pk not in found], found


def _as_uuid(value: Any) -> uuid_module.UUID:
    try:
        return value if isinstance(value, uuid_module.UUID) else uuid_module.UUID(str(value))
    except ValueError as exc:
        raise Http404("No such patient.") from exc


def get_by_uuid[M: Model](qs: QuerySet[M], key: Any, what: str) -> M:
    """The row of `qs` with this public id, or 404 (a malformed id is "not found" too). The
    caller then checks access through `get_patient_for`."""
    try:
        return qs.get(uuid=uuid_module.UUID(str(key)))
    except (ValueError, qs.model.DoesNotExist) as exc:  # type: ignore[attr-defined]
        raise Http404(f"No such {what}.") from exc


def get_patient_for(
    user: User, patient_id: Any, *, permission: str = "patient.view", audit_read: bool = True
) -> Patient:
    """The patient, if in the user's scope and the user holds `permission`; the read is audited."""
    try:
        patient = patients_for(user).get(uuid=_as_uuid(patient_id))
    except Patient.DoesNotExist as exc:
        raise Http404("No such patient.") from exc
    if not has_permission(user, permission):
        raise PermissionDenied(f"Your role may not do this ({permission}).")
    if audit_read:
        record("patients.patient.viewed", actor=user, patient=patient, obj=patient)
    return patient


def get_limb_for(user: User, limb_id: Any, *, permission: str = "patient.view") -> ResidualLimb:
    try:
        limb = ResidualLimb.objects.select_related("patient").get(uuid=_as_uuid(limb_id))
    except ResidualLimb.DoesNotExist as exc:
        raise Http404("No such limb.") from exc
    get_patient_for(user, limb.patient.uuid, permission=permission, audit_read=False)
    return limb


def patient_detail(patient: Patient) -> Patient:
    """The patient with limbs and episodes loaded for the API's patient detail (no N+1). The
    patient page loads what its panels declare instead (osseo/patients/panels.py)."""
    return Patient.objects.prefetch_related("limbs", "episodes__limb").get(pk=patient.pk)


def record_list_read(user: User, patient_uuids: Iterable[str], **context: Any) -> None:
    """A list that names patients is a read of their records: one audit entry naming them (each
    once, in the order given) with what the list was (`context`). Nothing named, no entry."""
    named = list(dict.fromkeys(patient_uuids))
    if named:
        record("patients.list.viewed", actor=user, changes={**context, "patients": named})
