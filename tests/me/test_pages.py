"""What the patient reads on their own pages, from their record: where they are and what comes
next, their plan, appointments, implant and parts, and the clinic's contact details."""

from __future__ import annotations

import datetime as dt

import pytest

from osseo.accounts.models import Organisation
from osseo.audit.models import AuditEntry
from tests.conftest import client_for
from tests.rehab.conftest import operate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reference_protocols(db):
    from osseo.rehab.reference import ensure_reference_protocols

    ensure_reference_protocols()


def _text(world, url):
    response = client_for(world.users["patient"]).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_home_says_where_the_patient_is_and_what_comes_next_in_words(world):
    html = _text(world, "/me/")
    assert "Your referral has reached the clinic" in html
    assert 'aria-current="step">Referral' in html
    assert "The team will contact you to arrange an assessment." in html
    assert "your left thigh bone (femur)" in html
    for internal in ("referral</", "follow_up", "Palmgren", "cycles", "not validated"):
        assert internal not in html


def test_a_planned_patient_reads_their_plan_in_words(world):
    from tests.gates import advance, make_plan

    advance(world.users, world.episode, "assessment", "planning")
    make_plan(world.users, world.episode, planned_date=dt.date(2027, 3, 4))
    html = _text(world, "/me/plan/")
    assert "one operation" in html
    assert "Thursday 4 March 2027" in html
    assert "combined with an epidural block to numb your legs" in html
    assert "Your anaesthetist has agreed this plan." in html
    assert "general_epidural" not in html and "single_stage" not in html
    home = _text(world, "/me/")
    assert "Your surgery is being planned" in home
    assert "Your operation is planned for" in home and "Thursday 4 March 2027" in home
    assert 'aria-current="step">Planning' in home


def test_an_operated_patient_sees_their_implant_and_parts(world):
    operate(world, dt.date(2026, 1, 5), phase="follow_up")
    html = _text(world, "/me/implant/")
    assert "Bone-anchor implant" in html and "Dualcone adaptor" in html
    assert "In place since" in html and "5 January 2026" in html
    assert "IMP-LOT-7" not in html  # lots and identifiers are the clinic's
    plan = _text(world, "/me/plan/")
    assert "Operations you have had" in plan and "5 January 2026" in plan


def test_contact_gives_the_clinics_numbers_as_links(world):
    clinic = Organisation.objects.get(pk=world.clinic.pk)
    clinic.telephone, clinic.out_of_hours = "0161 496 0123", "0161 496 0999"
    clinic.email, clinic.address = "oi@example.org", "1 Hospital Road\nManchester"
    clinic.save()
    html = _text(world, "/me/contact/")
    assert '<a href="tel:+441614960123">0161 496 0123</a>' in html
    assert '<a href="tel:+441614960999">0161 496 0999</a>' in html
    assert 'href="mailto:oi@example.org"' in html
    assert "1 Hospital Road<br>Manchester" in html


def test_the_patient_changes_their_own_contact_details_only(world):
    client = client_for(world.users["patient"])
    page = client.get("/me/details/").content.decode()
    assert "Who can see your record" in page and "Test Clinic" in page
    response = client.post(
        "/me/details/",
        {"phone": "07700 900456", "email": "ada@example.org", "address": "2 Mill Lane"},
    )
    assert response.status_code == 302
    world.patient.refresh_from_db()
    assert (world.patient.phone, world.patient.email, world.patient.address) == (
        "07700 900456",
        "ada@example.org",
        "2 Mill Lane",
    )
    entry = AuditEntry.objects.filter(action="patients.patient.updated").latest("seq")
    assert entry.actor == world.users["patient"] and entry.patient == world.patient
    bad = client.post("/me/details/", {"email": "not an address"})
    assert bad.status_code == 422
    assert 'id="id_email_error"' in bad.content.decode()
    world.patient.refresh_from_db()
    assert world.patient.email == "ada@example.org"


def test_the_care_team_and_the_access_history_are_in_words(world):
    client_for(world.users["surgeon"]).get(f"/patients/{world.patient.uuid}/")
    html = _text(world, "/me/details/")
    assert "surgeon, Test Clinic) looked at your record." in html
    assert "You looked at your record." in html
    assert "patients.patient.viewed" not in html
    # Staff of the clinic caring for them; not the other clinic's.
    assert "outsider" not in html


def test_head_and_neck_sites_never_read_the_limb_guides_words():
    from osseo.me.words import parts_care, phase_words
    from osseo.sites import PROFILES

    for site in PROFILES:
        for phase in ("rehabilitation", "follow_up"):
            text = phase_words(phase, site).now + parts_care(site)
            if site == "craniofacial":
                assert "epithesis" in text and "daily activity" not in text, (site, phase)
                assert "rehabilitation team" not in text, (site, phase)
            else:
                assert "prosthesis" in text and "epithesis" not in text, (site, phase)


def test_appointments_show_the_patients_own_bookings_only(world):
    from django.utils import timezone

    from osseo.scheduling import actions as scheduling

    def book(patient, place, actor):
        return scheduling.book_appointment(
            actor=world.users[actor],
            patient=patient,
            data={
                "kind": "connector_service",
                "starts_at": timezone.now() + dt.timedelta(days=3),
                "minutes": 45,
                "place": place,
                "clinician": world.users["surgeon" if actor == "coordinator" else actor],
            },
        )

    book(world.patient, "Prosthetics workshop", "coordinator")
    book(world.other_patient, "Somewhere else entirely", "outsider")
    html = _text(world, "/me/appointments/")
    assert "Service of the parts that connect your implant to your prosthesis" in html
    assert "Where: Prosthetics workshop" in html and "Connector service" not in html
    assert "about 45 minutes" in html
    assert "Somewhere else entirely" not in html
    assert "connector_service" not in html
    home = _text(world, "/me/")
    assert (
        "Service of the parts that connect your implant to your prosthesis at Prosthetics "
        "workshop" in home
    )
