"""A patient's whole record as FHIR resources: what `Patient/{id}/$everything`, `osseo fhir
export` and the bulk export write (https://hl7.org/fhir/R4/patient-operation-everything.html).

The caller has already been allowed to read the patient (patients.queries.get_patient_for); this
module reads the record with its relations loaded at the point of definition (no N+1), and only
signed facts: a draft operative record, and a part recorded on one, are not exported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch

from osseo.audit.models import AuditEntry
from osseo.complications.models import AdverseEvent
from osseo.connectors.models import ActivityDay, BodyWeight
from osseo.outcomes.models import QuestionnaireResponse
from osseo.pathway.models import Episode
from osseo.patients.models import Patient, Referral, ResidualLimb
from osseo.rehab.models import FunctionTest, RehabPlan
from osseo.surgery.models import Device, DeviceStatus, Procedure, RecordStatus

from . import careplan, condition, device, document_reference, observation, procedure, provenance
from . import patient as patient_map
from . import questionnaire_response as qr_map
from .references import People


def signed_procedures(patient: Patient) -> Any:
    exported = Device.objects.exclude(status=DeviceStatus.RECORDED)
    return (
        Procedure.objects.filter(patient=patient, status=RecordStatus.SIGNED)
        .select_related("patient", "limb", "surgeon__membership", "signed_by__membership")
        .prefetch_related(
            "versions__author__membership",
            Prefetch("devices_placed", queryset=exported),
            Prefetch("devices_removed", queryset=exported),
        )
        .order_by("performed_on", "id")
    )


def resources(patient: Patient, people: People | None = None) -> Iterator[dict[str, Any]]:
    """Every resource of the patient's record, the Patient first; the Practitioners and
    Organizations named are gathered in `people` (the caller adds them at the end)."""
    people = people if people is not None else People()
    yield patient_map.to_fhir(patient)
    for limb in ResidualLimb.objects.filter(patient=patient).select_related("patient"):
        yield condition.limb_loss(limb)
    for episode in Episode.objects.filter(patient=patient).select_related("patient", "limb"):
        yield careplan.episode_referral(episode)
    procedures = list(signed_procedures(patient))
    for p in procedures:
        yield procedure.to_fhir(p, people)
        yield document_reference.to_fhir(p, people)
    entries = AuditEntry.objects.filter(
        action__in=provenance.SIGNING_ACTIONS,
        object_type="surgery.procedure",
        object_id__in=[str(p.uuid) for p in procedures],
    ).select_related("actor__membership__patient")
    for entry in entries.order_by("seq"):
        yield provenance.to_fhir(entry, ("Procedure", "DocumentReference"), people)
    devices = Device.objects.filter(patient=patient).exclude(status=DeviceStatus.RECORDED)
    for d in devices.select_related("patient", "catalogue_item"):
        yield device.to_fhir(d)
    signed = {str(p.uuid) for p in procedures}
    shown = {str(d.uuid) for d in devices}
    events = AdverseEvent.objects.filter(patient=patient).select_related(
        "patient", "limb", "procedure", "device", "grading_system", "grade"
    )
    for event in events:
        resource = condition.complication(event)
        _keep_known(resource, signed | shown)
        yield resource
    referrals = {
        r.pk: r
        for r in Referral.objects.filter(patient=patient).select_related(
            "patient", "organisation", "protocol", "referred_by__membership"
        )
    }
    for r in referrals.values():
        yield careplan.rehab_referral(r, people)
    for plan in RehabPlan.objects.filter(patient=patient).select_related(
        "patient", "protocol", "created_by__membership", "organisation"
    ):
        partner = next(
            (r for r in referrals.values() if r.organisation_id == plan.organisation_id), None
        )
        yield careplan.rehab_plan(plan, people, partner)
    for weight in BodyWeight.objects.filter(patient=patient).select_related(
        "patient", "recorded_by__membership"
    ):
        yield observation.body_weight(weight, people)
    for test in FunctionTest.objects.filter(patient=patient).select_related(
        "patient", "recorded_by__membership"
    ):
        yield observation.function_test(test, people)
    for day in ActivityDay.objects.filter(patient=patient).only("date", "steps").iterator(2000):
        yield observation.daily_steps(day, patient.uuid)
    responses = (
        QuestionnaireResponse.objects.filter(patient=patient)
        .select_related("questionnaire", "patient", "author__membership")
        .prefetch_related("scores")
        .order_by("authored_on", "id")
    )
    for response in responses:
        author = people.user(response.author)
        yield from qr_map.of_response(response, response.questionnaire.definition, author)


def _keep_known(resource: dict[str, Any], known: set[str]) -> None:
    """Drop evidence naming an operation or part not exported (a draft), so no reference
    dangles."""
    for evidence in resource.get("evidence", []):
        evidence["detail"] = [
            d for d in evidence["detail"] if d["reference"].split("/", 1)[1] in known
        ]
    resource["evidence"] = [e for e in resource.get("evidence", []) if e["detail"]]
    if not resource["evidence"]:
        del resource["evidence"]


def searchset(patient: Patient, base: str) -> dict[str, Any]:
    """The record as a `searchset` Bundle (the $everything answer), `base` the server's FHIR base
    URL for each entry's fullUrl."""
    people = People()
    entries = [_entry(r, base) for r in resources(patient, people)]
    entries += [_entry(r, base, mode="include") for r in people.resources()]
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": sum(1 for e in entries if e["search"]["mode"] == "match"),
        "entry": entries,
    }


def _entry(resource: dict[str, Any], base: str, mode: str = "match") -> dict[str, Any]:
    return {
        "fullUrl": f"{base}{resource['resourceType']}/{resource['id']}",
        "resource": resource,
        "search": {"mode": mode},
    }
