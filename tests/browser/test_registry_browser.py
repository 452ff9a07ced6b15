import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_registry_draws_curves_on_the_demo_cohort(live_server, page):
    call_command("demo")
    sign_in(page, live_server, "surgeon", "osseo-demo-2026")
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Clinic").click()
    page.get_by_role("link", name="Registry").click()
    expect(page.get_by_role("heading", name="The clinic's registry")).to_be_visible()
    expect(page.locator("svg.chart")).to_have_count(3)
    assert_accessible(page, "registry")
    page.get_by_label("Stratify by").select_option("site")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".too-few").first).to_contain_text("too few patients to say")
    expect(page.locator(".claims")).to_contain_text("No comparator")
    assert_accessible(page, "registry-by-site")
