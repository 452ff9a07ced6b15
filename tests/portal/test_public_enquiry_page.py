"""The public enquiry page: no account, clear field errors, a confirmation, two emails."""

from django.test import Client

from osseo.audit.models import AuditEntry
from osseo.portal.models import Enquiry
from tests.portal.conftest import FORM

URL = "/enquire/clinic/"


def test_the_page_needs_no_account_and_states_the_retention_period(world):
    response = Client().get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert "What happens next" in text
    assert "180 days after we receive it" in text
    assert "for 180 days" in text  # in the consent sentence


def test_an_enquiry_is_saved_confirmed_and_both_emails_go(
    world, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.OSSEO_CLINIC_NOTIFY_EMAIL = "referrals@clinic.example"
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(URL, FORM)
    assert response.status_code == 302
    assert response["Location"] == "/enquire/clinic/thanks/"
    enquiry = Enquiry.objects.get()
    assert (enquiry.organisation, enquiry.status, enquiry.source) == (world.clinic, "new", "web")
    assert (enquiry.name, enquiry.amputation_year, enquiry.site, enquiry.side) == (
        "Tomos Penhallow",
        2012,
        "femur",
        "left",
    )
    assert enquiry.retention_days == 180
    assert [m.to for m in mailoutbox] == [["tomos@example.org"], ["referrals@clinic.example"]]
    acknowledgement, notice = mailoutbox
    assert acknowledgement.subject == "Test Clinic: we have received your enquiry"
    assert "180 days" in acknowledgement.body
    # Nothing the enquirer typed is echoed: no health details, and no text of a robot's choosing.
    assert "Socket rubs" not in acknowledgement.body
    assert "Tomos" not in acknowledgement.body
    assert f"/enquiries/{enquiry.uuid}/" in notice.body
    assert "Tomos" not in notice.body and "Socket" not in notice.body
    thanks = Client().get(response["Location"])
    assert "Thank you: we have your enquiry" in thanks.content.decode()


def test_the_audit_entry_of_a_received_enquiry_holds_no_personal_data(world):
    Client().post(URL, FORM)
    entry = AuditEntry.objects.get(action="portal.enquiry.received")
    assert entry.patient is None
    assert entry.changes == {"clinic": "clinic", "source": "web", "site": "femur"}
    assert entry.actor is None and entry.actor_label == "public enquiry (web)"


def test_with_only_a_phone_number_no_acknowledgement_is_emailed(
    world, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.OSSEO_CLINIC_NOTIFY_EMAIL = "referrals@clinic.example"
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(URL, {**FORM, "email": ""})
    assert [m.to for m in mailoutbox] == [["referrals@clinic.example"]]


def _errors(data):
    response = Client().post(URL, data)
    assert response.status_code == 422, response.status_code
    assert not Enquiry.objects.exists()
    return response.content.decode()


def test_it_asks_for_a_way_to_reply(world):
    html = _errors({**FORM, "email": "", "phone": ""})
    assert "Give an email address or a phone number (or both) so we can reply." in html
    assert "There is a problem" in html


def test_an_empty_submission_shows_the_errors(world):
    html = _errors({})
    assert "Enter your name." in html and "Choose the side." in html


def test_it_refuses_without_consent(world):
    assert "We can only reply if you agree to be contacted" in _errors({**FORM, "consent": ""})


def test_it_names_each_bad_field(world):
    html = _errors(
        {
            **FORM,
            "name": "   ",
            "email": "not-an-address",
            "phone": "call me maybe",
            "site": "knee",
            "side": "",
            "amputation_year": "12",
        }
    )
    assert "Enter your name." in html
    assert "Enter an email address like name@example.com." in html
    assert "Enter a phone number of 6 to 15 digits" in html
    assert "Select a valid choice. knee is not one of the available choices." in html
    assert "Enter a year between 1900 and" in html


def test_a_limb_must_have_a_side(world):
    assert "A limb is left or right; choose the side." in _errors(
        {**FORM, "side": "not_applicable"}
    )


def test_a_future_amputation_year_is_refused(world):
    assert "Enter a year between 1900 and" in _errors({**FORM, "amputation_year": "2999"})


def test_every_field_has_a_size_limit(world):
    for field, limit in [
        ("name", 200),
        ("email", 254),
        ("phone", 40),
        ("prosthesis_problems", 2000),
        ("heard_from", 200),
        ("message", 5000),
    ]:
        html = _errors({**FORM, field: "1" * (limit + 1)})
        assert f"at most {limit} characters" in html, field


def test_control_characters_are_refused(world):
    assert "characters that are not allowed" in _errors({**FORM, "message": "hi\x07there"})
    assert "Null characters are not allowed." in _errors({**FORM, "name": "To\x00mos"})


def test_the_honeypot_pretends_success_and_saves_nothing(world, mailoutbox):
    response = Client().post(URL, {**FORM, "website": "http://spam.example"})
    assert response.status_code == 302
    assert response["Location"] == "/enquire/clinic/thanks/"
    assert not Enquiry.objects.exists()
    assert mailoutbox == []
    assert not AuditEntry.objects.filter(action="portal.enquiry.received").exists()


def test_the_enquiry_goes_to_the_clinic_named_in_the_address(world):
    Client().post("/enquire/other/", FORM)
    assert Enquiry.objects.get().organisation == world.other_clinic


def test_an_unknown_clinic_or_a_rehab_partner_is_not_found(world):
    for url in ["/enquire/nowhere/", "/enquire/rehab/", "/enquire/rehab/thanks/"]:
        assert Client().get(url).status_code == 404
    assert Client().post("/enquire/rehab/", FORM).status_code == 404
    assert not Enquiry.objects.exists()


def test_the_landing_page_lets_a_visitor_choose_among_several_clinics(world):
    html = Client().get("/enquire/").content.decode()
    assert 'href="/enquire/clinic/"' in html and 'href="/enquire/other/"' in html
    assert "Test Rehab" not in html


def test_with_one_clinic_the_landing_page_goes_straight_to_its_form(db):
    from osseo.accounts.actions import create_organisation

    create_organisation(name="Only Clinic", slug="only", kind="oi_clinic")
    response = Client().get("/enquire/")
    assert (response.status_code, response["Location"]) == (302, "/enquire/only/")


def test_a_get_of_another_method_is_refused(world):
    assert Client().put(URL).status_code == 405


def test_the_acknowledgement_gives_the_clinics_contact_details(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    from osseo.accounts.organisation_actions import update_organisation_contact

    update_organisation_contact(
        actor=world.users["clinic_admin"],
        organisation=world.clinic,
        data={"telephone": "0113 496 0000", "out_of_hours": "0113 496 0999"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(URL, FORM)
    acknowledgement = mailoutbox[0]
    assert acknowledgement.body.rstrip().endswith(
        "Test Clinic\nTelephone: 0113 496 0000\nOut of hours: 0113 496 0999"
    )
