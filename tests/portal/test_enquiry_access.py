"""Only the clinic's coordinators and admins see its enquiries; a denied request changes nothing."""

import json

import pytest
from django.test import Client

from osseo.audit.models import AuditEntry
from osseo.pathway.models import Episode
from osseo.patients.models import Patient
from osseo.portal.models import Enquiry, EnquiryNote
from tests.conftest import api_client, client_for
from tests.portal.conftest import make_enquiry

PERSONAS = [
    "surgeon",
    "anaesthetist",
    "prosthetist",
    "coordinator",
    "clinic_admin",
    "rehab_specialist",
    "patient",
    "outsider",
]
TRIAGERS = {"coordinator", "clinic_admin"}
OTHER_ORGS = {"rehab_specialist", "outsider"}  # the enquiry's existence is not revealed: 404


def _snapshot():
    return (
        list(Enquiry.objects.order_by("id").values()),
        EnquiryNote.objects.count(),
        Patient.objects.count(),
        Episode.objects.count(),
        AuditEntry.objects.exclude(action="accounts.token.issued").count(),
    )


def _endpoints(enquiry):
    e = f"/api/v1/enquiries/{enquiry.uuid}"
    conversion = {
        "given_name": "Tomos",
        "family_name": "Penhallow",
        "birth_date": "1979-08-14",
        "sex": "male",
        "site": "femur",
        "side": "left",
        "amputation_date": "2012-06-01",
        "cause": "trauma",
    }
    return [
        # (name, method, url, body, success status, status for a denied persona in scope)
        ("list", "get", "/api/v1/enquiries", None, 200),
        ("read", "get", e, None, 200),
        ("note", "post", f"{e}/notes", {"text": "Rang back."}, 201),
        ("status", "post", f"{e}/status", {"status": "contacted"}, 200),
        ("convert", "post", f"{e}/conversion", conversion, 201),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_enquiry_endpoint_answers_each_persona_as_the_table_says(world, persona):
    user = world.users[persona]
    for name, method, url, body, ok in _endpoints(make_enquiry(world.clinic)):
        before = _snapshot()
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body else {}
        response = getattr(api_client(user), method)(url, **kwargs)
        if persona in TRIAGERS:
            assert response.status_code == ok, (persona, name, response.content)
            continue
        expected = 404 if persona in OTHER_ORGS and name != "list" else 403
        assert response.status_code == expected, (persona, name, response.status_code)
        assert response["Content-Type"] == "application/problem+json"
        assert _snapshot() == before, (persona, name)


def test_a_coordinator_of_another_clinic_sees_only_their_own_queue(world):
    from tests.conftest import make_user

    theirs = make_user("othercoord", "coordinator", world.other_clinic)
    ours = make_enquiry(world.clinic)
    mine = make_enquiry(world.other_clinic, name="Gwen Other")
    client = api_client(theirs)
    assert [i["id"] for i in client.get("/api/v1/enquiries").json()["items"]] == [str(mine.uuid)]
    assert client.get(f"/api/v1/enquiries/{ours.uuid}").status_code == 404
    assert client_for(theirs).get(f"/enquiries/{ours.uuid}/").status_code == 404
    assert client_for(theirs).get(f"/enquiries/{ours.uuid}/convert/").status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_triage_screens_follow_the_same_rule(world, persona):
    enquiry = make_enquiry(world.clinic)
    client = client_for(world.users[persona])
    queue = client.get("/enquiries/")
    detail = client.get(f"/enquiries/{enquiry.uuid}/")
    before = _snapshot()
    note = client.post(f"/enquiries/{enquiry.uuid}/notes/", {"text": "x"})
    if persona in TRIAGERS:
        assert (queue.status_code, detail.status_code, note.status_code) == (200, 200, 302)
        return
    denied_detail = 404 if persona in OTHER_ORGS else 403
    assert (queue.status_code, detail.status_code, note.status_code) == (
        403,
        denied_detail,
        denied_detail,
    )
    assert _snapshot() == before


def test_signed_out_visitors_are_sent_to_sign_in(world):
    enquiry = make_enquiry(world.clinic)
    for url in ["/enquiries/", f"/enquiries/{enquiry.uuid}/", "/enquiries/settings/"]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/sign-in/")


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_dashboard_shows_new_enquiries_to_those_who_triage(world, persona):
    make_enquiry(world.clinic)
    make_enquiry(world.clinic, name="Second Person")
    make_enquiry(world.other_clinic, name="Not Ours")
    response = client_for(world.users[persona]).get("/", follow=True)
    html = response.content.decode()
    if persona in TRIAGERS:
        assert "Enquiries (2 new)" in html
    else:
        assert "Enquiries (" not in html
