"""The reads of the FHIR export, through the patients app's access-checked getter."""

from __future__ import annotations

from typing import Any

from osseo.accounts.models import User
from osseo.audit.labels import register
from osseo.audit.services import record
from osseo.patients.models import Patient
from osseo.patients.queries import get_patient_for

register(
    {
        "interop.record.exported": "Whole record exported as FHIR",
        "interop.referral.imported": "Referral imported from FHIR",
        "interop.bulk.exported": "Registry bulk FHIR export written",
    }
)


def get_record_for(user: User, patient_id: Any, *, via: str) -> Patient:
    """The patient whose whole record the user may read (404 outside their scope, 403 without
    the permission); the read of the whole record is audited, with how it left (`via`)."""
    patient = get_patient_for(user, patient_id, audit_read=False)
    audit_export(user, patient, operation="$everything", via=via)
    return patient


def audit_export(actor: User | None, patient: Patient, *, operation: str, via: str) -> None:
    """The whole record read and sent out (`operation`, `via`), in the patient's access history;
    `actor` None is the command line."""
    record(
        "interop.record.exported",
        actor=actor,
        patient=patient,
        obj=patient,
        changes={"operation": operation, "via": via},
    )


def get_record_for_operator(patient_id: Any) -> Patient:
    """The patient, for the operator at the server (`osseo fhir export` without --actor): trusted
    like every management command, and audited with the command line as the actor."""
    try:
        patient = Patient.objects.get(uuid=str(patient_id))
    except (Patient.DoesNotExist, ValueError) as exc:
        raise Patient.DoesNotExist(f"no patient with id {patient_id!r}") from exc
    audit_export(None, patient, operation="$everything", via="command line")
    return patient
