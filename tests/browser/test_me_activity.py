"""In Chromium at 390 px: a patient uploads a steps file; a bad file is refused whole, each bad
line named; a good one is saved and listed."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from osseo.connectors.models import ActivityDay
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
STEPS = Path(__file__).parents[1] / "data" / "steps"


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{width}px wide at {PHONE['width']}px"


def test_a_patient_uploads_steps_and_a_bad_file_names_its_lines(world, live_server, page, tmp_path):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "patient", PASSWORD)
    page.goto(f"{live_server.url}/me/activity/")
    fits(page)
    assert_accessible(page, "me-activity-390")
    page.get_by_label("Your daily steps file (CSV)").set_input_files(str(STEPS / "malformed.csv"))
    page.get_by_role("button", name="Send the file").click()
    expect(page.get_by_text("line 3: the step count -5 is negative").first).to_be_visible()
    expect(page.get_by_text("line 11: 2099-01-01 is in the future").first).to_be_visible()
    fits(page)
    assert_accessible(page, "me-activity-refused-390")
    assert not ActivityDay.objects.filter(patient=world.patient).exists()

    today = __import__("django.utils.timezone", fromlist=["x"]).localdate()
    recent = tmp_path / "recent.csv"
    recent.write_text(f"date,steps\n{today.isoformat()},6420\n")
    page.get_by_label("Your daily steps file (CSV)").set_input_files(str(recent))
    page.get_by_role("button", name="Send the file").click()
    expect(page.get_by_text("1 day of steps saved")).to_be_visible()
    expect(page.get_by_role("cell", name="6420")).to_be_visible()
    fits(page)
    assert_accessible(page, "me-activity-saved-390")
    assert ActivityDay.objects.get(patient=world.patient).steps == 6420
