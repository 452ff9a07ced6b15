"""In Chromium: a prosthetist replaces a dualcone, imports steps and a recording (the worker runs),
sees the new part's due date with its basis; the clinic sees the parts due."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from osseo.connectors.actions import record_body_weight
from osseo.connectors.models import LoadRecording
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import FUTURE_EXPIRY_GS1, PASSWORD
from tests.connectors.conftest import DATA, NEW_DUALCONE_GTIN, STEPS, operate, policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_prosthetist_replaces_the_dualcone_imports_steps_and_a_recording(
    world, live_server, page, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    operate(world)
    policy(world)
    record_body_weight(
        actor=world.users["prosthetist"],
        patient=world.patient,
        measured_on=dt.date(2026, 1, 5),
        weight_kg=81.6,
    )
    sign_in(page, live_server, "prosthetist", PASSWORD)
    page.goto(f"{live_server.url}/patients/{world.patient.uuid}/")
    page.get_by_role("link", name="Connector parts and activity").click()
    expect(page.get_by_text("Due 5 January 2027", exact=True)).to_be_visible()
    page.get_by_role("link", name="Replace the dualcone adaptor").click()
    page.get_by_label("Why the old part came off").select_option("wear")
    page.get_by_label("Scan the new part's label").fill(
        f"(01){NEW_DUALCONE_GTIN}(17){FUTURE_EXPIRY_GS1}(10)DC-2"
    )
    page.get_by_label("Date of the replacement").fill("2099-01-01")
    page.get_by_role("button", name="Record the replacement").click()
    expect(page.locator("#id_replaced_on_error")).to_contain_text("cannot be after today")
    assert_accessible(page, "connectors-replace-errors")
    today = dt.date.today()
    page.get_by_label("Date of the replacement").fill(today.isoformat())
    page.get_by_role("button", name="Record the replacement").click()
    expect(page.get_by_text("Dualcone adaptor replaced.")).to_be_visible()
    history = page.locator("table", has_text="GTIN / lot")
    expect(history).to_contain_text("DC-1")
    expect(history).to_contain_text("Wear")
    expect(history).to_contain_text("DC-2")

    steps = tmp_path / "steps.csv"
    steps.write_text(
        "date,steps\n" + "".join(f"{today - dt.timedelta(days=i)},{9800}\n" for i in range(0, 1))
    )
    page.get_by_label("Daily steps file (CSV)").set_input_files(str(STEPS / "malformed.csv"))
    page.get_by_role("button", name="Import the steps").click()
    expect(page.locator(".error-summary")).to_contain_text("line 3: the step count -5 is negative")
    assert_accessible(page, "connectors-steps-errors")
    page.get_by_label("Daily steps file (CSV)").set_input_files(str(steps))
    page.get_by_role("button", name="Import the steps").click()
    expect(page.get_by_text("Steps imported: 1 day added")).to_be_visible()
    expect(page.locator(".due").first).to_contain_text("Due")
    expect(page.locator(".part").first).to_contain_text(
        "of 1.5 M equivalent cycles; at 9,800 steps a day"
    )
    expect(page.get_by_text("not validated").first).to_be_visible()
    assert_accessible(page, "connectors-patient")

    page.get_by_label("Load recording (CSV or Parquet)").set_input_files(
        str(DATA / "recordings" / "walk_100hz.csv")
    )
    page.get_by_label("Recorded on").fill(today.isoformat())
    page.get_by_role("button", name="Import the recording").click()
    expect(page.get_by_text("Recording queued for processing.")).to_be_visible()
    expect(page.locator("#recording-status")).to_contain_text("Queued")

    # A worker took it and was killed an hour ago: the screen offers a retry.
    recording = LoadRecording.objects.get()
    DBTaskResult.objects.get(id=recording.task_id).claim("killed-worker")
    LoadRecording.objects.filter(pk=recording.pk).update(
        status="running",
        progress=0.3,
        progress_updated_at=timezone.now() - dt.timedelta(hours=1),
    )
    page.reload()
    expect(page.locator("#recording-status")).to_contain_text("has probably stopped")
    assert_accessible(page, "connectors-recording-stale")
    page.get_by_role("button", name="Retry processing").click()
    expect(page.get_by_text("Recording queued again for processing.")).to_be_visible()
    call_command("worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    expect(page.locator("#recording-status")).to_contain_text("Processed", timeout=10000)
    page.reload()
    expect(page.get_by_role("heading", name="Rainflow matrix")).to_be_visible()
    assert_accessible(page, "connectors-recording")


def test_the_clinic_sees_every_part_due_in_the_next_month(world, live_server, page):
    operate(world, on=dt.date(2026, 1, 5))
    policy(world, time_limit_months=11)  # due 5 December 2026
    sign_in(page, live_server, "coordinator", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Care").click()
    page.get_by_role("link", name="Parts due", exact=True).click()
    page.get_by_label("Due within (days)").fill("60")
    page.get_by_role("button", name="Show").click()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("QUARRELL, Ada")
    expect(row).to_contain_text("Dualcone adaptor")
    expect(row).to_contain_text("(policy not validated)")
    assert_accessible(page, "connectors-due")
    page.get_by_role("link", name="Service policies").click()
    expect(page.get_by_text("11 months")).to_be_visible()
    assert_accessible(page, "connectors-policies")
