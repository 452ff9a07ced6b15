"""In Chromium: the patient list's "next due" column, sorted by it, says overdue in words, is
axe-clean, and stacks its rows on a 390 px phone without horizontal scrolling."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.patients.test_patient_list_next_due import seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_list_sorted_by_next_due_reads_on_a_desk_and_a_phone(world, live_server, page):
    seed(world)  # QUARRELL's 3-month visit (10 Apr 2025) is overdue; ABBOT's dualcone is not
    sign_in(page, live_server, "coordinator", PASSWORD)
    page.goto(f"{live_server.url}/patients/")
    page.get_by_role("link", name="Next due").click()
    expect(page.get_by_role("columnheader", name="Next due")).to_have_attribute(
        "aria-sort", "ascending"
    )
    first = page.locator("tbody tr").first
    expect(first.get_by_role("rowheader")).to_have_text("QUARRELL, Ada")
    expect(first).to_contain_text("3 months follow-up visit, Left Femur (transfemoral)")
    expect(first).to_contain_text("Overdue since 10 Apr 2025")
    assert_accessible(page, "patient-list-next-due")

    page.set_viewport_size({"width": 390, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    cell = first.locator("td").nth(3)
    expect(cell).to_have_attribute("data-label", "Next due")
    assert_accessible(page, "patient-list-next-due-phone")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Next due").click()  # again: latest first
    expect(page.get_by_role("columnheader", name="Next due")).to_have_attribute(
        "aria-sort", "descending"
    )
    expect(page.locator("tbody tr").first.get_by_role("rowheader")).to_have_text("ABBOT, Ysolde")
