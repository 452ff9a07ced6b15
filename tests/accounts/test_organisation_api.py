"""GET/PATCH /api/v1/organisation: the account's own organisation and its contact details."""

import json

import pytest

from osseo.accounts.models import Organisation
from tests.conftest import api_client


def _patch(client, body, **headers):
    return client.patch(
        "/api/v1/organisation", json.dumps(body), content_type="application/json", **headers
    )


def test_staff_read_their_organisations_contact_details_with_its_etag(world):
    response = api_client(world.users["surgeon"]).get("/api/v1/organisation")
    assert response.status_code == 200
    assert response.json() == {
        "id": str(world.clinic.uuid),
        "name": "Test Clinic",
        "slug": "clinic",
        "kind": "oi_clinic",
        "telephone": "",
        "email": "",
        "address": "",
        "out_of_hours": "",
    }
    assert response["ETag"] == '"1"'


def test_the_clinic_admin_changes_them_and_bad_values_are_named(world):
    client = api_client(world.users["clinic_admin"])
    bad = _patch(client, {"telephone": "123", "email": "nope"})
    assert bad.status_code == 422
    assert bad["Content-Type"] == "application/problem+json"
    assert sorted(e["field"] for e in bad.json()["errors"]) == ["email", "telephone"]
    ok = _patch(client, {"telephone": "+44 113 496 0000", "email": "desk@example.org"})
    assert ok.status_code == 200, ok.content
    assert (ok.json()["telephone"], ok.json()["email"]) == ("0113 496 0000", "desk@example.org")
    assert ok["ETag"] == '"2"'
    stale = _patch(client, {"email": ""}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    cleared = _patch(client, {"email": None}, HTTP_IF_MATCH='"2"')
    assert cleared.status_code == 200
    assert Organisation.objects.get(pk=world.clinic.pk).email == ""


@pytest.mark.parametrize("persona", ["surgeon", "coordinator", "rehab_specialist", "patient"])
def test_no_other_role_changes_them(world, persona):
    response = _patch(api_client(world.users[persona]), {"email": "x@example.org"})
    assert response.status_code == 403
    assert Organisation.objects.filter(email="x@example.org").count() == 0
