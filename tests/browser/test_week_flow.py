"""In Chromium (issue 22): the anaesthetist starts the day on the plans to agree, reads one and
agrees it; the coordinator arranges an MDT meeting, names who attends, puts the patient whose
assessment is due on the agenda and records the MDT's decision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from osseo.surgery.models import Assessment
from tests.browser.conftest import SHOTS, assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.gates import advance, make_plan
from tests.scheduling.conftest import in_assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_anaesthetist_agrees_a_plan_from_the_worklist(world, live_server, page):
    advance(world.users, world.episode, "assessment", "planning")
    make_plan(
        world.users,
        world.episode,
        agree=False,
        planned_date=timezone.localdate() + dt.timedelta(days=3),
    )
    sign_in(page, live_server, "anaesthetist", PASSWORD)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    panel = page.get_by_role("region", name="Plans to agree (1)")
    expect(panel).to_contain_text("General anaesthesia with an epidural block")
    expect(panel).to_contain_text("History: no comorbidity recorded at the MDT")
    assert_accessible(page, "week-anaesthetist-worklist")
    panel.get_by_role("link", name="Ada Quarrell").click()
    expect(page.get_by_role("heading", name="Surgical plan")).to_be_visible()
    expect(page.get_by_text("Not yet agreed by an anaesthetist.")).to_be_visible()
    expect(page.get_by_role("heading", name="Relevant history")).to_be_visible()
    assert_accessible(page, "week-anaesthetist-plan")
    page.get_by_role("button", name="Agree this anaesthesia plan").click()
    expect(page.get_by_text("Anaesthesia plan agreed.")).to_be_visible()
    expect(page.get_by_text("Agreed by")).to_be_visible()
    page.screenshot(path=str(SHOTS / "week-anaesthetist-agreed.png"), full_page=True)
    page.goto(live_server.url + "/")
    expect(page.get_by_text("No plan waits for your agreement.")).to_be_visible()
    plan = world.episode.plans.get()
    assert plan.anaesthesia_agreed_by == world.users["anaesthetist"]


def test_the_anaesthetist_agrees_the_anaesthesia_named_on_the_patient_page(
    world, live_server, page
):
    advance(world.users, world.episode, "assessment", "planning")
    make_plan(world.users, world.episode, agree=False)
    sign_in(page, live_server, "anaesthetist", PASSWORD)
    page.goto(f"{live_server.url}/patients/{world.patient.uuid}/")
    expect(
        page.get_by_text("anaesthesia: General anaesthesia with an epidural block, not yet agreed")
    ).to_be_visible()
    button = page.get_by_role(
        "button",
        name="Agree the anaesthesia: General anaesthesia with an epidural block for Left Femur",
    )
    expect(button).to_be_visible()
    assert_accessible(page, "week-anaesthetist-patient-page")
    button.click()
    expect(page.get_by_text("Anaesthesia plan agreed.")).to_be_visible()
    expect(
        page.get_by_text("anaesthesia: General anaesthesia with an epidural block, agreed")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Agree the anaesthesia")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "week-anaesthetist-patient-agreed.png"), full_page=True)
    assert world.episode.plans.get().anaesthesia_agreed_by == world.users["anaesthetist"]


def test_the_coordinator_runs_an_mdt_meeting_from_agenda_to_decision(world, live_server, page):
    episode = in_assessment(world)
    sign_in(page, live_server, "coordinator", PASSWORD)
    agenda_panel = page.get_by_role("region", name="MDT agenda: assessments due (1)")
    expect(agenda_panel).to_contain_text("not on a meeting's agenda yet")
    page.get_by_role("link", name="MDT meetings").first.click()
    today = timezone.localdate()
    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_label("Start time").fill("13:00")
    page.get_by_label("Place or video link").fill("Seminar room 2")
    page.get_by_role("button", name="Arrange the meeting").click()
    expect(page.get_by_text("Meeting arranged")).to_be_visible()

    for who, discipline in (("surgeon", "surgeon"), ("prosthetist", "prosthetist")):
        page.locator("#id_c-user").select_option(str(world.users[who].uuid))
        page.locator("#id_c-discipline").select_option(discipline)
        page.get_by_role("button", name="Add the colleague").click()
    page.locator("#id_o-name").fill("Dr Rhiannon Test")
    page.locator("#id_o-organisation").fill("Test Rehabilitation Partner")
    page.locator("#id_o-discipline").select_option("rehabilitation_physician")
    page.get_by_role("button", name="Add the outside professional").click()
    expect(page.get_by_role("heading", name="Attendees (3)")).to_be_visible()

    page.get_by_label("Patient whose assessment is due").select_option(str(episode.uuid))
    page.get_by_role("button", name="Add to the agenda").click()
    item = page.get_by_role("article", name="1. Cai Assessed, Left Femur (transfemoral)")
    expect(item).to_be_visible()
    assert_accessible(page, "week-coordinator-meeting")

    item.get_by_label("Defer").check()
    item.get_by_label("Deciding surgeon").select_option(str(world.users["surgeon"].uuid))
    item.get_by_label("Reasons").fill("A CT of the residuum first.")
    item.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded for Cai Assessed.")).to_be_visible()
    expect(page.get_by_text("Decision: Defer")).to_be_visible()
    page.screenshot(path=str(SHOTS / "week-coordinator-decided.png"), full_page=True)
    assessment = Assessment.objects.get(episode=episode)
    assert assessment.decision == "defer"
    assert assessment.participants.count() == 3
    with page.expect_download() as download:
        page.get_by_role("link", name="Print the minutes (PDF)").click()
    assert download.value.suggested_filename.startswith("osseo-mdt-minutes-")


def test_the_coordinator_cancels_a_meeting_and_its_patient_is_due_again(world, live_server, page):
    from osseo.scheduling.actions import add_to_agenda, create_meeting

    episode = in_assessment(world)
    meeting = create_meeting(
        actor=world.users["coordinator"],
        data={
            "starts_at": timezone.now() + dt.timedelta(days=7),
            "place": "Seminar room 2",
            "attendees": [{"user": world.users["surgeon"], "discipline": "surgeon"}],
        },
    )
    add_to_agenda(actor=world.users["coordinator"], meeting=meeting, episode=episode)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "coordinator", PASSWORD)
    page.goto(f"{live_server.url}/mdt/meetings/{meeting.uuid}/")
    page.get_by_text("Cancel the meeting").first.click()
    page.get_by_role("button", name="Cancel the meeting").click()
    expect(
        page.get_by_role("link", name="Why it is cancelled: This field is required.")
    ).to_be_visible()
    page.get_by_label("Why it is cancelled").fill("No quorum: the surgeon is away.")
    page.get_by_role("button", name="Cancel the meeting").click()
    expect(page.get_by_text("This meeting is cancelled")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "week-coordinator-meeting-cancelled")
    page.screenshot(path=str(SHOTS / "week-coordinator-meeting-cancelled.png"), full_page=True)
    page.goto(f"{live_server.url}/")
    agenda_panel = page.get_by_role("region", name="MDT agenda: assessments due (1)")
    expect(agenda_panel).to_contain_text("not on a meeting's agenda yet")
