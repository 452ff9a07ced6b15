"""`POST /api/v1/fhir`: a referral (Patient, Condition, ServiceRequest) in a transaction Bundle
creates or matches the patient and opens a referral episode, all or nothing; every problem is an
OperationOutcome issue at its `Bundle.entry[i]` path; and the referral round-trips."""

import copy
import json
from pathlib import Path

import pytest

from osseo.audit.models import AuditEntry
from osseo.pathway.models import Episode
from osseo.patients.models import Patient, ResidualLimb
from tests.conftest import api_client, make_user

REFERRAL = json.loads((Path(__file__).parents[1] / "data/fhir/referral-bundle.json").read_text())


def referral():
    return copy.deepcopy(REFERRAL)


def post(user, body):
    return api_client(user).post(
        "/api/v1/fhir", json.dumps(body), content_type="application/fhir+json"
    )


def counts():
    return (Patient.objects.count(), ResidualLimb.objects.count(), Episode.objects.count())


@pytest.fixture
def clinic(db):
    from osseo.accounts.actions import create_organisation
    from osseo.demo.reference import ensure_reference_data

    ensure_reference_data()
    org = create_organisation(name="Receiving Clinic", slug="receiving", kind="oi_clinic")
    return make_user("coordinator", "coordinator", org)


def test_a_referral_creates_the_patient_the_limb_and_a_referral_episode(clinic):
    response = post(clinic, referral())
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/fhir+json"
    answer = response.json()
    assert answer["type"] == "transaction-response"
    assert [e["response"]["status"] for e in answer["entry"]] == ["201 Created"] * 3
    patient = Patient.objects.get()
    assert (patient.nhs_number, patient.family_name, patient.given_name) == (
        "9000000009",
        "Pemberton",
        "Iolo",
    )
    limb = patient.limbs.get()
    assert (limb.site, limb.side, limb.cause, str(limb.amputation_date)) == (
        "tibia",
        "right",
        "vascular",
        "2019-06-11",
    )
    episode = Episode.objects.get()
    assert (episode.phase, episode.limb) == ("referral", limb)
    assert episode.opened_at.isoformat() == "2024-11-20T09:30:00+00:00"
    assert answer["entry"][0]["response"]["location"] == f"Patient/{patient.uuid}"
    assert answer["entry"][2]["response"]["location"] == f"ServiceRequest/{episode.uuid}"
    assert AuditEntry.objects.filter(action="interop.referral.imported", patient=patient).exists()


def _without_ids(resource, names):
    """The resource without id and meta, its references to the Bundle's resources by name."""
    text = json.dumps({k: v for k, v in resource.items() if k not in ("id", "meta")})
    for reference, name in names.items():
        text = text.replace(f'"{reference}"', f'"{name}"')
    return json.loads(text)


def test_a_referral_imported_into_an_empty_database_exports_as_the_same_resources(clinic):
    sent = referral()
    answer = post(clinic, sent).json()
    locations = [e["response"]["location"] for e in answer["entry"]]
    patient_id = locations[0].split("/")[1]
    bundle = api_client(clinic).get(f"/api/v1/fhir/Patient/{patient_id}/$everything").json()
    exported = {
        f"{e['resource']['resourceType']}/{e['resource']['id']}": e for e in bundle["entry"]
    }
    names = {}
    for entry, location in zip(sent["entry"], locations, strict=True):
        names[entry["fullUrl"]] = f"entry-{location.split('/')[0]}"
        names[location] = names[entry["fullUrl"]]
    for entry, location in zip(sent["entry"], locations, strict=True):
        assert _without_ids(exported[location]["resource"], names) == _without_ids(
            entry["resource"], names
        )


def test_a_second_referral_matches_the_patient_by_nhs_number_and_the_limb_by_site(clinic):
    post(clinic, referral())
    Episode.objects.update(phase="declined")  # the first referral was declined
    again = referral()
    again["entry"][0]["resource"]["name"][0]["given"] = ["Iolo", "Rhys"]  # written differently
    response = post(clinic, again)
    assert response.status_code == 200, response.content
    assert [e["response"]["status"] for e in response.json()["entry"]] == [
        "200 OK",
        "200 OK",
        "201 Created",
    ]
    assert counts() == (1, 1, 2)


def test_without_an_nhs_number_the_patient_is_matched_by_name_and_birth_date(clinic):
    post(clinic, referral())
    Episode.objects.update(phase="declined")
    again = referral()
    del again["entry"][0]["resource"]["identifier"]
    again["entry"][0]["resource"]["name"][0]["family"] = "PEMBERTON"
    assert post(clinic, again).json()["entry"][0]["response"]["status"] == "200 OK"
    assert counts() == (1, 1, 2)


def test_an_open_episode_for_the_limb_refuses_the_whole_referral_at_its_service_request(clinic):
    post(clinic, referral())
    response = post(clinic, referral())
    assert response.status_code == 409
    [problem] = response.json()["issue"]
    assert problem["code"] == "conflict"
    assert problem["expression"] == ["Bundle.entry[2].resource"]
    assert counts() == (1, 1, 1)


def test_an_unknown_resource_type_is_reported_and_nothing_is_written(clinic):
    bundle = referral()
    bundle["entry"].append(
        {
            "fullUrl": "urn:uuid:0d4b4c8e-5b55-4bd6-b7a0-4f8f5e7a1b44",
            "resource": {"resourceType": "AllergyIntolerance", "patient": {"reference": "x"}},
            "request": {"method": "POST", "url": "AllergyIntolerance"},
        }
    )
    response = post(clinic, bundle)
    assert response.status_code == 422
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    [problem] = outcome["issue"]
    assert (problem["code"], problem["expression"]) == (
        "not-supported",
        ["Bundle.entry[3].resource.resourceType"],
    )
    assert counts() == (0, 0, 0)


def test_every_problem_is_named_by_its_entry_path(clinic):
    bundle = referral()
    patient, condition, request = (e["resource"] for e in bundle["entry"])
    patient["birthDate"] = "1971-02-30"
    patient["identifier"][0]["value"] = "9000000008"  # wrong check digit
    del condition["extension"]  # no cause
    condition["subject"]["reference"] = "Patient/elsewhere"
    request["reasonReference"] = [{"reference": "urn:uuid:not-in-the-bundle"}]
    response = post(clinic, bundle)
    assert response.status_code == 422
    where = sorted(p for i in response.json()["issue"] for p in i["expression"])
    assert where == ["Bundle.entry[0].resource.birthDate"]  # a structural error stops the reading
    patient["birthDate"] = "1971-02-28"
    where = sorted(p for i in post(clinic, bundle).json()["issue"] for p in i["expression"])
    assert where == [
        "Bundle.entry[0].resource.identifier",
        "Bundle.entry[1].resource.extension",
        "Bundle.entry[1].resource.subject.reference",
        "Bundle.entry[2].resource.reasonReference",
    ]
    assert counts() == (0, 0, 0)


def test_a_bundle_that_is_not_a_transaction_or_holds_no_patient_is_refused(clinic):
    bundle = referral()
    bundle["type"] = "collection"
    del bundle["entry"][0]
    issues = post(clinic, bundle).json()["issue"]
    assert {tuple(i["expression"]) for i in issues} >= {("Bundle.type",), ("Bundle.entry",)}
    response = post(clinic, {"resourceType": "Patient"})
    assert response.status_code == 400
    assert response.json()["issue"][0]["expression"] == ["Bundle.resourceType"]


def test_a_role_that_may_not_create_patients_is_refused_and_nothing_is_written(world):
    response = post(world.users["rehab_specialist"], referral())
    assert response.status_code == 403
    assert response.json()["issue"][0]["code"] == "forbidden"
    assert not Patient.objects.filter(nhs_number="9000000009").exists()


def test_a_patient_held_by_another_clinic_is_not_merged_into_this_one(world):
    bundle = referral()
    bundle["entry"][0]["resource"]["identifier"][0]["value"] = world.patient.nhs_number
    response = post(world.users["outsider"], bundle)
    assert response.status_code == 422
    [problem] = response.json()["issue"]
    assert problem["expression"] == ["Bundle.entry[0].resource.identifier"]
    assert world.patient.limbs.count() == 1


def test_a_body_that_is_not_fhir_json_is_415_and_nothing_is_written(clinic):
    response = api_client(clinic).post(
        "/api/v1/fhir", json.dumps(referral()), content_type="text/plain"
    )
    assert response.status_code == 415
    assert response["Content-Type"].startswith("application/fhir+json")
    assert response.json()["issue"][0]["code"] == "not-supported"
    assert counts() == (0, 0, 0)
    plain_json = api_client(clinic).post(
        "/api/v1/fhir", json.dumps(referral()), content_type="application/json"
    )
    assert plain_json.status_code == 200


def test_a_nul_character_anywhere_is_named_by_its_path_and_nothing_is_written(clinic):
    bundle = referral()
    bundle["entry"][0]["resource"]["name"][0]["given"] = ["Io\x00lo"]
    bundle["entry"][1]["resource"]["code"]["text"] = "Loss\x00"
    response = post(clinic, bundle)
    assert response.status_code == 422
    where = sorted(p for i in response.json()["issue"] for p in i["expression"])
    assert where == [
        "Bundle.entry[0].resource.name[0].given[0]",
        "Bundle.entry[1].resource.code.text",
    ]
    assert counts() == (0, 0, 0)


def test_structural_problems_are_named_in_fhirpath_not_as_python_locations(clinic):
    bundle = referral()
    bundle["entry"][1] = "not an entry"
    bundle["entry"][0]["resource"]["name"][0]["family"] = 7
    issues = post(clinic, bundle).json()["issue"]
    where = {p for i in issues for p in i["expression"]}
    assert "Bundle.entry[1]" in where
    assert not any(".1" in p or ".0" in p for p in where), where
    duplicate = referral()
    duplicate["entry"][1]["fullUrl"] = duplicate["entry"][0]["fullUrl"]
    [problem] = post(clinic, duplicate).json()["issue"]
    assert problem["diagnostics"].startswith("bdl-7")
    assert problem["expression"] == ["Bundle"]  # the Bundle itself, not "Bundle.Bundle"
    assert counts() == (0, 0, 0)
