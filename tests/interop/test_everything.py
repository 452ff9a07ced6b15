"""`GET /api/v1/fhir/Patient/{id}/$everything`: the patient's whole record as a searchset Bundle,
application/fhir+json, valid, within the caller's access, audited; errors as OperationOutcome."""

import pytest

from osseo.audit.models import AuditEntry
from osseo.interop import validate
from tests.conftest import api_client, client_for
from tests.interop.conftest import RECORDED_KINDS


def _get(user, patient_id, client=None):
    client = client or api_client(user)
    return client.get(f"/api/v1/fhir/Patient/{patient_id}/$everything")


def _of(bundle, kind):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_the_whole_record_is_a_valid_searchset_bundle_of_every_mapped_kind(recorded):
    world = recorded
    response = _get(world.users["surgeon"], world.patient.uuid)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    bundle = response.json()
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "searchset")
    assert validate.bundle_problems(bundle) == []
    kinds = sorted({e["resource"]["resourceType"] for e in bundle["entry"]})
    assert kinds == RECORDED_KINDS
    assert bundle["entry"][0]["resource"]["id"] == str(world.patient.uuid)
    assert bundle["entry"][0]["fullUrl"] == (
        f"http://testserver/api/v1/fhir/Patient/{world.patient.uuid}"
    )
    # The Practitioners are included because resources name them; the rest match.
    modes = {e["resource"]["resourceType"]: e["search"]["mode"] for e in bundle["entry"]}
    assert (modes["Practitioner"], modes["Procedure"]) == ("include", "match")
    assert bundle["total"] == sum(1 for e in bundle["entry"] if e["search"]["mode"] == "match")


def test_the_export_is_audited_as_a_read_of_the_whole_record(recorded):
    world = recorded
    _get(world.users["anaesthetist"], world.patient.uuid)
    entry = AuditEntry.objects.filter(action="interop.record.exported").get()
    assert (entry.actor, entry.patient) == (world.users["anaesthetist"], world.patient)
    assert entry.changes["operation"] == "$everything"


def test_a_patient_exports_their_own_record_and_no_one_elses(recorded):
    world = recorded
    patient = world.users["patient"]
    assert _get(patient, world.patient.uuid).status_code == 200
    response = _get(patient, world.other_patient.uuid)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/fhir+json"
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] == "not-found"


def test_a_clinician_at_another_clinic_gets_not_found_and_nothing_is_audited_as_exported(recorded):
    world = recorded
    response = _get(world.users["outsider"], world.patient.uuid)
    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"
    assert not AuditEntry.objects.filter(action="interop.record.exported").exists()


def test_the_export_holds_only_the_patient_asked_for(recorded):
    world = recorded
    bundle = _get(world.users["surgeon"], world.patient.uuid).json()
    subjects = {
        (r.get("subject") or r.get("patient") or {}).get("reference")
        for e in bundle["entry"]
        if (r := e["resource"])["resourceType"] not in ("Patient", "Practitioner", "Provenance")
    }
    assert subjects == {f"Patient/{world.patient.uuid}"}


@pytest.mark.parametrize("how", ["anonymous", "bad token", "session"])
def test_authentication_and_its_errors_are_fhir(recorded, how):
    from django.test import Client

    world = recorded
    if how == "session":
        response = _get(None, world.patient.uuid, client_for(world.users["surgeon"]))
        assert response.status_code == 200
        return
    headers = {"Authorization": "Bearer nope"} if how == "bad token" else {}
    response = Client(headers=headers).get(f"/api/v1/fhir/Patient/{world.patient.uuid}/$everything")
    assert response.status_code == 401
    assert response.json()["issue"][0]["code"] == "login"


def test_an_unknown_fhir_path_is_an_operation_outcome(recorded):
    response = api_client(recorded.users["surgeon"]).get("/api/v1/fhir/Observation?code=x")
    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"
