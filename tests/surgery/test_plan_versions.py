"""The surgical plan is versioned: the API answers its ETag and honours If-Match, and the
anaesthetist agrees the plan as read."""

import json

import pytest

from osseo.audit.models import AuditEntry
from osseo.surgery.actions import create_plan, update_plan
from osseo.surgery.models import SurgicalPlan
from tests.conftest import api_client
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
