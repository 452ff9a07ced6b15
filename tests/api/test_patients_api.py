import datetime as dt
import json

import pytest

from osseo.audit.models import AuditEntry
from osseo.pathway.models import Episode, PhaseChange
from osseo.patients.models import Patient, ResidualLimb
from tests.conftest import PASSWORD, api_client

NEW_PATIENT = {
    "given_name": "Cerys",
    "family_name": "Lanyon",
    "birth_date": "1975-02-01",
    "sex": "female",
}


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    return body


def test_a_token_is_issued_for_good_credentials_only(world):
    client = api_client(world.users["surgeon"])
    good = _post(client, "/api/v1/auth/token", {"username": "surgeon", "password": PASSWORD})
    assert good.status_code == 200
    assert len(good.json()["token"]) > 30
    bad = _post(client, "/api/v1/auth/token", {"username": "surgeon", "password": "nope"})
    _problem(bad, 401)


def test_without_a_token_or_session_the_api_answers_401(world):
    from django.test import Client

    _problem(Client().get("/api/v1/patients"), 401)
    _problem(Client(headers={"Authorization": "Bearer forged"}).get("/api/v1/patients"), 401)


def test_creating_a_patient_needs_only_the_four_required_fields(world):
    response = _post(api_client(world.users["coordinator"]), "/api/v1/patients", NEW_PATIENT)
    assert response.status_code == 201
    body = response.json()
    patient = Patient.objects.get(uuid=body["id"])
    assert body == {
        "id": str(patient.uuid),
        **NEW_PATIENT,
        "nhs_number": "",
        "record_number": "",
        "funding_route": "",
        "email": "",
        "phone": "",
        "address": "",
        "version": 1,
    }
    assert (
        AuditEntry.objects.filter(action="patients.patient.created", patient=patient).count() == 1
    )


def test_the_list_is_searchable_and_paginated_within_my_organisation(world):
    client = api_client(world.users["surgeon"])
    everyone = client.get("/api/v1/patients").json()
    assert everyone["count"] == 1
    assert [p["id"] for p in everyone["items"]] == [str(world.patient.uuid)]
    assert client.get("/api/v1/patients?search=quarr").json()["count"] == 1
    assert client.get("/api/v1/patients?search=943%20476%205919").json()["count"] == 1
    assert client.get("/api/v1/patients?search=Other").json()["count"] == 0
    page = client.get("/api/v1/patients?limit=1&offset=1").json()
    assert page == {"items": [], "count": 1}


def test_a_patient_lists_only_themself(world):
    body = api_client(world.users["patient"]).get("/api/v1/patients").json()
    assert [p["id"] for p in body["items"]] == [str(world.patient.uuid)]


def test_reading_a_patient_returns_limbs_and_episodes_and_is_audited(world):
    before = AuditEntry.objects.filter(action="patients.patient.viewed").count()
    body = (
        api_client(world.users["anaesthetist"]).get(f"/api/v1/patients/{world.patient.uuid}").json()
    )
    assert body["limbs"] == [
        {
            "id": str(world.limb.uuid),
            "site": "femur",
            "side": "left",
            "amputation_date": "2015-03-02",
            "cause": "trauma",
            "notes": "",
        }
    ]
    assert body["episodes"][0]["phase"] == "referral"
    assert AuditEntry.objects.filter(action="patients.patient.viewed").count() == before + 1


def test_another_organisations_patient_answers_404(world):
    client = api_client(world.users["surgeon"])
    _problem(client.get(f"/api/v1/patients/{world.other_patient.uuid}"), 404)
    _problem(
        client.patch(
            f"/api/v1/patients/{world.other_patient.uuid}", "{}", content_type="application/json"
        ),
        404,
    )


def test_patch_changes_only_the_fields_sent_and_audits_before_and_after(world):
    client = api_client(world.users["surgeon"])
    response = client.patch(
        f"/api/v1/patients/{world.patient.uuid}",
        json.dumps({"record_number": "R-77", "funding_route": "private"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    world.patient.refresh_from_db()
    assert (world.patient.record_number, world.patient.funding_route, world.patient.given_name) == (
        "R-77",
        "private",
        "Ada",
    )
    entry = AuditEntry.objects.filter(action="patients.patient.updated").get()
    assert entry.changes == {"record_number": ["", "R-77"], "funding_route": ["", "private"]}


def test_an_invalid_nhs_number_is_a_422_problem_naming_the_field_and_saves_nothing(world):
    count = Patient.objects.count()
    body = _problem(
        _post(
            api_client(world.users["coordinator"]),
            "/api/v1/patients",
            {**NEW_PATIENT, "nhs_number": "9434765918"},
        ),
        422,
    )
    assert body["errors"] == [
        {
            "field": "nhs_number",
            "message": "This is not a valid NHS number: its check digit does not match.",
        }
    ]
    assert Patient.objects.count() == count


def test_a_missing_required_field_is_a_422_problem(world):
    body = _problem(
        _post(api_client(world.users["coordinator"]), "/api/v1/patients", {"given_name": "X"}), 422
    )
    assert {e["field"] for e in body["errors"]} == {"family_name", "birth_date", "sex"}


def test_a_future_amputation_date_is_refused_and_saves_nothing(world):
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    body = _problem(
        _post(
            api_client(world.users["surgeon"]),
            f"/api/v1/patients/{world.patient.uuid}/limbs",
            {"site": "tibia", "side": "right", "amputation_date": future, "cause": "trauma"},
        ),
        422,
    )
    assert body["errors"] == [
        {"field": "amputation_date", "message": "The amputation date cannot be in the future."}
    ]
    assert ResidualLimb.objects.filter(patient=world.patient).count() == 1


def test_an_unknown_site_is_refused(world):
    body = _problem(
        _post(
            api_client(world.users["surgeon"]),
            f"/api/v1/patients/{world.patient.uuid}/limbs",
            {"site": "elbow", "side": "right", "amputation_date": "2020-01-01", "cause": "trauma"},
        ),
        422,
    )
    assert [e["field"] for e in body["errors"]] == ["site"]
    assert ResidualLimb.objects.filter(patient=world.patient).count() == 1


def test_a_craniofacial_site_may_have_no_date_and_no_side(world):
    response = _post(
        api_client(world.users["surgeon"]),
        f"/api/v1/patients/{world.patient.uuid}/limbs",
        {"site": "craniofacial", "side": "not_applicable", "cause": "tumour", "notes": "Nasal"},
    )
    assert response.status_code == 201
    assert response.json()["amputation_date"] is None


def test_a_limb_site_needs_a_side_and_a_date(world):
    body = _problem(
        _post(
            api_client(world.users["surgeon"]),
            f"/api/v1/patients/{world.patient.uuid}/limbs",
            {"site": "humerus", "side": "not_applicable", "cause": "trauma"},
        ),
        422,
    )
    assert {e["field"] for e in body["errors"]} == {"side", "amputation_date"}


def test_an_episode_moves_along_and_records_who_when_from_to_why(world):
    client = api_client(world.users["surgeon"])
    response = _post(
        client, f"/api/v1/episodes/{world.episode.uuid}/transitions", {"phase": "assessment"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["phase"] == "assessment"
    last = body["changes"][-1]
    assert (last["from_phase"], last["to_phase"], last["by"], last["reason"]) == (
        "referral",
        "assessment",
        "surgeon",
        "",
    )


def test_an_illegal_transition_is_a_409_naming_the_allowed_moves_and_changes_nothing(world):
    client = api_client(world.users["surgeon"])
    body = _problem(
        _post(
            client,
            f"/api/v1/episodes/{world.episode.uuid}/transitions",
            {"phase": "rehabilitation"},
        ),
        409,
    )
    assert body["detail"] == "The episode cannot move to Rehabilitation now."
    assert body["missing"] == [
        {
            "code": "allowed_move",
            "label": "An episode cannot move from Referral to Rehabilitation; from Referral it "
            "can move to: Assessment, Declined, Closed.",
            "source": "",
        }
    ]
    world.episode.refresh_from_db()
    assert world.episode.phase == "referral"
    assert PhaseChange.objects.filter(episode=world.episode).count() == 1


def test_a_second_open_episode_on_the_same_limb_is_a_409(world):
    body = _problem(
        _post(
            api_client(world.users["coordinator"]),
            f"/api/v1/patients/{world.patient.uuid}/episodes",
            {"limb": str(world.limb.uuid)},
        ),
        409,
    )
    assert body["detail"] == (
        "This limb already has an open episode; close it before opening another."
    )
    assert body["missing"] == [
        {
            "code": "open_episode_closed",
            "label": "Close the limb's open episode first.",
            "source": "",
        }
    ]
    assert Episode.objects.filter(limb=world.limb).count() == 1


def test_malformed_json_is_a_problem_not_a_crash(world):
    response = api_client(world.users["coordinator"]).post(
        "/api/v1/patients", "{not json", content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"


def test_a_nul_character_in_the_credentials_is_a_422_not_a_crash(world):
    from django.test import Client

    response = Client().post(
        "/api/v1/auth/token",
        json.dumps({"username": "a\u0000b", "password": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_a_number_in_a_date_string_is_not_read_as_seconds_since_1970(world):
    from osseo.patients.schemas import PatientIn

    for bad in ("0", "1700000000", "20250101"):
        with pytest.raises(ValueError, match=r"Enter a date as YYYY-MM-DD\."):
            PatientIn(given_name="A", family_name="B", birth_date=bad, sex="female")
    assert (
        str(
            PatientIn(
                given_name="A", family_name="B", birth_date="1980-05-17", sex="female"
            ).birth_date
        )
        == "1980-05-17"
    )
