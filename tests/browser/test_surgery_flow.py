"""In Chromium: a surgeon assesses, plans, records, scans, signs, and hands over the guide."""

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from osseo.pathway.actions import transition_to
from osseo.surgery.actions import add_catalogue_item, agree_anaesthesia
from osseo.surgery.models import Device, Procedure
from tests.browser.conftest import SHOTS, assert_accessible, sign_in
from tests.conftest import FUTURE_EXPIRY_GS1, PASSWORD
from tests.gates import advance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
IMPLANT_GTIN = "09506000134352"


def _go(page, world, phase):
    transition_to(actor=world.users["surgeon"], episode=world.episode, to_phase=phase)
    page.reload()


def test_a_single_stage_transfemoral_from_assessment_to_a_signed_record_and_the_guide(
    world, live_server, page
):
    add_catalogue_item(
        actor=world.users["clinic_admin"],
        data={
            "manufacturer": "Generic (demo)",
            "model": "Femoral 16",
            "site": "femur",
            "fixation": "press_fit",
            "diameter_mm": 16,
            "length_mm": 160,
        },
    )
    add_catalogue_item(
        actor=world.users["clinic_admin"],
        data={
            "manufacturer": "Generic (demo)",
            "model": "Femoral 20",
            "site": "femur",
            "fixation": "press_fit",
            "diameter_mm": 20,
            "length_mm": 160,
        },
    )
    transition_to(actor=world.users["surgeon"], episode=world.episode, to_phase="assessment")
    sign_in(page, live_server, "surgeon", PASSWORD)
    page.goto(f"{live_server.url}/patients/{world.patient.uuid}/")

    page.get_by_role("link", name="Record the MDT assessment").click()
    page.get_by_label("surgeon — Surgeon (amputation and reconstruction)").check()
    page.get_by_label("prosthetist — Prosthetist").check()
    page.get_by_label("Outside professional 1: name").fill("Dr Rhiannon Test")
    page.get_by_label("Outside professional 1: discipline").select_option(
        "rehabilitation_physician"
    )
    page.get_by_label("Outside professional 1: organisation").fill("Test Rehab")
    page.get_by_label("Deciding surgeon (took part in the MDT)").select_option(label="surgeon")
    page.get_by_label("Uses or has used a socket prosthesis").select_option("true")
    page.get_by_label("Months of attempted prosthetic rehabilitation").fill("24")
    page.get_by_label("Socket pain").check()
    page.get_by_label("Dysvascular amputation or peripheral vascular disease").check()
    page.get_by_label("Canal diameter (mm)").fill("17")
    page.get_by_label("Usable bone length (mm)").fill("175")
    page.get_by_label("Eligible", exact=True).check()
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.locator("#id_decision_reason_error")).to_contain_text(
        "despite the flags: dysvascular"
    )
    assert_accessible(page, "assessment-errors")
    page.get_by_label("Reasons for the decision").fill(
        "Good distal perfusion on duplex; MDT accepts the risk."
    )
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.get_by_text("Assessment recorded.")).to_be_visible()

    _go(page, world, "planning")
    page.get_by_role("link", name="Make the plan").click()
    expect(page.get_by_text("Single-stage procedure")).to_be_visible()
    page.get_by_label("Anaesthesia").select_option("general_epidural")
    implant_options = (
        page.get_by_label("Implant from the catalogue").locator("option").all_inner_texts()
    )
    assert implant_options == ["Not chosen yet", "Generic (demo) Femoral 16 Ø16.0 x 160.0 mm"]
    page.get_by_label("Implant from the catalogue").select_option(
        label="Generic (demo) Femoral 16 Ø16.0 x 160.0 mm"
    )
    assert_accessible(page, "plan-form")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("Plan saved.")).to_be_visible()

    _go(page, world, "surgery")
    # The anaesthetist agrees the plan before the operation is recorded (the operation's gate).
    agree_anaesthesia(actor=world.users["anaesthetist"], plan=world.episode.plans.get())
    page.goto(f"{live_server.url}/patients/{world.patient.uuid}/")
    page.get_by_role("link", name="Record an operation").click()
    page.get_by_role("button", name="Start the operative record").click()
    expect(page.get_by_role("heading", name="Single-stage implantation")).to_be_visible()
    expect(page.locator(".missing")).to_contain_text("Scan or enter the implant placed.")

    page.get_by_label("Anaesthesia given").select_option("general_epidural")
    page.get_by_label("Reamed diameter (mm)").fill("16")
    page.get_by_label("Fixation").select_option("press_fit")
    page.get_by_label("Stoma created").select_option("true")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()

    page.get_by_label("Part").select_option("implant")
    page.get_by_label("Scan the label").fill(
        f"(01){IMPLANT_GTIN}(17){FUTURE_EXPIRY_GS1}(10)IMP-77(21)SER-1"
    )
    page.get_by_role("button", name="Record the device").click()
    expect(page.get_by_text("Device recorded.")).to_be_visible()
    page.get_by_label("Part").select_option("dualcone")
    page.get_by_label("Scan the label").fill("(01)09506000134353(10)DC-1")
    page.get_by_role("button", name="Record the device").click()
    expect(page.locator("#id_code_error")).to_contain_text("check digit")
    page.get_by_label("Scan the label").fill(f"(01)04012345000009(17){FUTURE_EXPIRY_GS1}(10)DC-1")
    page.get_by_role("button", name="Record the device").click()
    expect(page.get_by_text("Device recorded.")).to_be_visible()
    assert_accessible(page, "operative-record")
    page.get_by_role("button", name="Sign the operative record").click()
    expect(page.get_by_text("Operative record signed.")).to_be_visible()
    procedure = Procedure.objects.get()
    assert procedure.status == "signed"
    assert sorted(Device.objects.values_list("kind", "lot")) == [
        ("dualcone", "DC-1"),
        ("implant", "IMP-77"),
    ]

    page.goto(f"{live_server.url}/devices/recall/?lot=IMP-77")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("QUARRELL, Ada")
    assert_accessible(page, "recall")

    page.goto(f"{live_server.url}/episodes/{world.episode.uuid}/guide/")
    expect(page.get_by_role("heading", name="Your osseointegration surgery")).to_be_visible()
    expect(page.locator(".guide")).to_contain_text("single-stage")
    expect(page.locator(".guide")).to_contain_text("your thigh bone (femur)")
    expect(page.locator(".guide")).to_contain_text("epidural")
    assert_accessible(page, "guide")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    pdf = SHOTS / "guide.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Your osseointegration surgery" in text
    assert "single-stage" in text
    assert "epidural" in text


def test_a_staged_hand_plan_shows_the_stage_window(world, live_server, page):
    from osseo.pathway.actions import open_episode
    from osseo.patients.actions import add_limb

    hand = add_limb(
        actor=world.users["coordinator"],
        patient=world.patient,
        data={
            "site": "hand",
            "side": "right",
            "amputation_date": dt.date(2019, 6, 1),
            "cause": "trauma",
        },
    )
    episode = open_episode(actor=world.users["coordinator"], limb=hand)
    advance(world.users, episode, "assessment", "planning")
    sign_in(page, live_server, "surgeon", PASSWORD)
    page.goto(f"{live_server.url}/episodes/{episode.uuid}/plan/")
    expect(page.get_by_text("Staged procedure", exact=True)).to_be_visible()
    expect(page.get_by_text("4 to 6 months", exact=True)).to_be_visible()
    page.get_by_label("Anaesthesia").select_option("general_brachial_plexus")
    page.get_by_label("Planned date (stage 1 or single stage)").fill("2027-01-10")
    page.get_by_label("Planned date of stage 2 (staged plans)").fill("2027-02-01")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.locator("#id_stage_2_reason_error")).to_be_visible()
    page.get_by_label("Reason if stage 2 falls outside the window").fill(
        "Radboud-style early stage 2 agreed at MDT."
    )
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("Plan saved.")).to_be_visible()
    assert episode.plans.get().stages.get().outside_window_reason.startswith("Radboud")
    Path(SHOTS).mkdir(parents=True, exist_ok=True)


def test_a_saved_draft_shows_its_answers_again(world, live_server, page):
    from osseo.surgery.actions import save_operative_record, start_procedure

    advance(world.users, world.episode, "assessment", "planning", "surgery")
    procedure = start_procedure(
        actor=world.users["surgeon"],
        episode=world.episode,
        kind="single_stage",
        performed_on=dt.date(2026, 11, 1),
    )
    save_operative_record(
        actor=world.users["surgeon"],
        procedure=procedure,
        data={
            "closure": {"stoma_created": True, "staples": False},
            "bone_preparation": {"reamed_diameter_mm": 15.5},
        },
    )
    sign_in(page, live_server, "surgeon", PASSWORD)
    page.goto(f"{live_server.url}/procedures/{procedure.uuid}/")
    expect(page.get_by_label("Stoma created")).to_have_value("true")
    expect(page.get_by_label("Staples")).to_have_value("false")
    expect(page.get_by_label("Sutures")).to_have_value("unknown")
    expect(page.get_by_label("Reamed diameter (mm)")).to_have_value("15.5")
