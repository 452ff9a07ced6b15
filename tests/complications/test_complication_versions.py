"""An adverse event carries a version: the API's ETag and If-Match, and the regrade form's version,
keep a colleague's change from being silently undone; state refusals are 409 with what is missing."""

import datetime as dt
import json

import pytest

from osseo.audit.models import AuditEntry
from osseo.complications.actions import record_event
from osseo.complications.models import AdverseEvent, Grade, GradingSystem, Treatment
from osseo.pathway.actions import transition_to
from osseo.surgery.models import Procedure
from tests.conftest import api_client, client_for, opened_form_data
from tests.surgery.conftest import post


def _patch(client, url, body, **headers):
    return client.patch(url, json.dumps(body), content_type="application/json", headers=headers)


def _infection(world, grade="1"):
    system = GradingSystem.objects.get(code="radboud-infection")
    return record_event(
        actor=world.users["surgeon"],
        patient=world.patient,
        data={
            "limb": world.limb,
            "episode": world.episode,
            "kind": "infection_soft_tissue",
            "onset_on": dt.date(2025, 3, 1),
            "grading_system": system,
            "grade": Grade.objects.get(system=system, code=grade),
        },
    )


def test_a_read_carries_the_version_as_etag_and_each_change_raises_it(operated):
    event = _infection(operated)
    client = api_client(operated.users["surgeon"])
    url = f"/api/v1/adverse-events/{event.uuid}"
    assert client.get(url)["ETag"] == '"1"'
    changed = _patch(client, url, {"grade": "2"}, **{"If-Match": '"1"'})
    assert changed.status_code == 200, changed.content
    assert (changed["ETag"], changed.json()["version"]) == ('"2"', 2)
    assert client.get(url)["ETag"] == '"2"'


def test_a_stale_if_match_on_a_patch_is_refused_with_412_and_nothing_changes(operated):
    event = _infection(operated)
    client = api_client(operated.users["surgeon"])
    url = f"/api/v1/adverse-events/{event.uuid}"
    assert _patch(client, url, {"grade": "2"}).status_code == 200
    entries = AuditEntry.objects.exclude(action__endswith=".viewed").count()
    stale = _patch(
        client, url, {"outcome": "resolved", "resolved_on": "2025-03-20"}, **{"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    assert (stale["ETag"], stale.json()["title"]) == ('"2"', "Precondition failed")
    event = AdverseEvent.objects.get(pk=event.pk)
    assert (event.outcome, event.resolved_on, event.grade.code, event.version) == (
        "ongoing",
        None,
        "2",
        2,
    )
    assert AuditEntry.objects.exclude(action__endswith=".viewed").count() == entries


def test_two_patches_of_different_fields_both_survive(operated):
    """The second request read the event before the first wrote: the contract re-reads it."""
    event = _infection(operated)
    surgeon = api_client(operated.users["surgeon"])
    coordinator = api_client(operated.users["coordinator"])
    url = f"/api/v1/adverse-events/{event.uuid}"
    assert _patch(surgeon, url, {"description": "Cellulitis 2 cm."}).status_code == 200
    assert _patch(coordinator, url, {"grade": "2"}).status_code == 200
    event = AdverseEvent.objects.get(pk=event.pk)
    assert (event.description, event.grade.code, event.version) == ("Cellulitis 2 cm.", "2", 3)


@pytest.mark.parametrize("body", ["[null,null]", "[]", "null", '"grade"', "[1]"])
def test_a_patch_body_that_is_not_an_object_is_invalid_input(operated, body):
    event = _infection(operated)
    response = api_client(operated.users["surgeon"]).patch(
        f"/api/v1/adverse-events/{event.uuid}", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == [
        {"field": "body", "message": "Send a JSON object, as the operation documents."}
    ]
    assert AdverseEvent.objects.get(pk=event.pk).version == 1


def test_a_treatment_raises_the_events_version_and_honours_if_match(operated):
    event = _infection(operated)
    client = api_client(operated.users["surgeon"])
    url = f"/api/v1/adverse-events/{event.uuid}/treatments"
    body = {"kind": "oral_antibiotics", "started_on": "2025-03-02"}
    assert post(client, url, body).status_code == 201
    assert client.get(f"/api/v1/adverse-events/{event.uuid}")["ETag"] == '"2"'
    stale = client.post(
        url, json.dumps(body), content_type="application/json", headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert Treatment.objects.filter(event=event).count() == 1


def test_an_operation_on_a_limb_without_an_open_episode_is_a_409_saying_so(operated):
    world = operated
    event = _infection(world)
    transition_to(
        actor=world.users["surgeon"], episode=world.episode, to_phase="closed", reason="Moved."
    )
    operations = Procedure.objects.count()
    response = post(
        api_client(world.users["surgeon"]),
        f"/api/v1/adverse-events/{event.uuid}/treatments",
        {"kind": "debridement", "started_on": "2025-03-08"},
    )
    assert response.status_code == 409, response.content
    assert response.json()["missing"] == [
        {"code": "open_episode", "label": "An open episode of care for this limb", "source": ""}
    ]
    assert (Treatment.objects.count(), Procedure.objects.count()) == (0, operations)
    assert AdverseEvent.objects.get(pk=event.pk).version == 1


def test_an_operation_while_the_episode_is_still_in_referral_is_a_409_saying_so(world):
    event = record_event(
        actor=world.users["surgeon"],
        patient=world.patient,
        data={"limb": world.limb, "kind": "pain", "onset_on": dt.date(2025, 3, 1)},
    )
    response = post(
        api_client(world.users["surgeon"]),
        f"/api/v1/adverse-events/{event.uuid}/treatments",
        {"kind": "soft_tissue_refashioning", "started_on": "2025-03-08"},
    )
    assert response.status_code == 409, response.content
    problem = response.json()
    assert problem["detail"].startswith("The operation cannot be recorded now: An episode cannot")
    assert problem["missing"] == [
        {
            "code": "episode_can_return_to_surgery",
            "label": "The limb's episode at planning, rehabilitation or follow-up, from where it "
            "can return to surgery",
            "source": "",
        }
    ]
    world.episode.refresh_from_db()
    assert world.episode.phase == "referral"
    assert not Procedure.objects.exists()


def _opened(client, event):
    """The regrade form's fields as the page showed them (with their opened values)."""
    page = client.get(f"/complications/{event.uuid}/")
    return opened_form_data(page.context["outcome_form"], update_outcome="1")


def test_a_regrade_form_opened_before_a_colleagues_change_keeps_it(operated):
    event = _infection(operated)
    me = client_for(operated.users["surgeon"])
    data = _opened(me, event)
    colleague = api_client(operated.users["coordinator"])
    url = f"/api/v1/adverse-events/{event.uuid}"
    assert _patch(colleague, url, {"outcome": "resolved", "resolved_on": "2025-03-20"}).status_code
    data["grading"] = "radboud-infection:2"
    saved = me.post(f"/complications/{event.uuid}/", data, follow=True)
    assert saved.redirect_chain, saved.content
    event = AdverseEvent.objects.get(pk=event.pk)
    assert (event.grade.code, event.outcome, event.resolved_on) == (
        "2",
        "resolved",
        dt.date(2025, 3, 20),
    )
    assert "their changes were kept" in saved.content.decode()


def test_a_regrade_of_a_grade_a_colleague_changed_shows_theirs_and_saves_nothing(operated):
    # An implant infection graded under Tillander (three grades, all of the implant kind).
    system = GradingSystem.objects.get(code="tillander-implant-infection")
    event = record_event(
        actor=operated.users["surgeon"],
        patient=operated.patient,
        data={
            "limb": operated.limb,
            "kind": "infection_implant",
            "onset_on": dt.date(2025, 3, 1),
            "grading_system": system,
            "grade": system.grades.get(code="possible"),
        },
    )
    me = client_for(operated.users["surgeon"])
    data = _opened(me, event)
    colleague = api_client(operated.users["coordinator"])
    url = f"/api/v1/adverse-events/{event.uuid}"
    assert _patch(colleague, url, {"grade": "definite"}).status_code == 200
    data["grading"] = "tillander-implant-infection:probable"
    refused = me.post(f"/complications/{event.uuid}/", data)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Changed by someone else since you opened this form (coordinator," in page
    assert "it is now Tillander implant infection (definite / probable / possible): " in page
    assert AdverseEvent.objects.get(pk=event.pk).grade.code == "definite"
    form = refused.context["outcome_form"]
    assert form["grading"].value() == "tillander-implant-infection:probable"  # mine is kept

    again = form.data.dict()
    assert me.post(f"/complications/{event.uuid}/", again).status_code == 302
    assert AdverseEvent.objects.get(pk=event.pk).grade.code == "probable"


def test_the_death_form_says_when_the_death_is_already_recorded(operated):
    world = operated
    client = client_for(world.users["coordinator"])
    url = f"/patients/{world.patient.uuid}/death/"
    assert client.post(url, {"died_on": "2025-06-01"}).status_code == 302
    again = client.post(url, {"died_on": "2025-06-02"})
    assert again.status_code == 409
    assert "This patient&#x27;s death is already recorded." in again.content.decode()
