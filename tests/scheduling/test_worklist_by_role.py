"""Each role starts the day on its own worklist (issue 22): the dashboard and
GET /api/v1/worklist give each role the panels of its work, among its own patients only."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from osseo.audit.models import AuditEntry
from osseo.surgery import actions as surgery
from tests.conftest import api_client, client_for
from tests.gates import advance, make_plan
from tests.scheduling.conftest import in_assessment, staged_hand

TODAY = dt.date(2026, 11, 26)
NOW = dt.datetime(2026, 11, 26, 9, tzinfo=dt.UTC)

COMMON_CLINIC = ["ongoing_complications", "follow_ups_due", "parts_due"]
EXPECTED = {
    "surgeon": ["records_to_sign", "stages_due", "overload_flags", *COMMON_CLINIC],
    "anaesthetist": ["plans_to_agree", *COMMON_CLINIC],
    "prosthetist": ["overload_flags", *COMMON_CLINIC],
    "coordinator": ["mdt_agenda", "bookings_to_make", "enquiries", *COMMON_CLINIC],
    "clinic_admin": ["mdt_agenda", *COMMON_CLINIC],
    "rehab_specialist": ["missing_logs", "tests_due", "ongoing_complications", "parts_due"],
}


@pytest.fixture
def week(world):
    """A plan waiting for the anaesthetist, a staged hand with stage 1 signed, a draft record,
    and a patient whose assessment is due."""
    with time_machine.travel(NOW, tick=False):
        advance(world.users, world.episode, "assessment", "planning")
        make_plan(
            world.users, world.episode, agree=False, planned_date=TODAY + dt.timedelta(days=5)
        )
        hand = staged_hand(world, TODAY - dt.timedelta(days=130))
        draft = surgery.start_procedure(
            actor=world.users["surgeon"],
            episode=hand,
            kind="stage_2",
            performed_on=TODAY - dt.timedelta(days=1),
        )
        due = in_assessment(world)
    return world, draft, due


def _worklist(user):
    with time_machine.travel(NOW, tick=False):
        response = api_client(user).get("/api/v1/worklist")
    assert response.status_code == 200, response.content
    return {p["kind"]: p for p in response.json()["panels"]}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_gets_the_panels_of_its_own_work(week, role):
    world, _draft, _due = week
    panels = _worklist(world.users[role])
    assert list(panels) == EXPECTED[role]


def test_the_anaesthetist_sees_the_plan_to_agree_with_its_anaesthesia(week):
    world, _draft, _due = week
    panel = _worklist(world.users["anaesthetist"])["plans_to_agree"]
    assert panel["count"] == 1
    [item] = panel["items"]
    assert item["patient"] == str(world.patient.uuid)
    assert item["text"] == (
        "Left Femur (transfemoral): General anaesthesia with an epidural block, operation "
        "1 Dec 2026. History: no comorbidity recorded at the MDT."
    )
    assert item["url"] == f"/episodes/{world.episode.uuid}/plan/"
    assert item["urgent"] is True  # the operation is within a week


def test_the_surgeon_sees_the_record_to_sign_and_no_stage_due_while_it_is_a_draft(week):
    world, draft, _due = week
    panels = _worklist(world.users["surgeon"])
    [item] = panels["records_to_sign"]["items"]
    assert item["text"] == (
        "Stage 2 (stoma and dualcone), Right Hand (digit or metacarpal), on 25 Nov 2026: not signed"
    )
    assert item["url"] == f"/procedures/{draft.uuid}/"
    # The stage being recorded is no longer "due": it is a record to sign.
    assert panels["stages_due"]["items"] == []


def test_the_coordinator_sees_whose_assessment_is_due(week):
    world, _draft, due = week
    panel = _worklist(world.users["coordinator"])["mdt_agenda"]
    [item] = panel["items"]
    assert item["patient"] == str(due.patient.uuid)
    assert (
        item["text"] == "Left Femur (transfemoral): assessment due; not on a meeting's agenda yet"
    )


def test_the_worklist_names_no_patient_of_another_clinic_and_audits_whom_it_names(week):
    world, _draft, _due = week
    panels = _worklist(world.users["outsider"])
    assert all(p["items"] == [] for p in panels.values())
    _worklist(world.users["anaesthetist"])
    entry = AuditEntry.objects.filter(action="patients.list.viewed").last()
    assert entry.actor == world.users["anaesthetist"]
    assert entry.changes["patients"] == [str(world.patient.uuid)]
    assert entry.changes["list"] == "worklist (API)"


def test_a_patient_has_no_worklist(world):
    response = api_client(world.users["patient"]).get("/api/v1/worklist")
    assert response.status_code == 403


def test_each_role_lands_on_its_worklist_after_signing_in(week):
    world, _draft, _due = week
    with time_machine.travel(NOW, tick=False):
        page = client_for(world.users["anaesthetist"]).get("/").content.decode()
    assert "<h1>Today</h1>" in page
    assert page.index("Your worklist") < page.index("My patients by phase")
    assert 'Plans to agree <span class="count">(1)</span>' in page


def test_the_anaesthetist_reads_the_plan_and_agrees_it(week):
    world, _draft, _due = week
    anaesthetist = client_for(world.users["anaesthetist"])
    url = f"/episodes/{world.episode.uuid}/plan/"
    page = anaesthetist.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "General anaesthesia with an epidural block" in html
    assert "Not yet agreed by an anaesthetist." in html
    assert "Agree this anaesthesia plan" in html
    plan = world.episode.plans.first()
    response = anaesthetist.post(
        f"/episodes/{world.episode.uuid}/plan/agree/", {"version": plan.version, "next": "plan"}
    )
    assert response.status_code == 302
    assert response["Location"] == url
    plan.refresh_from_db()
    assert plan.anaesthesia_agreed_by == world.users["anaesthetist"]
    assert "Agree this anaesthesia plan" not in anaesthetist.get(url).content.decode()


def test_the_patient_pages_agree_button_names_the_anaesthesia_being_agreed(week):
    world, _draft, _due = week
    url = f"/patients/{world.patient.uuid}/"
    html = client_for(world.users["anaesthetist"]).get(url).content.decode()
    assert "anaesthesia: General anaesthesia with an epidural block, not yet agreed" in html
    assert (
        "Agree the anaesthesia: General anaesthesia with an epidural block"
        '<span class="visually-hidden"> for ' in html
    )
    # The surgeon reads the same anaesthesia but has no button: agreeing is the anaesthetist's.
    surgeons = client_for(world.users["surgeon"]).get(url).content.decode()
    assert "anaesthesia: General anaesthesia with an epidural block, not yet agreed" in surgeons
    assert "Agree the anaesthesia" not in surgeons
    surgery.agree_anaesthesia(actor=world.users["anaesthetist"], plan=world.episode.plans.get())
    html = client_for(world.users["anaesthetist"]).get(url).content.decode()
    assert "anaesthesia: General anaesthesia with an epidural block, agreed" in html
    assert "Agree the anaesthesia" not in html


def test_the_plan_page_stays_read_only_to_those_who_may_not_edit_it(week):
    world, _draft, _due = week
    url = f"/episodes/{world.episode.uuid}/plan/"
    assert client_for(world.users["prosthetist"]).post(url, {"notes": "x"}).status_code == 403
    assert client_for(world.users["patient"]).get(url).status_code == 403
    assert client_for(world.users["outsider"]).get(url).status_code == 404
