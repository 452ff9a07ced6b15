"""The surgical plan is versioned: the API answers its ETag and honours If-Match, the anaesthetist
agrees the plan as read, and the plan form keeps a colleague's change instead of undoing it."""

import json

import pytest

from osseo.audit.models import AuditEntry
from osseo.pathway.actions import override_gate, transition_to
from osseo.surgery.actions import create_plan, update_plan
from osseo.surgery.models import SurgicalPlan
from tests.conftest import api_client, client_for, opened_form_data
from tests.surgery.conftest import move


def _patch(client, url, body, **headers):
    return client.patch(url, json.dumps(body), content_type="application/json", headers=headers)


def _post(client, url, **headers):
    return client.post(url, "{}", content_type="application/json", headers=headers)


@pytest.fixture
def plan(world):
    move(world, "assessment", "planning")
    return create_plan(
        actor=world.users["surgeon"],
        episode=world.episode,
        data={"anaesthesia": "general_epidural", "notes": "Planned at MDT."},
    )


def _plan_row(plan):
    row = SurgicalPlan.objects.get(pk=plan.pk)
    return (row.anaesthesia, row.notes, row.planned_date, row.version)


def test_a_plan_read_carries_its_version_as_etag_and_each_change_raises_it(world, plan):
    client = api_client(world.users["surgeon"])
    url = f"/api/v1/plans/{plan.uuid}"
    read = client.get(url)
    assert (read["ETag"], read.json()["version"]) == ('"1"', 1)
    changed = _patch(client, url, {"notes": "Revised."}, **{"If-Match": '"1"'})
    assert changed.status_code == 200
    assert (changed["ETag"], changed.json()["version"], changed.json()["notes"]) == (
        '"2"',
        2,
        "Revised.",
    )
    assert client.get(url)["ETag"] == '"2"'


def test_a_stale_if_match_on_a_plan_update_is_412_and_nothing_changes(world, plan):
    client = api_client(world.users["surgeon"])
    url = f"/api/v1/plans/{plan.uuid}"
    assert _patch(client, url, {"notes": "Colleague's note."}).status_code == 200
    entries = AuditEntry.objects.count()
    stale = _patch(
        client,
        url,
        {"notes": "My note.", "anaesthesia": "general_spinal"},
        **{"If-Match": '"1"'},
    )
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    assert (stale["ETag"], stale.json()["title"]) == ('"2"', "Precondition failed")
    assert _plan_row(plan) == ("general_epidural", "Colleague's note.", None, 2)
    assert AuditEntry.objects.count() == entries


def test_a_plan_update_without_if_match_writes_only_the_fields_it_names(world, plan):
    """The plan the request read is stale by the time it writes: the contract re-reads it."""
    SurgicalPlan.objects.filter(pk=plan.pk).update(notes="Colleague's note.", version=5)
    response = _patch(
        api_client(world.users["surgeon"]),
        f"/api/v1/plans/{plan.uuid}",
        {"planned_date": "2027-03-01"},
    )
    assert response.status_code == 200
    assert response["ETag"] == '"6"'
    anaesthesia, notes, planned, version = _plan_row(plan)
    assert (anaesthesia, notes, str(planned), version) == (
        "general_epidural",
        "Colleague's note.",
        "2027-03-01",
        6,
    )
    entry = AuditEntry.objects.filter(action="surgery.plan.updated").get()
    assert entry.changes == {"planned_date": ["None", "2027-03-01"]}


def test_a_plan_update_that_changes_nothing_keeps_the_version_and_audits_nothing(world, plan):
    response = _patch(
        api_client(world.users["surgeon"]),
        f"/api/v1/plans/{plan.uuid}",
        {"notes": "Planned at MDT."},
    )
    assert (response.status_code, response["ETag"]) == (200, '"1"')
    assert not AuditEntry.objects.filter(action="surgery.plan.updated").exists()


@pytest.mark.parametrize("body", ["[null,null]", "[]", "null", '"notes"', "[1]"])
def test_a_plan_patch_body_that_is_not_an_object_is_invalid_input(world, plan, body):
    response = api_client(world.users["surgeon"]).patch(
        f"/api/v1/plans/{plan.uuid}", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == [
        {"field": "body", "message": "Send a JSON object, as the operation documents."}
    ]
    assert _plan_row(plan) == ("general_epidural", "Planned at MDT.", None, 1)


def test_the_anaesthetist_agrees_the_plan_as_read_and_only_once(world, plan):
    anaesthetist = api_client(world.users["anaesthetist"])
    url = f"/api/v1/plans/{plan.uuid}/anaesthesia-agreement"
    read = anaesthetist.get(f"/api/v1/plans/{plan.uuid}")["ETag"]
    update_plan(actor=world.users["surgeon"], plan=plan, data={"anaesthesia": "general_spinal"})

    stale = _post(anaesthetist, url, **{"If-Match": read})
    assert stale.status_code == 412
    assert SurgicalPlan.objects.get(pk=plan.pk).anaesthesia_agreed_by is None

    agreed = _post(anaesthetist, url, **{"If-Match": stale["ETag"]})
    assert agreed.status_code == 200
    assert (agreed.json()["anaesthesia"], agreed.json()["anaesthesia_agreed_by"]) == (
        "general_spinal",
        "anaesthetist",
    )
    again = _post(anaesthetist, url)
    assert again.status_code == 409
    assert (again.json()["detail"], again.json()["missing"]) == (
        "The anaesthesia plan is already agreed.",
        [],
    )
    assert AuditEntry.objects.filter(action="surgery.plan.anaesthesia_agreed").count() == 1


def test_changing_the_agreed_anaesthesia_needs_it_agreed_again(world, plan):
    client = api_client(world.users["anaesthetist"])
    assert _post(client, f"/api/v1/plans/{plan.uuid}/anaesthesia-agreement").status_code == 200
    changed = _patch(
        api_client(world.users["surgeon"]),
        f"/api/v1/plans/{plan.uuid}",
        {"anaesthesia": "general_spinal"},
    )
    assert changed.json()["anaesthesia_agreed_by"] is None
    entry = AuditEntry.objects.filter(action="surgery.plan.updated").get()
    assert entry.changes == {
        "anaesthesia": ["general_epidural", "general_spinal"],
        "anaesthesia_agreed": [True, False],
    }


@pytest.mark.parametrize("persona", ["anaesthetist", "prosthetist", "coordinator", "patient"])
def test_only_the_surgeon_changes_the_plan_and_a_denied_change_changes_nothing(
    world, plan, persona
):
    response = _patch(
        api_client(world.users[persona]), f"/api/v1/plans/{plan.uuid}", {"notes": "Mine."}
    )
    assert response.status_code == 403
    assert _plan_row(plan) == ("general_epidural", "Planned at MDT.", None, 1)


def _open_form(client, world):
    page = client.get(f"/episodes/{world.episode.uuid}/plan/")
    assert page.status_code == 200
    return opened_form_data(page.context["form"])


def test_a_plan_form_opened_before_a_colleagues_change_keeps_it(world, plan):
    me = client_for(world.users["surgeon"])
    data = _open_form(me, world)
    update_plan(actor=world.users["surgeon"], plan=plan, data={"notes": "Colleague's note."})

    data["planned_date"] = "2027-03-01"
    saved = me.post(f"/episodes/{world.episode.uuid}/plan/", data, follow=True)
    assert saved.redirect_chain, saved.content
    _anaesthesia, notes, planned, version = _plan_row(plan)
    assert (notes, str(planned), version) == ("Colleague's note.", "2027-03-01", 3)
    assert (
        "Saved. Since you opened the form, someone else changed Notes; their changes were kept."
        in saved.content.decode()
    )


def test_a_plan_form_changing_the_same_field_as_a_colleague_shows_theirs_and_saves_nothing(
    world, plan
):
    me = client_for(world.users["surgeon"])
    data = _open_form(me, world)
    update_plan(actor=world.users["surgeon"], plan=plan, data={"notes": "Colleague's note."})
    writes = AuditEntry.objects.exclude(action__endswith=".viewed")
    entries = writes.count()

    data["notes"] = "My note."
    refused = me.post(f"/episodes/{world.episode.uuid}/plan/", data)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Changed by someone else since you opened this form (surgeon," in page
    assert "it is now Colleague&#x27;s note." in page
    assert _plan_row(plan)[1:] == ("Colleague's note.", None, 2)
    assert writes.count() == entries
    form = refused.context["form"]
    assert form["notes"].value() == "My note."

    again = me.post(f"/episodes/{world.episode.uuid}/plan/", dict(form.data.items()))
    assert again.status_code == 302
    assert _plan_row(plan)[1:] == ("My note.", None, 3)


def test_a_plan_form_opened_to_make_the_plan_shows_a_colleagues_plan_made_meanwhile(world):
    move(world, "assessment", "planning")
    me = client_for(world.users["surgeon"])
    data = _open_form(me, world)
    assert "version" not in data
    create_plan(
        actor=world.users["surgeon"], episode=world.episode, data={"anaesthesia": "general"}
    )

    data["anaesthesia"] = "general_epidural"
    refused = me.post(f"/episodes/{world.episode.uuid}/plan/", data)
    assert refused.status_code == 409
    assert "Someone else made this episode&#x27;s plan since you opened the form" in (
        refused.content.decode()
    )
    assert list(SurgicalPlan.objects.values_list("anaesthesia", flat=True)) == ["general"]
    assert refused.context["form"]["anaesthesia"].value() == "general"


def test_a_plan_made_outside_the_planning_phases_is_a_409_on_the_page(world):
    # Only an override takes an episode to surgery without a plan (tests/pathway/test_gates.py).
    move(world, "assessment", "planning")
    override_gate(
        actor=world.users["surgeon"],
        episode=world.episode,
        requirement="surgical_plan",
        reason="Plan on paper during a records outage (test).",
    )
    transition_to(actor=world.users["surgeon"], episode=world.episode, to_phase="surgery")
    me = client_for(world.users["surgeon"])
    data = _open_form(me, world)
    data["anaesthesia"] = "general_epidural"
    refused = me.post(f"/episodes/{world.episode.uuid}/plan/", data)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "A plan cannot be made now." in page
    assert "Plans are made in the planning phase." in page
    assert not SurgicalPlan.objects.exists()


def test_an_anaesthetist_agreeing_from_a_page_read_before_a_change_agrees_nothing(world, plan):
    me = client_for(world.users["anaesthetist"])
    page = me.get(f"/patients/{world.patient.uuid}/")
    assert f'name="version" value="{plan.version}"' in page.content.decode()
    update_plan(actor=world.users["surgeon"], plan=plan, data={"anaesthesia": "general_spinal"})

    stale = me.post(f"/episodes/{world.episode.uuid}/plan/agree/", {"version": "1"}, follow=True)
    assert "The plan was changed since you opened the page; nothing was agreed." in (
        stale.content.decode()
    )
    assert SurgicalPlan.objects.get(pk=plan.pk).anaesthesia_agreed_by is None
    me.post(f"/episodes/{world.episode.uuid}/plan/agree/", {"version": "2"})
    assert SurgicalPlan.objects.get(pk=plan.pk).anaesthesia_agreed_by == world.users["anaesthetist"]
