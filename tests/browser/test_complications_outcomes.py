"""In Chromium: a surgeon records a graded infection, its antibiotics and a revision, then a
RAND-36 response, and sees the scores trend on the patient page."""

import datetime as dt
import json

import pytest
from playwright.sync_api import expect

from osseo.outcomes.actions import record_response
from osseo.outcomes.models import Questionnaire
from tests.browser.conftest import assert_accessible, sign_in
from tests.complications.conftest import operate
from tests.conftest import PASSWORD
from tests.outcomes.synthetic_qtfa import qtfa_form
from tests.outcomes.test_outcomes_api import SYNTHETIC_RULES_JSON
from tests.outcomes.test_rand36_scoring import COMPLETE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_graded_infection_its_treatments_and_a_rand_36_response(world, live_server, page):
    operate(world)
    record_response(
        actor=world.users["surgeon"],
        patient=world.patient,
        questionnaire=Questionnaire.objects.get(code="rand-36"),
        data={
            "authored_on": dt.date(2024, 12, 1),
            "answers": {str(k): 1 for k in range(3, 13)} | {"21": 5, "22": 4},
        },
    )
    sign_in(page, live_server, "surgeon", PASSWORD)
    page.goto(f"{live_server.url}/patients/{world.patient.uuid}/")

    page.get_by_role("link", name="Record a complication").click()
    page.get_by_label("What happened").select_option("infection_soft_tissue")
    page.get_by_label("Onset").fill("2025-03-01")
    page.get_by_label("Grade", exact=True).select_option(
        label="Grade 1: low-grade soft-tissue infection"
    )
    page.get_by_label("Description").fill("Purulent discharge and cellulitis around the stoma.")
    assert_accessible(page, "complication-form")
    page.get_by_role("button", name="Record the complication").click()
    expect(page.get_by_text("Complication recorded.")).to_be_visible()
    expect(
        page.locator(".facts").get_by_text("Grade 1: low-grade soft-tissue infection")
    ).to_be_visible()
    expect(page.get_by_text("PLOS ONE 2020;15(3):e0230027", exact=False)).to_be_visible()

    page.locator("#id_kind").select_option("oral_antibiotics")
    page.get_by_label("Started on (or the operation date)").fill("2025-03-02")
    page.get_by_label("Ended on").fill("2025-03-16")
    page.get_by_label("Details").fill("Flucloxacillin 1 g four times daily for 14 days")
    page.get_by_role("button", name="Record the treatment").click()
    expect(page.get_by_text("Treatment recorded.")).to_be_visible()
    assert_accessible(page, "complication-treated")

    # It worsens: the clinician revises the grade (within the soft-tissue kind: grades belong
    # to kinds); the history keeps the first one.
    page.locator("#id_grading").select_option(label="Grade 2: high-grade soft-tissue infection")
    page.get_by_role("button", name="Save the grade and outcome").click()
    expect(page.get_by_text("Grade and outcome saved.")).to_be_visible()
    expect(
        page.locator(".facts").get_by_text("Grade 2: high-grade soft-tissue infection")
    ).to_be_visible()
    expect(page.locator(".timeline .changes").last).to_contain_text(
        "Grade 1: low-grade soft-tissue infection → Radboud 4-grade infection "
        "classification: Grade 2: high-grade soft-tissue infection"
    )
    assert_accessible(page, "complication-regraded")

    page.get_by_role("navigation", name="Main").get_by_role("button", name="Care").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Complications").click()
    page.get_by_label("Outcome").select_option("ongoing")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("Grade 2: high-grade soft-tissue infection")
    assert_accessible(page, "complications-list")
    page.go_back()
    page.go_back()

    page.locator("#id_kind").select_option("revision")
    page.get_by_label("Started on (or the operation date)").fill("2025-04-02")
    page.get_by_role("button", name="Record the treatment").click()
    expect(page.get_by_text("Operation recorded in the procedure history")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revision")

    page.goto(f"{live_server.url}/patients/{world.patient.uuid}/")
    expect(page.get_by_role("link", name="Revision 2 Apr 2025 (Draft)")).to_be_visible()
    page.get_by_role("link", name="Enter RAND-36").click()
    page.get_by_label("Date answered").fill("2025-05-01")
    for item, response in COMPLETE.items():
        page.locator(f"#id_item_{item}_{response - 1}").check()
    page.get_by_role("button", name="Save the response").click()
    expect(page.get_by_text("RAND 36-Item Health Survey 1.0: response saved.")).to_be_visible()
    expect(page.get_by_role("row", name="Pain 67.5")).to_be_visible()
    assert_accessible(page, "rand36-scores")

    page.goto(f"{live_server.url}/patients/{world.patient.uuid}/")
    expect(page.locator("svg[role=img]")).to_have_count(8)
    expect(page.get_by_text("Died")).to_have_count(0)
    assert_accessible(page, "patient-complications-and-trends")

    page.get_by_role("link", name="Enter Q-TFA").click()
    expect(page.get_by_text("Not configured yet").first).to_be_visible()
    assert_accessible(page, "qtfa-not-configured")

    # The ongoing infection is on the surgeon's worklist, with its grade.
    page.get_by_role("link", name="Dashboard").click()
    panel = page.locator("section.work-panel", has_text="Ongoing complications")
    expect(panel).to_contain_text(
        "Infection: soft tissue (Grade 2: high-grade soft-tissue infection)"
    )
    panel.get_by_role("link", name="Ada Quarrell").click()
    expect(page.get_by_role("heading", name="Infection: soft tissue")).to_be_visible()
    page.go_back()
    assert_accessible(page, "dashboard-worklist")


def test_a_clinic_sets_up_the_q_tfa_and_a_surgeon_enters_one_by_its_responses(
    world, live_server, page, tmp_path
):
    """The clinic supplies wording (with response wording) and rules; the form then offers
    each item's scored responses as radio buttons, and the scores trend on the patient page."""
    operate(world)
    wording = tmp_path / "qtfa-wording.csv"
    wording.write_text(
        "linkId,text\n"
        "use.days,Days a week with the prosthesis (clinic wording)\n"
        "use.hours,Hours a day with the prosthesis (clinic wording)\n"
        "capability#1,Cannot (clinic wording)\n"
        "capability#3,Easily (clinic wording)\n",
        encoding="utf-8",
    )
    sign_in(page, live_server, "admin", PASSWORD)
    page.goto(f"{live_server.url}/settings/questionnaires/q-tfa/")
    page.get_by_label("Rules and wording to import (JSON)").fill(json.dumps(SYNTHETIC_RULES_JSON))
    page.get_by_label("Item wording file (.json or .csv)").set_input_files(str(wording))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("4 entries (last file: qtfa-wording.csv)")).to_be_visible()
    expect(page.get_by_text("not validated").first).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "surgeon", PASSWORD)
    page.goto(f"{live_server.url}/patients/{world.patient.uuid}/questionnaires/q-tfa/new/")
    expect(page.get_by_text("Scoring not configured")).to_have_count(0)
    page.get_by_label("Date answered").fill("2025-06-01")
    days = page.get_by_role("group", name="Days a week with the prosthesis (clinic wording)")
    days.get_by_label("7", exact=True).check()
    for link_id, response in qtfa_form().items():
        if link_id != "use.days":
            page.locator(f'input[name="item_{link_id}"][value="{response}"]').check()
    capability = page.get_by_role("group", name="Q-TFA item capability.2", exact=False)
    expect(capability.get_by_label("Easily (clinic wording)")).to_be_checked()
    assert_accessible(page, "qtfa-by-responses")
    page.get_by_role("button", name="Save the response").click()
    expect(page.get_by_text("response saved.")).to_be_visible()
    # The worked example of tests/outcomes/test_qtfa_scoring.py, with 7 days instead of 5:
    # use = 7 x 8 / (7 x 16) x 100 = 50; mobility 62.5; problem 33.3; global 83.3.
    expect(page.get_by_role("row", name="Prosthetic use 50.0")).to_be_visible()
    expect(page.get_by_role("row", name="Mobility 62.5")).to_be_visible()

    page.goto(f"{live_server.url}/patients/{world.patient.uuid}/")
    trend = page.locator("article.trend", has_text="Transfemoral")
    expect(trend.locator("svg[role=img]")).to_have_count(4)
    expect(trend.get_by_text("not validated").first).to_be_visible()
    expect(trend.get_by_text("(higher is worse)")).to_be_visible()
