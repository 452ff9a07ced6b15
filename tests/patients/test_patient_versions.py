"""A patient's record carries a version: the API's ETag/If-Match and the edit form's version keep a
colleague's change from being silently undone."""

import json

from django.test import Client

from osseo.audit.models import AuditEntry
from osseo.patients.models import Patient
from tests.conftest import api_client, opened_form_data


def _patch(client, url, body, **headers):
    return client.patch(url, json.dumps(body), content_type="application/json", headers=headers)


def test_a_read_carries_the_version_as_etag_and_each_change_raises_it(world):
    client = api_client(world.users["coordinator"])
    url = f"/api/v1/patients/{world.patient.uuid}"
    read = client.get(url)
    assert read["ETag"] == '"1"'
    changed = _patch(client, url, {"phone": "01632 960001"}, **{"If-Match": '"1"'})
    assert changed.status_code == 200
    assert (changed["ETag"], changed.json()["version"]) == ('"2"', 2)
    assert client.get(url)["ETag"] == '"2"'


def test_a_stale_if_match_is_refused_with_412_and_nothing_changes(world):
    client = api_client(world.users["coordinator"])
    url = f"/api/v1/patients/{world.patient.uuid}"
    assert _patch(client, url, {"phone": "01632 960001"}).status_code == 200
    entries = AuditEntry.objects.count()
    stale = _patch(client, url, {"phone": "01632 960999"}, **{"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    assert stale["ETag"] == '"2"'
    assert stale.json()["title"] == "Precondition failed"
    assert Patient.objects.get(pk=world.patient.pk).phone == "01632 960001"
    assert AuditEntry.objects.count() == entries


def test_if_match_star_or_a_list_holding_the_current_tag_is_accepted(world):
    client = api_client(world.users["coordinator"])
    url = f"/api/v1/patients/{world.patient.uuid}"
    assert _patch(client, url, {"phone": "1"}, **{"If-Match": "*"}).status_code == 200
    assert _patch(client, url, {"phone": "2"}, **{"If-Match": '"7", "2"'}).status_code == 200
    assert _patch(client, url, {"phone": "3"}, **{"If-Match": 'W/"3"'}).status_code == 412


def test_a_patch_without_if_match_writes_only_the_fields_it_names(world):
    """The object the request read is stale by the time it writes: the contract re-reads it."""
    client = api_client(world.users["coordinator"])
    url = f"/api/v1/patients/{world.patient.uuid}"
    Patient.objects.filter(pk=world.patient.pk).update(email="new@example.org", version=5)
    assert _patch(client, url, {"phone": "01632 960001"}).status_code == 200
    patient = Patient.objects.get(pk=world.patient.pk)
    assert (patient.email, patient.phone, patient.version) == (
        "new@example.org",
        "01632 960001",
        6,
    )


def _form(client, patient):
    page = client.get(f"/patients/{patient.uuid}/edit/")
    assert page.status_code == 200
    return opened_form_data(page.context["form"])


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_form_opened_before_a_colleagues_change_keeps_it(world):
    me = _signed_in(world.users["coordinator"])
    colleague = api_client(world.users["surgeon"])
    data = _form(me, world.patient)
    url = f"/api/v1/patients/{world.patient.uuid}"
    assert _patch(colleague, url, {"phone": "01632 960002"}).status_code == 200

    data["email"] = "ada@example.org"
    saved = me.post(f"/patients/{world.patient.uuid}/edit/", data, follow=True)
    assert saved.redirect_chain, saved.content
    patient = Patient.objects.get(pk=world.patient.pk)
    assert (patient.phone, patient.email) == ("01632 960002", "ada@example.org")
    assert "their changes were kept" in saved.content.decode()


def test_a_form_changing_the_same_field_as_a_colleague_shows_theirs_and_saves_nothing(world):
    me = _signed_in(world.users["coordinator"])
    colleague = api_client(world.users["surgeon"])
    data = _form(me, world.patient)
    url = f"/api/v1/patients/{world.patient.uuid}"
    assert (
        _patch(colleague, url, {"phone": "01632 960002", "email": "x@example.org"}).status_code
        == 200
    )

    data["phone"] = "01632 960003"
    refused = me.post(f"/patients/{world.patient.uuid}/edit/", data)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Changed by someone else since you opened this form (surgeon," in page
    assert "it is now 01632 960002" in page
    assert Patient.objects.get(pk=world.patient.pk).phone == "01632 960002"
    form = refused.context["form"]
    # Mine stays in the form; the field only the colleague changed now shows theirs.
    assert (form["phone"].value(), form["email"].value()) == ("01632 960003", "x@example.org")

    again = dict(form.data.items())
    assert me.post(f"/patients/{world.patient.uuid}/edit/", again).status_code == 302
    patient = Patient.objects.get(pk=world.patient.pk)
    assert (patient.phone, patient.email) == ("01632 960003", "x@example.org")


def test_a_patch_body_that_is_not_an_object_is_refused_with_422(world):
    client = api_client(world.users["coordinator"])
    url = f"/api/v1/patients/{world.patient.uuid}"
    for body in ([None, None], [], "x", 3):
        refused = _patch(client, url, body)
        assert refused.status_code == 422, body
        assert refused["Content-Type"] == "application/problem+json"
    assert Patient.objects.get(pk=world.patient.pk).version == 1
