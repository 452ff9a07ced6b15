"""The referral letter tells the partner how to reach the referring clinic."""

import subprocess

from osseo.accounts.organisation_actions import update_organisation_contact
from tests.conftest import api_client, client_for
from tests.rehab.conftest import post


def _referral(world):
    response = post(
        api_client(world.users["coordinator"]),
        f"/api/v1/patients/{world.patient.uuid}/referrals",
        {"organisation": str(world.rehab.uuid)},
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_the_letter_gives_the_clinics_contact_details_on_screen_and_in_the_pdf(operated):
    world = operated
    update_organisation_contact(
        actor=world.users["clinic_admin"],
        organisation=world.clinic,
        data={"telephone": "020 7946 0000", "out_of_hours": "+44 161 496 0123"},
    )
    referral = _referral(world)
    partner = client_for(world.users["rehab_specialist"])
    html = partner.get(f"/referrals/{referral}/letter/").content.decode()
    assert '<a href="tel:+442079460000">020 7946 0000</a>' in html
    assert "Out of hours" in html and "0161 496 0123" in html
    pdf = partner.get(f"/referrals/{referral}/letter/?format=pdf").content
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "020 7946 0000" in text and "0161 496 0123" in text


def test_a_letter_from_a_clinic_without_details_says_so(operated):
    referral = _referral(operated)
    html = client_for(operated.users["rehab_specialist"]).get(f"/referrals/{referral}/letter/")
    assert "has not given its telephone, e-mail or address yet" in html.content.decode()


def test_the_patient_guide_names_the_rehabilitation_partner_and_how_to_reach_it(operated):

    world = operated
    world.rehab.telephone = "0161 496 0000"
    world.rehab.save(update_fields=["telephone"])
    guide = f"/episodes/{world.episode.uuid}/guide/"
    before = client_for(world.users["coordinator"]).get(guide).content.decode()
    assert "Your rehabilitation: Test Rehab" not in before
    _referral(world)
    html = client_for(world.users["patient"]).get("/me/guide/").content.decode()
    assert "Your rehabilitation: Test Rehab" in html
    assert '<a href="tel:+441614960000">0161 496 0000</a>' in html
