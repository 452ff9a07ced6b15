"""Every write to patients and limbs: one transaction each, audited inside it."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from osseo.accounts.models import User
from osseo.audit.labels import register
from osseo.audit.services import record
from osseo.contract import action

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


@action(permission="patient.create")
def create_patient(*, actor: User, data: dict[str, Any]) -> Patient:
    """Create a patient cared for by the actor's organisation."""
    values = {name: data.get(name) for name in PATIENT_FIELDS}
    cleaned = check_patient(values)
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


@action(permission="patient.edit", locks=["patient"])
def update_patient(
    *, actor: User, patient: Patient, data: dict[str, Any], if_match: str | None = None
) -> Patient:
    """Change the patient's fields named in `data`, over the current row (locked and re-read by
    the contract), so a colleague's change to another field survives; `if_match` refuses the
    change (412) when the record is no longer at that version."""
    return _change_patient(actor=actor, patient=patient, data=data, fields=PATIENT_FIELDS)


OWN_CONTACT_FIELDS = ("phone", "email", "address")


@action(permission="patient.own_contact", locks=["patient"])
def update_own_contact(*, actor: User, patient: Patient, data: dict[str, Any]) -> Patient:
    """The patient changes their own phone, e-mail and address; nothing else of the record."""
    return _change_patient(actor=actor, patient=patient, data=data, fields=OWN_CONTACT_FIELDS)


def _change_patient(
    *, actor: User, patient: Patient, data: dict[str, Any], fields: tuple[str, ...]
) -> Patient:
    values = {name: getattr(patient, name) for name in PATIENT_FIELDS}
    values.update({k: v for k, v in data.items() if k in fields})
    cleaned = check_patient(values, instance=patient)
    changes = changed_fields(patient, cleaned)
    if not changes:
        return patient
    for name, (_before, after) in changes.items():
        setattr(patient, name, after)
    patient.save(update_fields=[*changes, "updated_at"])
    record("patients.patient.updated", actor=actor, patient=patient, obj=patient, changes=changes)
    return patient


@action(permission="limb.create", locks=["patient"])
def add_limb(*, actor: User, patient: Patient, data: dict[str, Any]) -> ResidualLimb:
    cleaned = check_limb(
        {k: data.get(k) for k in ("site", "side", "amputation_date", "cause", "notes")},
        patient=patient,
    )
    limb = ResidualLimb.objects.create(patient=patient, **cleaned)
    record(
        "patients.limb.created",
        actor=actor,
        patient=patient,
        obj=limb,
        changes={k: [None, v] for k, v in cleaned.items() if v not in ("", None)},
    )
    return limb
