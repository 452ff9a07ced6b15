import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_clinic_admin_sets_the_stage_window_and_adds_to_the_catalogue(world, live_server, page):
    sign_in(page, live_server, "admin", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Clinic").click()
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Clinic settings")).to_be_visible()
    page.get_by_role("spinbutton", name="From").fill("6")
    page.get_by_role("spinbutton", name="To (required)", exact=True).fill("8")
    page.get_by_label("Unit").select_option("weeks")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text("Setting saved.")).to_be_visible()
    expect(page.locator("tbody tr").first).to_contain_text("6 to 8 weeks")
    expect(page.locator("tbody tr").first).to_contain_text("not validated")
    assert_accessible(page, "settings")

    page.get_by_role("navigation", name="Main").get_by_role("button", name="Clinic").click()
    page.get_by_role("link", name="Catalogue").click()
    page.get_by_label("Manufacturer").fill("Generic (demo)")
    page.get_by_label("Model / reference").fill("Tibial 12")
    page.get_by_label("Bone site").select_option("tibia")
    page.get_by_label("Fixation").select_option("press_fit")
    page.get_by_label("Diameter (mm)").fill("12")
    page.get_by_label("Length (mm)").fill("120")
    page.get_by_role("button", name="Add to the catalogue").click()
    expect(page.get_by_text("Catalogue item added.")).to_be_visible()
    expect(page.locator("tbody")).to_contain_text("Generic (demo) Tibial 12")
    assert_accessible(page, "catalogue")


def test_the_registry_threshold_is_a_clinic_setting_labelled_until_validated(
    world, live_server, page
):
    sign_in(page, live_server, "admin", PASSWORD)
    page.goto(f"{live_server.url}/accounts/settings/")
    expect(page.locator("tbody tr").nth(1)).to_contain_text("not validated")
    page.get_by_role("spinbutton", name="Fewest implants at risk").fill("20")
    page.locator("#id_atrisk-source").fill("Clinic governance meeting, Nov 2026")
    page.locator("#id_atrisk-validated").check()
    page.get_by_role("button", name="Save").nth(1).click()
    expect(page.locator("tbody tr").nth(1)).to_contain_text("20 implants")
    expect(page.locator("tbody tr").nth(1)).to_contain_text("Clinic governance meeting")
    assert_accessible(page, "settings-validated")


def test_the_accounts_page_is_accessible(world, live_server, page):
    sign_in(page, live_server, "admin", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Clinic").click()
    page.get_by_role("link", name="Accounts").click()
    page.get_by_label("Username").fill("kit2")
    page.get_by_label("Role").select_option("prosthetist")
    page.get_by_role("button", name="Create the account").click()
    expect(page.get_by_text("One-time password")).to_be_visible()
    expect(page.locator("tbody")).to_contain_text("kit2")
    assert_accessible(page, "accounts")


def test_the_clinic_admin_adds_a_grading_system_from_the_settings_page(world, live_server, page):
    sign_in(page, live_server, "admin", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Clinic").click()
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Complication grading systems").click()
    expect(page.get_by_role("heading", name="Grading systems", exact=True)).to_be_visible()
    page.locator("#id_name").fill("Clinic stoma grading")
    page.get_by_label("Short code").fill("clinic-stoma")
    page.get_by_label("Source").fill("Clinic protocol v3, page 4, checked Nov 2026.")
    page.get_by_label("Stoma hypergranulation").check()
    page.get_by_label("Grades, in order").fill("A | Mild\nB moderate")
    page.get_by_role("button", name="Add the grading system").click()
    expect(page.locator("#id_grades_error")).to_contain_text(
        "Line 2: write 'code | published wording'"
    )
    page.get_by_label("Grades, in order").fill("A | Mild\nB | Moderate")
    page.get_by_role("button", name="Add the grading system").click()
    expect(page.get_by_text("Clinic stoma grading added")).to_be_visible()
    expect(page.get_by_role("heading", name="Clinic stoma grading")).to_be_visible()
    assert_accessible(page, "grading-systems")
