"""An organisation's contact details: validated, kept by its clinic administrator, audited, and
printed where patients and partners read them (the guide, on screen and as a PDF)."""

import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from osseo.accounts.contact import clean_contact, clean_telephone, telephone_uri
from osseo.accounts.models import Organisation
from osseo.accounts.organisation_actions import update_organisation_contact
from osseo.audit.models import AuditEntry
from osseo.errors import StaleVersion
from tests.conftest import client_for, opened_form_data


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("020 7946 0000", "020 7946 0000"),
        ("02079460000", "020 7946 0000"),
        ("+44 20 7946 0000", "020 7946 0000"),
        ("(0113) 496 0000", "0113 496 0000"),
        ("0161 496 0123", "0161 496 0123"),
        ("+33 1 23 45 67 89", "+33 1 23 45 67 89"),
        ("+1 202-555-0143", "+1 202-555-0143"),
        ("", ""),
    ],
)
def test_a_telephone_number_is_kept_as_people_read_it(typed, kept):
    assert clean_telephone(typed, field="telephone") == kept


@pytest.mark.parametrize(
    "typed", ["12345", "call reception", "020 7946 00001", "+999 123", "0" * 41]
)
def test_a_number_that_is_not_a_telephone_number_is_refused_by_field(typed):
    with pytest.raises(ValidationError) as caught:
        clean_telephone(typed, field="out_of_hours")
    assert list(caught.value.message_dict) == ["out_of_hours"]
    assert "UK telephone number" in caught.value.message_dict["out_of_hours"][0]


def test_every_problem_is_named_at_once():
    with pytest.raises(ValidationError) as caught:
        clean_contact({"telephone": "abc", "email": "not-an-address", "out_of_hours": "1"})
    assert sorted(caught.value.message_dict) == ["email", "out_of_hours", "telephone"]
    assert caught.value.message_dict["email"] == ["Enter an e-mail address."]


def test_a_tel_link_dials_the_number_from_anywhere():
    assert telephone_uri("020 7946 0000") == "tel:+442079460000"
    assert telephone_uri("+33 1 23 45 67 89") == "tel:+33123456789"
    assert telephone_uri("") == ""


def test_the_clinic_admin_changes_the_details_audited_field_by_field(world):
    admin = world.users["clinic_admin"]
    update_organisation_contact(
        actor=admin,
        organisation=world.clinic,
        data={"telephone": "+44 20 7946 0000", "address": "  1 Bone Street \n\n London  "},
    )
    clinic = Organisation.objects.get(pk=world.clinic.pk)
    assert (clinic.telephone, clinic.address, clinic.email) == (
        "020 7946 0000",
        "1 Bone Street\nLondon",
        "",
    )
    entry = AuditEntry.objects.get(action="accounts.organisation.contact_changed")
    assert entry.changes == {
        "telephone": ["", "020 7946 0000"],
        "address": ["", "1 Bone Street\nLondon"],
    }
    assert entry.actor == admin


@pytest.mark.parametrize("persona", ["surgeon", "coordinator", "rehab_specialist", "patient"])
def test_no_one_else_changes_them(world, persona):
    with pytest.raises(PermissionDenied):
        update_organisation_contact(
            actor=world.users[persona], organisation=world.clinic, data={"email": "x@example.org"}
        )
    assert Organisation.objects.get(pk=world.clinic.pk).email == ""
    assert not AuditEntry.objects.filter(action="accounts.organisation.contact_changed").exists()


def test_an_administrator_keeps_only_their_own_organisations_details(world):
    from tests.conftest import make_user

    other_admin = make_user("other-admin", "clinic_admin", world.other_clinic)
    with pytest.raises(PermissionDenied):
        update_organisation_contact(
            actor=other_admin, organisation=world.clinic, data={"email": "x@example.org"}
        )
    assert Organisation.objects.get(pk=world.clinic.pk).email == ""


def test_a_change_decided_on_a_stale_version_is_refused(world):
    admin = world.users["clinic_admin"]
    opened = world.clinic.version
    update_organisation_contact(
        actor=admin, organisation=world.clinic, data={"email": "a@example.org"}
    )
    with pytest.raises(StaleVersion):
        update_organisation_contact(
            actor=admin,
            organisation=world.clinic,
            data={"email": "b@example.org"},
            if_match=str(opened),
        )
    assert Organisation.objects.get(pk=world.clinic.pk).email == "a@example.org"


def test_the_screen_shows_field_errors_and_saves(world):
    client = client_for(world.users["clinic_admin"])
    page = client.get("/accounts/organisation/")
    assert page.status_code == 200
    form = page.context["form"]
    bad = client.post(
        "/accounts/organisation/",
        {**opened_form_data(form), "telephone": "not a number", "email": "reception@example.org"},
    )
    assert bad.status_code == 422
    assert "UK telephone number" in bad.content.decode()
    assert Organisation.objects.get(pk=world.clinic.pk).email == ""
    good = client.post(
        "/accounts/organisation/",
        {
            **opened_form_data(form),
            "telephone": "0113 496 0000",
            "out_of_hours": "0161 496 0123",
            "email": "reception@example.org",
        },
    )
    assert good.status_code == 302
    clinic = Organisation.objects.get(pk=world.clinic.pk)
    assert (clinic.telephone, clinic.out_of_hours, clinic.email) == (
        "0113 496 0000",
        "0161 496 0123",
        "reception@example.org",
    )


@pytest.mark.parametrize("persona", ["surgeon", "coordinator", "patient"])
def test_the_screen_is_the_clinic_admins(world, persona):
    assert client_for(world.users[persona]).get("/accounts/organisation/").status_code == 403


def test_the_patient_guide_gives_the_clinics_contact_details_on_screen_and_in_the_pdf(world):
    update_organisation_contact(
        actor=world.users["clinic_admin"],
        organisation=world.clinic,
        data={
            "telephone": "0113 496 0000",
            "out_of_hours": "0161 496 0123",
            "email": "reception@example.org",
            "address": "1 Bone Street\nLeeds",
        },
    )
    client = client_for(world.users["coordinator"])
    html = client.get(f"/episodes/{world.episode.uuid}/guide/").content.decode()
    assert '<a href="tel:+441134960000">0113 496 0000</a>' in html
    assert '<a href="tel:+441614960123">0161 496 0123</a>' in html
    assert "mailto:reception@example.org" in html
    assert "1 Bone Street<br>Leeds" in html
    pdf = client.get(f"/episodes/{world.episode.uuid}/guide/?format=pdf").content
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    for line in ("0113 496 0000", "0161 496 0123", "reception@example.org", "1 Bone Street"):
        assert line in text


def test_a_guide_without_contact_details_shows_none(world):
    html = (
        client_for(world.users["coordinator"])
        .get(f"/episodes/{world.episode.uuid}/guide/")
        .content.decode()
    )
    assert "Out of hours" not in html and "tel:" not in html


def test_a_partners_administrator_keeps_the_partners_details(world):
    from osseo.accounts.actions import enrol_totp_for
    from tests.conftest import make_user

    partner_admin = make_user("rehab-admin", "clinic_admin", world.rehab)
    enrol_totp_for(user=partner_admin)  # clinic administrators sign in with a second factor
    update_organisation_contact(
        actor=partner_admin, organisation=world.rehab, data={"telephone": "0161 496 0000"}
    )
    assert Organisation.objects.get(pk=world.rehab.pk).telephone == "0161 496 0000"
    page = client_for(partner_admin).get("/accounts/organisation/")
    assert page.status_code == 200
    assert "Rehabilitation partners you refer patients to" not in page.content.decode()
