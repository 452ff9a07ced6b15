"""POST /api/v1/enquiries: public, validated like the page; the rest of /enquiries is triage."""

import pytest
from django.test import Client

from osseo.audit.models import AuditEntry
from osseo.patients.models import Patient
from osseo.portal.models import Enquiry
from tests.conftest import api_client
from tests.portal.conftest import BODY, post_json

URL = "/api/v1/enquiries"
OPEN = {
    "code": "enquiry_open",
    "label": "An open enquiry (new or contacted): closed and converted are final",
    "source": "",
}


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def _fields(response):
    return {e["field"] for e in _problem(response, 422)["errors"]}


def test_an_enquiry_needs_no_token_and_answers_201_with_a_receipt_only(world):
    response = post_json(Client(), URL, BODY)
    assert response.status_code == 201, response.content
    enquiry = Enquiry.objects.get()
    assert response.json() == {
        "id": str(enquiry.uuid),
        "clinic": "clinic",
        "received_at": response.json()["received_at"],
        "retention_days": 180,
    }
    assert (enquiry.source, enquiry.organisation, enquiry.status) == ("api", world.clinic, "new")
    assert AuditEntry.objects.filter(action="portal.enquiry.received").count() == 1


def test_the_clinic_can_be_named_and_defaults_to_the_first_clinic(world, settings):
    post_json(Client(), URL, {**BODY, "clinic": "other"})
    post_json(Client(), URL, BODY)
    assert [e.organisation.slug for e in Enquiry.objects.order_by("id")] == ["other", "clinic"]
    settings.OSSEO_ENQUIRY_CLINIC = "other"
    post_json(Client(), URL, BODY)
    assert Enquiry.objects.order_by("-id").first().organisation.slug == "other"


def test_an_unknown_clinic_or_a_rehab_partner_is_refused(world):
    for slug in ["nowhere", "rehab"]:
        assert _fields(post_json(Client(), URL, {**BODY, "clinic": slug})) == {"clinic"}
    assert not Enquiry.objects.exists()


def test_consent_must_be_true(world):
    assert _fields(post_json(Client(), URL, {**BODY, "consent": False})) == {"consent"}
    assert "consent" in _fields(
        post_json(Client(), URL, {k: v for k, v in BODY.items() if k != "consent"})
    )
    assert not Enquiry.objects.exists()


def test_an_email_or_a_phone_is_needed(world):
    assert _fields(post_json(Client(), URL, {**BODY, "email": "", "phone": ""})) == {"email"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"site": "knee"}, "site"),
        ({"side": "up"}, "side"),
        ({"cause": "bad luck"}, "cause"),
        ({"amputation_year": 1800}, "amputation_year"),
        ({"amputation_year": "twenty"}, "amputation_year"),
        ({"email": "nobody"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"message": "x" * 5001}, "message"),
        ({"prosthesis_problems": "x" * 2001}, "prosthesis_problems"),
        ({"heard_from": "x" * 201}, "heard_from"),
        ({"message": "null\x00byte"}, "message"),
        ({"name": ["a", "list"]}, "name"),
        ({"side": "not_applicable"}, "side"),
    ],
)
def test_each_bad_field_is_named(world, change, field):
    assert field in _fields(post_json(Client(), URL, {**BODY, **change}))
    assert not Enquiry.objects.exists()


def test_malformed_bodies_are_problems_and_save_nothing(world):
    for raw in ["{", "[]", '"text"', "null", ""]:
        response = Client().post(URL, raw, content_type="application/json")
        assert response.status_code in (400, 422), (raw, response.status_code)
        assert response["Content-Type"] == "application/problem+json"
    assert not Enquiry.objects.exists()


def test_unknown_fields_are_ignored_and_cannot_set_the_status(world):
    response = post_json(Client(), URL, {**BODY, "status": "converted", "patient": "x"})
    assert response.status_code == 201
    assert Enquiry.objects.get().status == "new"


def test_the_queue_needs_a_token(world, enquiry):
    _problem(Client().get(URL), 401)
    _problem(Client().get(f"{URL}/{enquiry.uuid}"), 401)
    _problem(post_json(Client(), f"{URL}/{enquiry.uuid}/notes", {"text": "hi"}), 401)


def test_the_coordinator_lists_reads_notes_and_closes_an_enquiry(world, enquiry):
    client = api_client(world.users["coordinator"])
    page = client.get(URL).json()
    assert page["count"] == 1
    assert page["items"][0]["id"] == str(enquiry.uuid)
    assert page["items"][0]["patient"] is None
    assert client.get(f"{URL}?status=closed").json() == {"items": [], "count": 0}
    note = post_json(client, f"{URL}/{enquiry.uuid}/notes", {"text": "Left a voicemail."})
    assert note.status_code == 201
    assert note.json()["text"] == "Left a voicemail."
    contacted = post_json(client, f"{URL}/{enquiry.uuid}/status", {"status": "contacted"})
    assert contacted.json()["status"] == "contacted"
    refused = post_json(client, f"{URL}/{enquiry.uuid}/status", {"status": "closed"})
    assert _fields(refused) == {"reason"}
    closed = post_json(
        client, f"{URL}/{enquiry.uuid}/status", {"status": "closed", "reason": "Chose not to."}
    )
    assert closed.status_code == 200
    body = client.get(f"{URL}/{enquiry.uuid}").json()
    assert (body["status"], body["close_reason"]) == ("closed", "Chose not to.")
    assert [n["text"] for n in body["notes"]] == ["Left a voicemail."]
    again = post_json(client, f"{URL}/{enquiry.uuid}/status", {"status": "contacted"})
    assert _problem(again, 409)["missing"] == [OPEN]


CONVERSION = {
    "given_name": "Tomos",
    "family_name": "Penhallow",
    "birth_date": "1979-08-14",
    "sex": "male",
    "site": "femur",
    "side": "left",
    "amputation_date": "2012-06-01",
    "cause": "trauma",
}


def test_conversion_creates_the_patient_and_a_referral_episode(world, enquiry):
    client = api_client(world.users["coordinator"])
    response = post_json(client, f"{URL}/{enquiry.uuid}/conversion", CONVERSION)
    assert response.status_code == 201, response.content
    body = response.json()
    enquiry.refresh_from_db()
    assert body["status"] == "converted"
    assert body["patient"] == str(enquiry.patient.uuid)
    assert body["episode"] == str(enquiry.episode.uuid)
    assert enquiry.episode.phase == "referral"
    assert enquiry.episode.limb.site == "femur"
    assert enquiry.patient.care_teams.get().organisation == world.clinic
    twice = post_json(client, f"{URL}/{enquiry.uuid}/conversion", CONVERSION)
    problem = _problem(twice, 409)
    assert (problem["detail"], problem["missing"]) == ("This enquiry is converted already.", [OPEN])
    assert Patient.objects.filter(family_name="Penhallow").count() == 1
    assert AuditEntry.objects.filter(action="portal.enquiry.converted").count() == 1


def test_conversion_stops_at_a_possible_duplicate_until_told(world, enquiry):
    client = api_client(world.users["coordinator"])
    same = {
        **CONVERSION,
        "given_name": "ADA",
        "family_name": "quarrell",
        "birth_date": "1980-05-17",
    }
    response = post_json(client, f"{URL}/{enquiry.uuid}/conversion", same)
    problem = _problem(response, 422)
    assert problem["errors"][0]["field"] == "patient"
    assert str(world.patient.uuid) in problem["errors"][0]["message"]
    enquiry.refresh_from_db()
    assert enquiry.status == "new"
    linked = post_json(
        client, f"{URL}/{enquiry.uuid}/conversion", {**same, "patient": str(world.patient.uuid)}
    )
    assert linked.status_code == 201, linked.content
    # The existing left femur and its open episode are reused: no copies.
    assert linked.json()["episode"] == str(world.episode.uuid)
    assert world.patient.limbs.count() == 1


def test_conversion_cannot_link_another_clinics_patient(world, enquiry):
    client = api_client(world.users["coordinator"])
    response = post_json(
        client,
        f"{URL}/{enquiry.uuid}/conversion",
        {**CONVERSION, "patient": str(world.other_patient.uuid)},
    )
    _problem(response, 404)
    enquiry.refresh_from_db()
    assert enquiry.status == "new"


def test_a_read_carries_the_version_as_etag_and_a_stale_if_match_changes_nothing(world, enquiry):
    client = api_client(world.users["coordinator"])
    read = client.get(f"{URL}/{enquiry.uuid}")
    assert (read["ETag"], read.json()["version"]) == ('"1"', 1)
    assert post_json(client, f"{URL}/{enquiry.uuid}/notes", {"text": "Rang."}).status_code == 201
    assert client.get(f"{URL}/{enquiry.uuid}")["ETag"] == '"2"'  # the read lists the notes
    stale = client.post(
        f"{URL}/{enquiry.uuid}/status",
        '{"status": "contacted"}',
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert _problem(stale, 412)["title"] == "Precondition failed"
    assert stale["ETag"] == '"2"'
    assert Enquiry.objects.get(pk=enquiry.pk).status == "new"
    moved = client.post(
        f"{URL}/{enquiry.uuid}/status",
        '{"status": "contacted"}',
        content_type="application/json",
        headers={"If-Match": '"2"'},
    )
    assert (moved.status_code, moved["ETag"], moved.json()["status"]) == (200, '"3"', "contacted")
