"""The organisation screens in a browser: the installation's administrator adds a partner; the
clinic administrator lists it as a partner and fills in the clinic's contact details; each page
is axe-clean and fits a phone."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = "test-artifacts/screenshots"


def test_organisations_partners_and_contact_details(world, live_server, page):
    get_user_model().objects.create_superuser("operator", "op@example.org", PASSWORD)
    sign_in(page, live_server, "operator", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Clinic").click()
    page.get_by_role("link", name="Organisations").click()
    page.locator("#id_name").fill("North Rehabilitation")
    page.locator("#id_slug").fill("north-rehab")
    page.locator("#id_kind").select_option(label="Rehabilitation partner")
    page.get_by_role("button", name="Add the organisation").click()
    expect(page.get_by_text("North Rehabilitation added.")).to_be_visible()
    assert_accessible(page, "organisations")
    page.set_viewport_size({"width": 390, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=f"{SHOTS}/organisations-phone.png", full_page=True)
    page.get_by_role("button", name="Sign out").click()

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "admin", PASSWORD)
    page.goto(f"{live_server.url}/accounts/partners/")
    page.locator("#id_partner").select_option(label="North Rehabilitation")
    page.get_by_role("button", name="Add the partner").click()
    expect(page.get_by_role("row", name="North Rehabilitation")).to_be_visible()
    assert_accessible(page, "partners")
    page.screenshot(path=f"{SHOTS}/partners.png", full_page=True)

    page.get_by_role("link", name="Your own contact details").click()
    page.locator("#id_telephone").fill("call us")
    page.get_by_role("button", name="Save the contact details").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page, "organisation-contact-error")
    page.locator("#id_telephone").fill("+44 113 496 0000")
    page.locator("#id_out_of_hours").fill("0113 496 0999")
    page.locator("#id_email").fill("desk@example.org")
    page.locator("#id_address").fill("1 Example Road\nLeeds")
    page.get_by_role("button", name="Save the contact details").click()
    expect(page.get_by_text("Contact details saved.")).to_be_visible()
    expect(page.locator("#id_telephone")).to_have_value("0113 496 0000")
    page.screenshot(path=f"{SHOTS}/organisation-contact.png", full_page=True)
