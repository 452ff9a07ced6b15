"""The main menu, grouped by task, fits one row at a desk and opens group by group from the
keyboard; at 390 px it fits the phone with no horizontal scrolling (issue 20: the admin's menu
wrapped to three rows)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_admins_menu_fits_and_opens_by_keyboard_at_a_desk_and_on_a_phone(
    world, live_server, page
):
    sign_in(page, live_server, "admin", PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    clinic = nav.get_by_role("button", name="Clinic")
    expect(clinic).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="Settings")).to_be_hidden()
    toggle = nav.locator(".nav-toggle").first.bounding_box()
    dashboard = nav.get_by_role("link", name="Dashboard").bounding_box()
    assert toggle and dashboard and abs(toggle["y"] - dashboard["y"]) < 10  # one row
    assert_accessible(page, "navigation-closed-1280")

    clinic.focus()
    page.keyboard.press("Enter")
    expect(clinic).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Settings")).to_be_visible()
    assert_accessible(page, "navigation-open-1280")
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Registry")).to_be_focused()
    page.keyboard.press("Escape")
    expect(clinic).to_have_attribute("aria-expanded", "false")
    expect(clinic).to_be_focused()

    page.set_viewport_size({"width": 390, "height": 844})
    clinic.click()
    expect(nav.get_by_role("link", name="Settings")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "navigation-open-390")
    nav.get_by_role("link", name="Settings").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/settings/")
