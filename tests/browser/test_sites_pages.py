"""In Chromium: a craniofacial and a hand patient's guide and rehabilitation page follow their
site's profile (issue 16): no socket, limb or dualcone for the head; regional anaesthesia with
sedation described as such; no lower-limb programme or walking test offered for the hand."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from osseo.demo import surgery as demo_surgery
from osseo.pathway.actions import open_episode
from osseo.rehab.actions import refer_patient
from osseo.surgery import actions as surgery
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD, make_patient
from tests.gates import advance
from tests.sites.conftest import add_site, operate_episode

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_protocols(transactional_db):
    from osseo.rehab.reference import ensure_reference_protocols

    ensure_reference_protocols()


def _planned(world, site, name, anaesthesia=None):
    patient = make_patient(world.users["coordinator"], given_name=name, family_name="Site")
    limb = add_site(world, patient, site)
    episode = open_episode(actor=world.users["coordinator"], limb=limb)
    surgeon = world.users["surgeon"]
    advance(world.users, episode, "assessment", "planning")
    demo_surgery.plan(world.users, episode, staged=False)
    if anaesthesia:
        plan = episode.plans.get()
        surgery.update_plan(actor=surgeon, plan=plan, data={"anaesthesia": anaesthesia})
    return patient, episode


def test_a_craniofacial_and_a_hand_patients_guide_and_rehab_page(world, live_server, page):
    demo_surgery.seed_catalogue(world.users["clinic_admin"])
    _, head = _planned(world, "craniofacial", "Cara")
    hand_patient, hand = _planned(world, "hand", "Hana", anaesthesia="regional_iv_sedation")
    operate_episode(world, hand, dt.date.today() - dt.timedelta(days=30))
    refer_patient(actor=world.users["coordinator"], patient=hand_patient, organisation=world.rehab)

    sign_in(page, live_server, "surgeon", PASSWORD)
    page.goto(f"{live_server.url}/episodes/{head.uuid}/guide/")
    guide = page.locator(".guide")
    expect(guide).to_contain_text("epithesis (facial prosthesis)")
    expect(guide).to_contain_text("clinic's own wording, not validated")
    expect(guide).to_contain_text("Stage 2.")
    for word in ("socket", "residual limb", "dualcone"):
        expect(guide).not_to_contain_text(word)
    assert_accessible(page, "guide-craniofacial")

    page.goto(f"{live_server.url}/episodes/{hand.uuid}/guide/")
    guide = page.locator(".guide")
    expect(guide).to_contain_text("the bones of your hand")
    expect(guide).to_contain_text("numbed with a regional anaesthetic")
    expect(guide).not_to_contain_text("You will be asleep")
    assert_accessible(page, "guide-hand")

    page.context.clear_cookies()
    sign_in(page, live_server, "rehab", PASSWORD)
    page.goto(f"{live_server.url}/patients/{hand_patient.uuid}/rehab/")
    expect(page.get_by_text("No loading protocol names this patient's site")).to_be_visible()
    kinds = page.get_by_label("Test").locator("option").all_inner_texts()
    assert kinds == ["Daily prosthesis wear"]
    assert_accessible(page, "rehab-hand")


def test_a_hand_patients_plan_in_wear_hours_is_made_logged_and_charted(world, live_server, page):
    """The partner's own hand programme prescribes daily wear time: the plan asks no body
    weight, the log asks hours worn (no walking aid), and the flag and chart speak of wear."""
    from osseo.demo.rehab import HAND_WEAR
    from osseo.rehab.actions import create_protocol

    demo_surgery.seed_catalogue(world.users["clinic_admin"])
    patient, hand = _planned(world, "hand", "Hedda")
    operate_episode(world, hand, dt.date.today() - dt.timedelta(days=30))
    refer_patient(actor=world.users["coordinator"], patient=patient, organisation=world.rehab)
    create_protocol(actor=world.users["rehab_specialist"], data=HAND_WEAR)

    sign_in(page, live_server, "rehab", PASSWORD)
    page.goto(f"{live_server.url}/patients/{patient.uuid}/rehab/")
    page.get_by_label("Loading protocol").select_option(
        label=f"{HAND_WEAR['name']} (Hand (digit or metacarpal))"
    )
    start = dt.date.today() - dt.timedelta(days=5)
    page.get_by_label("Start date (day 1)").fill(start.isoformat())
    page.get_by_role("button", name="Make the plan").click()
    expect(page.get_by_role("heading", name="Today's prescription")).to_be_visible()
    expect(page.locator(".prescription")).to_contain_text("hours a day")
    expect(page.get_by_label("Walking aid")).to_have_count(0)
    expect(page.get_by_label("Load applied (kg)")).to_have_count(0)
    page.get_by_label("Date").fill((start + dt.timedelta(days=3)).isoformat())
    page.get_by_label("Prosthesis worn (hours)").fill("7")
    page.get_by_label("Pain (NRS 0-10)").fill("2")
    page.get_by_role("button", name="Log the day").click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text(
        "Worn longer than prescribed"
    )
    expect(page.locator("svg title").first).to_contain_text("Wear time and pain")
    expect(page.get_by_role("columnheader", name="Prescribed (h)")).to_be_visible()
    assert_accessible(page, "rehab-plan-hand-wear-hours")
