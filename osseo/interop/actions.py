"""Every write of the interop app: a referral received as FHIR, through the action contract."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from osseo.accounts.models import User
from osseo.audit.services import record
from osseo.contract import action
from osseo.errors import Conflict
from osseo.pathway.actions import open_episode
from osseo.patients.actions import add_limb, create_patient
from osseo.patients.models import Patient, ResidualLimb
from osseo.patients.nhs import normalise_nhs_number
from osseo.patients.queries import patients_for

from . import queries  # noqa: F401 - registers the audit labels
from .importer import LIMB_PATHS, PATIENT_PATHS, Referral, Refused
from .outcome import issue


def _field_issues(exc: ValidationError, at: str, paths: dict[str, str]) -> list[dict[str, Any]]:
    if not hasattr(exc, "error_dict"):
        return [issue("invalid", m, at) for m in exc.messages]
    return [
        issue("invalid", m, f"{at}.resource.{paths.get(name, name)}")
        for name, messages in exc.message_dict.items()
        for m in messages
    ]


def _match(actor: User, data: dict[str, Any], at: str) -> Patient | None:
    """The patient the referral is about among those the actor's organisation cares for: by NHS
    number, then by family name, given name and date of birth; None for a new patient."""
    mine = patients_for(actor)
    nhs = normalise_nhs_number(data.get("nhs_number") or "")
    if nhs:
        found = mine.filter(nhs_number=nhs).first()
        if found is not None:
            return found
    same = list(
        mine.filter(
            family_name__iexact=data["family_name"],
            given_name__iexact=data["given_name"],
            birth_date=data["birth_date"],
        )[:2]
    )
    if len(same) > 1:
        raise Refused(
            [
                issue(
                    "multiple-matches",
                    "More than one patient has this name and birth date; send the NHS number.",
                    f"{at}.resource",
                )
            ],
            409,
        )
    if same and nhs and same[0].nhs_number and same[0].nhs_number != nhs:
        raise Refused(
            [
                issue(
                    "conflict",
                    "A patient with this name and birth date has another NHS "
                    "number; check the referral.",
                    f"{at}.resource.identifier",
                )
            ],
            409,
        )
    return same[0] if same else None


@action(permission="patient.create")
def import_referral(*, actor: User, referral: Referral, entries: int) -> dict[str, Any]:
    """Create or match the patient, add (or find) each limb and open a referral episode for each
    request; all in one transaction, so a refusal anywhere writes nothing. Answers the
    transaction-response Bundle, its entries in the order of the request's."""
    at = f"Bundle.entry[{referral.patient_index}]"
    responses: dict[int, dict[str, str]] = {}
    patient = _match(actor, referral.patient, at)
    if patient is None:
        try:
            patient = create_patient(actor=actor, data=referral.patient)
        except ValidationError as exc:
            raise Refused(_field_issues(exc, at, PATIENT_PATHS)) from exc
        responses[referral.patient_index] = _created("Patient", patient.uuid)
    else:
        responses[referral.patient_index] = _found("Patient", patient.uuid)
    limbs: dict[int, ResidualLimb] = {}
    for limb in referral.limbs:
        here = f"Bundle.entry[{limb.index}]"
        held = ResidualLimb.objects.filter(
            patient=patient, site=limb.data["site"], side=limb.data["side"]
        ).first()
        if held is not None:
            limbs[limb.index] = held
            responses[limb.index] = _found("Condition", held.uuid)
            continue
        try:
            limbs[limb.index] = add_limb(actor=actor, patient=patient, data=limb.data)
        except ValidationError as exc:
            raise Refused(_field_issues(exc, here, LIMB_PATHS)) from exc
        responses[limb.index] = _created("Condition", limbs[limb.index].uuid)
    for request in referral.requests:
        here = f"Bundle.entry[{request.index}]"
        try:
            episode = open_episode(
                actor=actor,
                limb=limbs[request.limb],
                reason="Referral received as FHIR.",
                opened_at=request.opened_at,
            )
        except Conflict as exc:
            raise Refused([issue("conflict", str(exc), f"{here}.resource")], 409) from exc
        except ValidationError as exc:
            raise Refused(_field_issues(exc, here, {"opened_at": "authoredOn"})) from exc
        responses[request.index] = _created("ServiceRequest", episode.uuid)
    record(
        "interop.referral.imported",
        actor=actor,
        patient=patient,
        obj=patient,
        changes={
            "created": [r["location"] for r in responses.values() if r["status"].startswith("201")],
            "matched": [r["location"] for r in responses.values() if r["status"].startswith("200")],
        },
    )
    return {
        "resourceType": "Bundle",
        "type": "transaction-response",
        "entry": [{"response": responses[i]} for i in range(entries)],
    }


def _created(kind: str, key: Any) -> dict[str, str]:
    return {"status": "201 Created", "location": f"{kind}/{key}"}


def _found(kind: str, key: Any) -> dict[str, str]:
    return {"status": "200 OK", "location": f"{kind}/{key}"}
