import pytest
from playwright.sync_api import expect

from osseo.rehab.models import LoadingProtocol
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clinic_copies_the_slow_programme_and_completes_its_weeks_6_to_12(
    world, live_server, page
):
    sign_in(page, live_server, "admin", PASSWORD)
    page.goto(f"{live_server.url}/protocols/")
    slow = page.locator("section", has_text="slow").first
    slow.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied as")).to_be_visible()
    assert_accessible(page, "protocol-edit")
    count = page.locator("fieldset.step").count()
    last_existing = count - 2  # the last phase before the blank new one
    page.locator(f"#id_phases-{last_existing}-target_percent_body_weight").fill("60")
    page.locator(f"#id_phases-{last_existing}-description").fill(
        "Clinic's own weeks 6-12 step (demo)"
    )
    page.get_by_role("button", name="Save the protocol").click()
    expect(page.get_by_text("Protocol saved.")).to_be_visible()
    own = LoadingProtocol.objects.get(organisation=world.clinic)
    assert own.name.endswith("(copy)")
    assert own.phases.filter(target_percent_body_weight=60).exists()


def test_a_phase_that_runs_backwards_is_refused_and_nothing_changes(world, live_server, page):
    sign_in(page, live_server, "admin", PASSWORD)
    page.goto(f"{live_server.url}/protocols/")
    page.locator("section").first.get_by_role("button", name="Copy").click()
    own = LoadingProtocol.objects.get(organisation=world.clinic)
    before = list(own.phases.values_list("start_day", "end_day"))
    page.locator("#id_phases-0-end_day").fill("0")
    page.get_by_role("button", name="Save the protocol").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert list(own.phases.values_list("start_day", "end_day")) == before
