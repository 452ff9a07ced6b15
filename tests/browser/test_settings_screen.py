"""The clinic settings screen on a phone: every setting in words, each form typed, axe-clean, no
sideways scrolling at 390 px (issue 20)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_admin_sets_the_years_ahead_on_a_phone(world, live_server, page):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "admin", PASSWORD)
    page.goto(f"{live_server.url}/accounts/settings/")
    overview = page.locator("table.settings-overview")
    expect(overview).to_contain_text("At 3, 6 and 12 months after surgery, then every 12 months")
    expect(overview).to_contain_text("Not written yet")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="Change how far ahead a planned date may be").click()
    section = page.locator("#setting-date_years_ahead")
    section.get_by_role("spinbutton").fill("0")
    section.get_by_role("button", name="Save").click()
    expect(page.locator("#setting-date_years_ahead .error")).to_contain_text("1")
    assert_accessible(page, "settings-phone-error")
    section = page.locator("#setting-date_years_ahead")
    section.get_by_role("spinbutton").fill("5")
    section.get_by_label("Source").fill("Clinic governance meeting, 3 Dec 2026")
    section.get_by_label("The clinic has validated this value").check()
    section.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Setting saved.")).to_be_visible()
    row = page.locator("tbody tr", has_text="How far ahead a planned date may be")
    expect(row).to_contain_text("5 years")
    expect(row).to_contain_text("Clinic governance meeting")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "settings-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page, "settings-desk")


def test_the_admin_enters_a_q_tfa_scale_and_a_sections_wording_on_a_phone(world, live_server, page):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "admin", PASSWORD)
    page.goto(f"{live_server.url}/settings/questionnaires/q-tfa/")
    expect(page.get_by_text("not configured yet").first).to_be_visible()
    page.get_by_role("link", name="Response scales and points").click()
    page.get_by_label("Where these numbers were read").fill("Test fixture: made-up numbers")
    for part, values in (
        ("hours", "0, 4, 8, 16"),
        ("capability", "0, 50, 100"),
        ("walking_aid", "0, 100"),
        ("walking_habits", "0, 25, 50, 75, 100"),
        ("problem", "0, 50, 100"),
        ("global", "0, 25, 50, 75, 120"),
    ):
        page.locator(f"#id_{part}_values").fill(values)
    page.locator("#id_capability_words").fill("Cannot\nWith difficulty\nEasily")
    page.get_by_role("button", name="Save the response scales").click()
    expect(page.locator(".error-summary")).to_contain_text("Entry 5 (120) must be 0 to 100.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "qtfa-scales-phone-error")
    page.locator("#id_global_values").fill("0, 25, 50, 75, 100")
    page.get_by_role("button", name="Save the response scales").click()
    expect(page.get_by_text("response scales saved")).to_be_visible()
    page.get_by_role("link", name="Edit capability").click()
    page.get_by_label("Item 1: wording").fill("Getting up from a chair (clinic wording)")
    page.get_by_label("Item 12: its own points").fill("100, 50, 0")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "qtfa-items-phone")
    page.get_by_role("button", name="Save capability").click()
    expect(page.locator("tbody tr", has_text="Capability")).to_contain_text("1 of 12")
    assert_accessible(page, "qtfa-settings-phone")
