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

from . import (
    careplan,
    condition,
    device,
    document_reference,
    extra,
    observation,
    procedure,
    provenance,
)
from . import patient as patient_map
from . import questionnaire_response as qr_map
from .references import People


def signed_procedures(patients: Any) -> Any:
    """The signed operations of `patients` (a patient, or a list or queryset of them), with
    the parts they placed or removed (a part only recorded on a draft is not a fact)."""
    exported = Device.objects.exclude(status=DeviceStatus.RECORDED)
    scope = {"patient": patients} if isinstance(patients, Patient) else {"patient__in": patients}
    return (
        Procedure.objects.filter(status=RecordStatus.SIGNED, **scope)
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
    for _, resource in records([patient], people):
        yield resource


def records(
    patients: list[Patient], people: People | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every resource of the records of a batch of `patients`, kind by kind (the Patients
    first), each with the id of the patient it belongs to: a handful of queries per batch
    whatever its size, so the bulk export (bulk.py) reads the registry batch by batch."""
    people = people if people is not None else People()
    ids = [p.pk for p in patients]
    for patient in patients:
        yield str(patient.uuid), patient_map.to_fhir(patient)
    for limb in ResidualLimb.objects.filter(patient_id__in=ids).select_related("patient"):
        yield str(limb.patient.uuid), condition.limb_loss(limb)
    episodes = Episode.objects.filter(patient_id__in=ids).select_related("patient", "limb")
    for episode in episodes:
        yield str(episode.patient.uuid), careplan.episode_referral(episode)
    procedures = list(signed_procedures(ids))
    owner = {str(p.uuid): str(p.patient.uuid) for p in procedures}
    for p in procedures:
        yield owner[str(p.uuid)], procedure.to_fhir(p, people)
        yield owner[str(p.uuid)], document_reference.to_fhir(p, people)
    entries = AuditEntry.objects.filter(
        action__in=provenance.SIGNING_ACTIONS,
        object_type="surgery.procedure",
        object_id__in=list(owner),
    ).select_related("actor__membership__patient")
    for entry in entries.order_by("seq"):
        yield (
            owner[entry.object_id],
            provenance.to_fhir(entry, ("Procedure", "DocumentReference"), people),
        )
    devices = list(
        Device.objects.filter(patient_id__in=ids)
        .exclude(status=DeviceStatus.RECORDED)
        .select_related("patient", "catalogue_item")
    )
    for d in devices:
        yield str(d.patient.uuid), device.to_fhir(d)
    known = set(owner) | {str(d.uuid) for d in devices}
    events = AdverseEvent.objects.filter(patient_id__in=ids).select_related(
        "patient", "limb", "procedure", "device", "grading_system", "grade"
    )
    for event in events:
        resource = condition.complication(event)
        _keep_known(resource, known)
        yield str(event.patient.uuid), resource
    referrals = list(
        Referral.objects.filter(patient_id__in=ids).select_related(
            "patient", "organisation", "protocol", "referred_by__membership"
        )
    )
    for r in referrals:
        yield str(r.patient.uuid), careplan.rehab_referral(r, people)
    partners = {(r.patient_id, r.organisation_id): r for r in referrals}
    for plan in RehabPlan.objects.filter(patient_id__in=ids).select_related(
        "patient", "protocol", "created_by__membership", "organisation"
    ):
        partner = partners.get((plan.patient_id, plan.organisation_id))
        yield str(plan.patient.uuid), careplan.rehab_plan(plan, people, partner)
    for weight in BodyWeight.objects.filter(patient_id__in=ids).select_related(
        "patient", "recorded_by__membership"
    ):
        yield str(weight.patient.uuid), observation.body_weight(weight, people)
    for test in FunctionTest.objects.filter(patient_id__in=ids).select_related(
        "patient", "recorded_by__membership"
    ):
        yield str(test.patient.uuid), observation.function_test(test, people)
    uuids = {p.pk: str(p.uuid) for p in patients}
    days = ActivityDay.objects.filter(patient_id__in=ids).only("patient_id", "date", "steps")
    for day in days.order_by("patient_id", "date").iterator(2000):
        key = uuids[day.patient_id]
        yield key, observation.daily_steps(day, key)
    responses = (
        QuestionnaireResponse.objects.filter(patient_id__in=ids)
        .select_related("questionnaire", "patient", "author__membership")
        .prefetch_related("scores")
        .order_by("authored_on", "id")
    )
    for response in responses:
        author = people.user(response.author)
        for resource in qr_map.of_response(response, response.questionnaire.definition, author):
            yield str(response.patient.uuid), resource
    # What the apps above interop register (extra.py): the clinic's booked appointments.
    yield from extra.provided(patients, people)


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
