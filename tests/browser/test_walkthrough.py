"""In real Chromium: a coordinator walks a new patient in, and the admin sees it in the audit."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from osseo.patients.models import Patient
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_create_a_patient_add_a_limb_move_the_episode_and_see_the_audit(
    world, live_server, page
):
    sign_in(page, live_server, "coordinator", PASSWORD)
    expect(page.get_by_role("heading", name="My patients by phase")).to_be_visible()
    assert_accessible(page, "dashboard")

    page.get_by_role("link", name="New patient").first.click()
    assert_accessible(page, "patient-form")
    page.get_by_label("Given name").fill("Lowri")
    page.get_by_label("Family name").fill("Pendower")
    page.get_by_label("Date of birth").fill("1984-07-09")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("NHS number").fill("401 023 2137")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Lowri Pendower")).to_be_visible()
    patient = Patient.objects.get(family_name="Pendower")
    assert patient.nhs_number == "4010232137"

    page.get_by_role("link", name="Add a limb").click()
    page.get_by_label("Site").select_option("tibia")
    page.get_by_label("Side").select_option("right")
    page.get_by_label("Amputation date").fill("2018-04-30")
    page.get_by_label("Cause").select_option("trauma")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Right Tibia (transtibial)")).to_be_visible()

    page.get_by_role("button", name="Open an episode").click()
    expect(page.get_by_text("Referral").first).to_be_visible()
    assert_accessible(page, "patient-page")
    page.get_by_role("link", name="Move phase").click()
    assert_accessible(page, "transition-form")
    page.get_by_label("Move to phase").select_option("assessment")
    page.get_by_role("button", name="Move").click()
    expect(page.locator(".phase-badge", has_text="Assessment")).to_be_visible()
    assert patient.episodes.get().phase == "assessment"

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "admin", PASSWORD)
    page.goto(f"{live_server.url}/patients/{patient.uuid}/access/")
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="Episode moved to another phase")).to_have_count(1)
    expect(rows.filter(has_text="Episode moved to another phase")).to_contain_text(
        "Phase: Referral → Assessment"
    )
    expect(rows.filter(has_text="Patient record viewed").first).to_contain_text("coordinator")
    assert_accessible(page, "access-history")


def test_bad_input_shows_field_errors_and_saves_nothing(world, live_server, page):
    sign_in(page, live_server, "surgeon", PASSWORD)
    page.goto(f"{live_server.url}/patients/new/")
    page.get_by_label("Given name").fill("Macsen")
    page.get_by_label("Family name").fill("Garrow")
    page.get_by_label("Date of birth").fill("1990-01-01")
    page.get_by_label("Sex").select_option("male")
    page.get_by_label("NHS number").fill("9434765918")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_nhs_number_error")).to_have_text(
        "This is not a valid NHS number: its check digit does not match."
    )
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    assert_accessible(page, "patient-form-errors")
    assert not Patient.objects.filter(family_name="Garrow").exists()

    page.goto(f"{live_server.url}/patients/{world.patient.uuid}/limbs/new/")
    page.get_by_label("Site").select_option("humerus")
    page.get_by_label("Side").select_option("left")
    future = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    page.get_by_label("Amputation date").fill(future)
    page.get_by_label("Cause").select_option("trauma")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_amputation_date_error")).to_have_text(
        "The amputation date cannot be in the future."
    )
    assert world.patient.limbs.count() == 1

    page.goto(f"{live_server.url}/episodes/{world.episode.uuid}/transition/")
    page.get_by_label("Move to phase").select_option("declined")
    page.get_by_role("button", name="Move").click()
    expect(page.locator("#id_reason_error")).to_contain_text(
        "Say why the episode moves from Referral to Declined"
    )
    world.episode.refresh_from_db()
    assert world.episode.phase == "referral"


def test_the_patient_list_searches_as_you_type_and_is_accessible(world, live_server, page):
    sign_in(page, live_server, "surgeon", PASSWORD)
    page.goto(f"{live_server.url}/patients/")
    expect(page.locator("#patient-rows")).to_contain_text("1 patient")
    page.get_by_label("Search by name, record number or NHS number").fill("zzz")
    expect(page.locator("#patient-rows")).to_contain_text("0 patients matching “zzz”")
    page.get_by_label("Search by name, record number or NHS number").fill("quarr")
    expect(page.locator("#patient-rows")).to_contain_text("1 patient matching “quarr”")
    assert_accessible(page, "patient-list")


def test_a_patient_sees_their_own_pages_and_nothing_else(world, live_server, page):
    sign_in(page, live_server, "patient", PASSWORD)
    expect(page.get_by_role("heading", name="Hello, Ada")).to_be_visible()
    assert page.url.endswith("/me/")
    expect(page.get_by_role("link", name="Edit details")).to_have_count(0)
    # Staff pages refuse a patient, whoever's record they name (osseo/me/middleware.py).
    for path in (f"/patients/{world.other_patient.uuid}/", f"/patients/{world.patient.uuid}/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 403
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    assert_accessible(page, "patient-not-allowed")
    page.get_by_role("link", name="Go to your own pages").click()
    expect(page.get_by_role("heading", name="Hello, Ada")).to_be_visible()


def test_the_sign_in_page_is_accessible(live_server, page, db):
    page.goto(f"{live_server.url}/accounts/sign-in/")
    assert_accessible(page, "sign-in")
