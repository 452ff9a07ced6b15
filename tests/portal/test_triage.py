"""Triage through the screens: new → contacted → converted, or closed with a reason; audited."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from osseo.audit.models import AuditEntry
from osseo.audit.services import verify_chain
from osseo.errors import Conflict, Missing
from osseo.pathway.models import Episode
from osseo.patients.models import Patient
from osseo.portal import actions
from osseo.portal.models import Enquiry
from tests.conftest import client_for
from tests.portal.conftest import make_enquiry

CONVERT = {
    "given_name": "Tomos",
    "family_name": "Penhallow",
    "birth_date": "1979-08-14",
    "sex": "male",
    "nhs_number": "",
    "record_number": "",
    "email": "tomos@example.org",
    "phone": "",
    "site": "femur",
    "side": "left",
    "amputation_date": "2012-06-01",
    "cause": "trauma",
}


def test_the_queue_lists_the_clinics_enquiries_by_status(world, enquiry, other_enquiry):
    client = client_for(world.users["coordinator"])
    html = client.get("/enquiries/").content.decode()
    assert "Tomos Penhallow" in html
    assert "Gwen Other" not in html
    assert "not validated" in html
    assert "New (1)" in html
    assert "Tomos" not in client.get("/enquiries/?status=closed").content.decode()


def test_a_coordinator_notes_contacts_and_closes_with_a_reason(world, enquiry):
    client = client_for(world.users["coordinator"])
    url = f"/enquiries/{enquiry.uuid}/"
    page = client.get(url).content.decode()
    assert "Socket rubs; sores in summer." in page
    assert client.post(f"{url}notes/", {"text": "Rang, no answer."}).status_code == 302
    assert client.post(f"{url}status/", {"status": "contacted"}).status_code == 302
    no_reason = client.post(f"{url}status/", {"status": "closed", "reason": ""})
    assert no_reason.status_code == 422
    assert "Say why the enquiry is closed." in no_reason.content.decode()
    client.post(f"{url}status/", {"status": "closed", "reason": "Not a candidate: no amputation."})
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.close_reason) == ("closed", "Not a candidate: no amputation.")
    assert "Rang, no answer." in client.get(url).content.decode()
    steps = list(
        AuditEntry.objects.filter(object_id=str(enquiry.uuid))
        .exclude(action="portal.enquiry.viewed")
        .order_by("seq")
        .values_list("action", "changes")
    )
    assert [a for a, _ in steps] == [
        "portal.enquiry.received",
        "portal.enquiry.note_added",
        "portal.enquiry.status_changed",
        "portal.enquiry.status_changed",
    ]
    assert steps[3][1] == {"status": ["contacted", "closed"], "reason_given": True}
    # Nothing the enquirer or the coordinator wrote is copied into the (never deleted) audit log.
    for _, changes in steps:
        assert "Tomos" not in str(changes) and "Rang" not in str(changes)
    assert verify_chain().ok


def test_closed_and_converted_are_final(world, enquiry):
    coordinator = world.users["coordinator"]
    actions.set_status(actor=coordinator, enquiry=enquiry, status="closed", reason="Duplicate.")
    with pytest.raises(Conflict) as err:
        actions.set_status(actor=coordinator, enquiry=enquiry, status="contacted")
    assert str(err.value) == "An enquiry cannot move from closed to contacted; closed is final."
    assert err.value.missing == [
        Missing(
            "enquiry_open", "An open enquiry (new or contacted): closed and converted are final"
        )
    ]
    # Asking for a move set_status never makes is invalid input, whatever the status.
    with pytest.raises(ValidationError):
        actions.set_status(actor=coordinator, enquiry=enquiry, status="converted")
    with pytest.raises(ValidationError):
        actions.set_status(actor=coordinator, enquiry=enquiry, status="archived")


def test_contacting_an_enquiry_twice_is_a_conflict_saying_it_is_no_longer_new(world, enquiry):
    coordinator = world.users["coordinator"]
    actions.set_status(actor=coordinator, enquiry=enquiry, status="contacted")
    stale = Enquiry.objects.get(pk=enquiry.pk)
    with pytest.raises(Conflict) as err:
        actions.set_status(actor=coordinator, enquiry=stale, status="contacted")
    assert str(err.value) == "The enquiry is already contacted."
    assert err.value.missing == [Missing("enquiry_new", "A new enquiry, not yet contacted")]


def test_a_status_page_opened_before_a_colleague_closed_the_enquiry_answers_409(world, enquiry):
    """The page offered "contacted"; by the time it is sent a colleague has closed the enquiry."""
    client = client_for(world.users["coordinator"])
    url = f"/enquiries/{enquiry.uuid}/"
    assert 'value="contacted"' in client.get(url).content.decode()
    actions.set_status(
        actor=world.users["clinic_admin"], enquiry=enquiry, status="closed", reason="Moved away."
    )
    response = client.post(f"{url}status/", {"status": "contacted"})
    assert response.status_code == 409
    assert (
        "An enquiry cannot move from closed to contacted; closed is final."
        in response.content.decode()
    )
    assert Enquiry.objects.get(pk=enquiry.pk).status == "closed"


def test_a_surgeon_cannot_triage(world, enquiry):
    with pytest.raises(PermissionDenied):
        actions.add_note(actor=world.users["surgeon"], enquiry=enquiry, text="x")


def test_converting_creates_the_patient_limb_and_a_referral_episode(world, enquiry):
    client = client_for(world.users["coordinator"])
    form = client.get(f"/enquiries/{enquiry.uuid}/convert/").content.decode()
    assert 'value="Tomos"' in form and 'value="Penhallow"' in form
    response = client.post(f"/enquiries/{enquiry.uuid}/convert/", CONVERT)
    patient = Patient.objects.get(family_name="Penhallow")
    assert response.status_code == 302
    assert response["Location"] == f"/patients/{patient.uuid}/"
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.patient, enquiry.converted_by) == (
        "converted",
        patient,
        world.users["coordinator"],
    )
    episode = Episode.objects.get(patient=patient)
    assert (episode.phase, episode.limb.site, episode.limb.side) == ("referral", "femur", "left")
    assert episode.limb.amputation_date == dt.date(2012, 6, 1)
    assert enquiry.episode == episode
    converted = AuditEntry.objects.get(action="portal.enquiry.converted")
    assert converted.patient == patient
    assert converted.changes["episode"] == [None, str(episode.uuid)]
    page = client.get(f"/enquiries/{enquiry.uuid}/").content.decode()
    assert f'href="/patients/{patient.uuid}/"' in page
    assert "Convert into a referral" not in page


def test_a_bad_conversion_saves_nothing(world, enquiry):
    client = client_for(world.users["coordinator"])
    bad = {**CONVERT, "nhs_number": "9434765918", "amputation_date": ""}
    response = client.post(f"/enquiries/{enquiry.uuid}/convert/", bad)
    assert response.status_code == 422
    html = response.content.decode()
    assert "check digit" in html
    assert not Patient.objects.filter(family_name="Penhallow").exists()
    enquiry.refresh_from_db()
    assert enquiry.status == "new"


def test_an_amputation_date_is_needed_for_a_limb(world, enquiry):
    client = client_for(world.users["coordinator"])
    response = client.post(
        f"/enquiries/{enquiry.uuid}/convert/", {**CONVERT, "amputation_date": ""}
    )
    assert response.status_code == 422
    assert "Enter the amputation date" in response.content.decode()
    assert not Patient.objects.filter(family_name="Penhallow").exists()


def test_a_possible_duplicate_is_offered_and_can_be_linked(world):
    enquiry = make_enquiry(world.clinic, name="Ada Quarrell", site="tibia", side="right")
    client = client_for(world.users["coordinator"])
    url = f"/enquiries/{enquiry.uuid}/convert/"
    data = {
        **CONVERT,
        "given_name": "Ada",
        "family_name": "Quarrell",
        "birth_date": "1980-05-17",
        "sex": "female",
        "site": "tibia",
        "side": "right",
    }
    first = client.post(url, data)
    assert first.status_code == 422
    assert "Is this a patient already on record?" in first.content.decode()
    assert "Link to Ada Quarrell, born 17 May 1980, NHS 943 476 5919" in first.content.decode()
    linked = client.post(url, {**data, "link_to": str(world.patient.uuid)})
    assert linked.status_code == 302
    assert Patient.objects.filter(family_name="Quarrell").count() == 1
    # A new limb (right tibia) with its own referral episode, on the existing patient.
    enquiry.refresh_from_db()
    assert enquiry.patient == world.patient
    assert (enquiry.episode.limb.site, enquiry.episode.phase) == ("tibia", "referral")


def test_a_same_named_different_person_can_be_created_on_confirmation(world):
    enquiry = make_enquiry(world.clinic, name="Ada Quarrell")
    client = client_for(world.users["coordinator"])
    data = {**CONVERT, "given_name": "Ada", "family_name": "Quarrell", "birth_date": "1980-05-17"}
    client.post(f"/enquiries/{enquiry.uuid}/convert/", {**data, "link_to": "new"})
    assert Patient.objects.filter(family_name="Quarrell").count() == 2


def test_the_nhs_number_alone_flags_a_duplicate(world):
    enquiry = make_enquiry(world.clinic)
    with pytest.raises(ValidationError) as err:
        actions.convert_enquiry(
            actor=world.users["coordinator"],
            enquiry=enquiry,
            patient_data={
                **{k: CONVERT[k] for k in ("given_name", "family_name", "sex")},
                "birth_date": dt.date(1979, 8, 14),
                "nhs_number": "943 476 5919",
            },
            limb_data={"site": "femur", "side": "left", "cause": "trauma"},
        )
    assert str(world.patient.uuid) in err.value.message_dict["patient"][0]
    assert Enquiry.objects.get(pk=enquiry.pk).status == "new"


def test_a_closed_enquiry_cannot_be_converted(world, enquiry):
    coordinator = world.users["coordinator"]
    actions.set_status(actor=coordinator, enquiry=enquiry, status="closed", reason="Moved abroad.")
    response = client_for(coordinator).get(f"/enquiries/{enquiry.uuid}/convert/")
    assert response.status_code == 302
    assert Enquiry.objects.get(pk=enquiry.pk).patient is None


def test_converting_an_enquiry_twice_makes_one_patient_and_the_second_is_a_409(world, enquiry):
    client = client_for(world.users["coordinator"])
    url = f"/enquiries/{enquiry.uuid}/convert/"
    assert client.post(url, CONVERT).status_code == 302
    again = client.post(url, CONVERT)  # the form sent a second time (a double click)
    assert again.status_code == 409
    assert "This enquiry is converted already." in again.content.decode()
    assert Patient.objects.filter(family_name="Penhallow").count() == 1
    assert AuditEntry.objects.filter(action="portal.enquiry.converted").count() == 1


def test_the_queue_pages_keep_the_status_chosen(world):
    for _ in range(26):
        make_enquiry(world.clinic)
    client = client_for(world.users["coordinator"])
    page = client.get("/enquiries/?status=new").content.decode()
    assert 'href="?status=new&amp;page=2"' in page
    page = client.get("/enquiries/").content.decode()
    assert 'href="?page=2"' in page
