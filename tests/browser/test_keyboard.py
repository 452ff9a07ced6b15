"""In Chromium, by keyboard alone: the skip link, then recording a graded complication with
Tab, arrow keys, typing and Enter; focus is always visible."""

import pytest
from playwright.sync_api import expect

from osseo.complications.models import AdverseEvent
from tests.browser.conftest import assert_accessible, sign_in
from tests.complications.conftest import operate
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    # The date field's typing order follows the locale: pin it (month, day, year).
    return {**browser_context_args, "locale": "en-US"}


def _tab_to(page, locator, limit=80):
    """Press Tab until `locator` has the focus (as a keyboard user would), and check the focus
    is drawn."""
    for _ in range(limit):
        if locator.evaluate("el => el === document.activeElement"):
            outline = locator.evaluate("el => getComputedStyle(el).outlineStyle")
            assert outline != "none", "the focused control must show its focus"
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def test_a_surgeon_records_a_graded_complication_by_keyboard_alone(world, live_server, page):
    operate(world)
    sign_in(page, live_server, "surgeon", PASSWORD)
    page.goto(f"{live_server.url}/patients/{world.patient.uuid}/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    _tab_to(page, page.get_by_role("link", name="Record a complication"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Record a complication")).to_be_visible()

    _tab_to(page, page.get_by_label("What happened"))
    page.keyboard.type("Infection: bone")  # a select jumps to the option typed
    _tab_to(page, page.get_by_label("Onset"))
    page.keyboard.type("03012025")  # the date field takes month, day, year as typed
    _tab_to(page, page.get_by_label("Grade", exact=True))
    page.keyboard.type("Grade 3")
    expect(page.get_by_label("Grade", exact=True)).to_have_value("radboud-infection:3")
    _tab_to(page, page.get_by_role("button", name="Record the complication"))
    page.keyboard.press("Enter")

    expect(page.get_by_text("Complication recorded.")).to_be_visible()
    event = AdverseEvent.objects.get()
    assert (event.kind, str(event.onset_on), event.grade.code) == (
        "infection_bone",
        "2025-03-01",
        "3",
    )
    assert_accessible(page, "complication-by-keyboard")
