"""Every write to patients and limbs: one transaction each, audited inside it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from osseo.accounts.models import User
from osseo.accounts.permissions import has_permission
from osseo.audit.labels import register
from osseo.audit.services import record

from .models import CareTeam, Patient, ResidualLimb
from .validation import PATIENT_FIELDS, changed_fields, check_limb, check_patient

register(
    {
        "patients.patient.created": "Patient created",
        "patients.patient.updated": "Patient details changed",
        "patients.patient.viewed": "Patient record viewed",
        "patients.list.viewed": "Patient list viewed",
        "patients.limb.created": "Residual limb added",
    }
)


def create_patient(*, actor: User, data: dict[str, Any]) -> Patient:
    """Create a patient cared for by the actor's organisation."""
    if not has_permission(actor, "patient.create"):
        raise PermissionDenied("Your role may not create patients.")
    values = {name: data.get(name) for name in PATIENT_FIELDS}
    cleaned = check_patient(values)
    with transaction.atomic():
        patient = Patient.objects.create(**cleaned)
        CareTeam.objects.create(
            patient=patient, organisation=actor.membership.organisation, since=timezone.now()
        )
        record(
            "patients.patient.created",
            actor=actor,
            patient=patient,
            obj=patient,
            changes={k: [None, v] for k, v in cleaned.items() if v not in ("", None)},
        )
    return patient


def update_patient(*, actor: User, patient: Patient, data: dict[str, Any]) -> Patient:
    """Change some of a patient's fields (those present in `data`)."""
    if not has_permission(actor, "patient.edit"):
        raise PermissionDenied("Your role may not edit patients.")
    values = {name: getattr(patient, name) for name in PATIENT_FIELDS}
    values.update({k: v for k, v in data.items() if k in PATIENT_FIELDS})
    cleaned = check_patient(values, instance=patient)
    changes = changed_fields(patient, cleaned)
    if not changes:
        return patient
    with transaction.atomic():
        for name, (_before, after) in changes.items():
            setattr(patient, name, after)
        patient.save()
        record(
            "patients.patient.updated", actor=actor, patient=patient, obj=patient, changes=changes
        )
    return patient


def add_limb(*, actor: User, patient: Patient, data: dict[str, Any]) -> ResidualLimb:
    if not has_permission(actor, "limb.create"):
        raise PermissionDenied("Your role may not add limbs.")
    cleaned = check_limb(
        {k: data.get(k) for k in ("site", "side", "amputation_date", "cause", "notes")},
        patient=patient,
    )
    with transaction.atomic():
        limb = ResidualLimb.objects.create(patient=patient, **cleaned)
        record(
            "patients.limb.created",
            actor=actor,
            patient=patient,
            obj=limb,
            changes={k: [None, v] for k, v in cleaned.items() if v not in ("", None)},
        )
    return limb
