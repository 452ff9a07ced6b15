"""In real Chromium: a visitor enquires from a phone; a coordinator triages and converts it."""

import pytest
from playwright.sync_api import expect

from osseo.portal.models import Enquiry
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_phone_enquiry_is_triaged_and_converted_into_a_referral(
    world, live_server, page, settings
):
    settings.OSSEO_CLINIC_NOTIFY_EMAIL = "referrals@clinic.example"
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/enquire/clinic/")
    expect(page.get_by_role("heading", name="Find out about osseointegration")).to_be_visible()
    assert_accessible(page, "enquiry-form-phone")
    # Nothing scrolls sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("button", name="Send my enquiry").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_role("alert")).to_contain_text("Give an email address or a phone number")
    assert_accessible(page, "enquiry-form-errors-phone")

    page.get_by_label("Your name").fill("Morwen Tregarthen")
    page.get_by_label("Email address").fill("morwen@example.org")
    page.get_by_label("Which limb, or where?").select_option("tibia")
    page.get_by_label("Which side?").select_option("right")
    page.get_by_label("Year of the amputation").fill("2016")
    page.get_by_label("What caused it?").select_option("vascular")
    page.get_by_label("Your prosthesis now").fill("The socket slips when I sweat.")
    page.get_by_label("How did you hear about us?").fill("A friend")
    page.get_by_label("I agree to the clinic contacting me").check()
    page.get_by_role("button", name="Send my enquiry").click()
    expect(page.get_by_role("heading", name="Thank you: we have your enquiry")).to_be_visible()
    assert_accessible(page, "enquiry-thanks-phone")
    enquiry = Enquiry.objects.get()
    assert (enquiry.site, enquiry.side, enquiry.amputation_year) == ("tibia", "right", 2016)

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "coordinator", PASSWORD)
    page.get_by_role("link", name="Enquiries (1 new)").click()
    assert_accessible(page, "enquiry-queue")
    page.get_by_role("link", name="Morwen Tregarthen").click()
    expect(page.get_by_text("The socket slips when I sweat.")).to_be_visible()
    page.get_by_label("Add a note").fill("Spoke on the phone; keen to be assessed.")
    page.get_by_role("button", name="Add the note").click()
    page.get_by_label("Change status to").select_option("contacted")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator(".status-badge").first).to_have_text("Contacted")
    assert_accessible(page, "enquiry-detail")

    page.get_by_role("link", name="Convert into a referral").click()
    expect(page.get_by_label("Given name")).to_have_value("Morwen")
    expect(page.get_by_label("Family name")).to_have_value("Tregarthen")
    page.get_by_label("Date of birth").fill("1968-02-11")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Amputation date").fill("2016-09-20")
    assert_accessible(page, "enquiry-convert")
    page.get_by_role("button", name="Convert into a referral").click()
    expect(page.get_by_role("heading", name="Morwen Tregarthen")).to_be_visible()
    expect(page.locator(".phase-badge", has_text="Referral")).to_be_visible()
    enquiry.refresh_from_db()
    assert enquiry.status == "converted"
    assert enquiry.episode.phase == "referral"
    assert enquiry.patient.limbs.get().site == "tibia"


def test_the_triage_pages_fit_a_phone_too(world, live_server, page):
    from tests.portal.conftest import make_enquiry

    enquiry = make_enquiry(world.clinic)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "coordinator", PASSWORD)
    page.goto(f"{live_server.url}/enquiries/{enquiry.uuid}/")
    assert_accessible(page, "enquiry-detail-phone")
    page.goto(f"{live_server.url}/enquire/")
    assert_accessible(page, "enquiry-choose-clinic-phone")
