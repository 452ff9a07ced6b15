"""GET /api/v1/me: the signed-in patient's own summary; staff get 404; the read is audited."""

from osseo.audit.models import AuditEntry
from tests.conftest import api_client


def test_a_patient_reads_their_own_summary_and_the_read_is_audited(world):
    before = AuditEntry.objects.filter(
        action="patients.patient.viewed", patient=world.patient
    ).count()
    response = api_client(world.users["patient"]).get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["patient_id"] == str(world.patient.uuid)
    assert body["patient_id"] != str(world.other_patient.uuid)
    assert [e["episode_id"] for e in body["episodes"]] == [str(world.episode.uuid)]
    assert body["episodes"][0]["phase_label"] == world.episode.get_phase_display()
    after = AuditEntry.objects.filter(action="patients.patient.viewed", patient=world.patient)
    assert after.count() == before + 1


def test_staff_have_no_me_record(world):
    for role in ("surgeon", "coordinator"):
        response = api_client(world.users[role]).get("/api/v1/me")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/problem+json")


def test_me_needs_a_signed_in_caller(world):
    from django.test import Client

    assert Client().get("/api/v1/me").status_code == 401


def test_a_patient_changes_their_own_contact_details_only(world):
    client = api_client(world.users["patient"])
    response = client.patch(
        "/api/v1/me/contact",
        {"phone": "07700 900123", "address": "1 High Street", "given_name": "Mallory"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "07700 900123"
    world.patient.refresh_from_db()
    assert (world.patient.phone, world.patient.address) == ("07700 900123", "1 High Street")
    assert world.patient.given_name != "Mallory"
    assert AuditEntry.objects.filter(
        action="patients.patient.updated", patient=world.patient, actor=world.users["patient"]
    ).exists()
    bad = client.patch(
        "/api/v1/me/contact", {"email": "not an address"}, content_type="application/json"
    )
    assert bad.status_code == 422


def test_staff_cannot_use_the_patient_contact_endpoint(world):
    response = api_client(world.users["coordinator"]).patch(
        "/api/v1/me/contact", {"phone": "1"}, content_type="application/json"
    )
    assert response.status_code == 404
    world.other_patient.refresh_from_db()
    assert world.other_patient.phone != "1"
