"""A clinic lists the rehabilitation partners it works with, and referrals go only to those:
the refusal matrix over the action, the API and the form."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from osseo.accounts.actions import create_organisation
from osseo.accounts.models import Partnership
from osseo.accounts.organisation_actions import add_partner, add_partnership, end_partnership
from osseo.audit.models import AuditEntry
from osseo.errors import Conflict
from osseo.patients.models import CareTeam, Referral
from osseo.rehab.actions import refer_patient
from tests.conftest import api_client, client_for


@pytest.fixture
def stranger(world):
    """A rehabilitation partner in the installation that the clinic does not work with."""
    return create_organisation(name="Stranger Rehab", slug="stranger", kind="rehab_partner")


def _refer_api(world, organisation):
    return api_client(world.users["coordinator"]).post(
        f"/api/v1/patients/{world.patient.uuid}/referrals",
        json.dumps({"organisation": str(organisation.uuid)}),
        content_type="application/json",
    )


NOT_A_PARTNER = (
    "Stranger Rehab is not one of Test Clinic's rehabilitation partners. Refer to a listed "
    "partner; a clinic administrator adds partners on the partners screen."
)


def test_the_action_refuses_a_partner_the_clinic_does_not_work_with(operated, stranger):
    with pytest.raises(ValidationError) as caught:
        refer_patient(
            actor=operated.users["coordinator"], patient=operated.patient, organisation=stranger
        )
    assert caught.value.message_dict == {"organisation": [NOT_A_PARTNER]}
    assert not Referral.objects.exists()
    assert not CareTeam.objects.filter(organisation=stranger).exists()


def test_the_api_answers_422_naming_the_field(operated, stranger):
    response = _refer_api(operated, stranger)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "organisation", "message": NOT_A_PARTNER}]
    assert not Referral.objects.exists()


def test_the_form_offers_only_the_clinics_partners_and_refuses_another(operated, stranger):
    client = client_for(operated.users["coordinator"])
    page = client.get(f"/patients/{operated.patient.uuid}/rehab/")
    offered = [label for _, label in page.context["referral_form"].fields["organisation"].choices]
    assert offered == ["Test Rehab"]
    posted = client.post(
        f"/patients/{operated.patient.uuid}/rehab/",
        {"refer": "1", "organisation": str(stranger.uuid), "protocol": "", "note": ""},
    )
    assert posted.status_code == 422
    assert posted.context["referral_form"].errors["organisation"] == [
        "Choose one of your clinic's rehabilitation partners; a clinic administrator adds "
        "partners on the partners screen."
    ]
    assert not Referral.objects.exists()


def test_a_listed_partner_is_referred_to(operated):
    assert _refer_api(operated, operated.rehab).status_code == 201


def test_after_the_partnership_ends_no_new_referral_but_the_old_ones_stay(operated, stranger):
    world = operated
    assert _refer_api(world, world.rehab).status_code == 201
    partnership = Partnership.objects.get(clinic=world.clinic, partner=world.rehab)
    end_partnership(actor=world.users["clinic_admin"], partnership=partnership)
    assert Referral.objects.get().active  # the partner keeps the patient already referred
    second = make_second_patient_referral(world)
    assert second.status_code == 422
    assert "is not one of Test Clinic's rehabilitation partners" in second.content.decode()


def make_second_patient_referral(world):
    from tests.conftest import make_patient

    other = make_patient(world.users["coordinator"], given_name="Second")
    return api_client(world.users["coordinator"]).post(
        f"/api/v1/patients/{other.uuid}/referrals",
        json.dumps({"organisation": str(world.rehab.uuid)}),
        content_type="application/json",
    )


def test_another_clinics_partner_is_not_this_clinics(operated, stranger):
    add_partnership(clinic=operated.other_clinic, partner=stranger)
    assert _refer_api(operated, stranger).status_code == 422


def test_the_clinic_admin_adds_and_ends_partners_audited(world, stranger):
    admin = world.users["clinic_admin"]
    partnership = add_partner(actor=admin, partner=stranger)
    assert (partnership.clinic, partnership.added_by) == (world.clinic, admin)
    with pytest.raises(Conflict):
        add_partner(actor=admin, partner=stranger)
    end_partnership(actor=admin, partnership=partnership)
    with pytest.raises(Conflict):
        end_partnership(actor=admin, partnership=partnership)
    actions = list(
        AuditEntry.objects.filter(action__startswith="accounts.partnership", actor=admin)
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["accounts.partnership.added", "accounts.partnership.ended"]


def test_only_a_rehabilitation_partner_can_be_one(world):
    with pytest.raises(ValidationError):
        add_partner(actor=world.users["clinic_admin"], partner=world.other_clinic)


@pytest.mark.parametrize(
    "persona", ["surgeon", "coordinator", "rehab_specialist", "patient", "outsider"]
)
def test_no_other_role_manages_partners(world, stranger, persona):
    with pytest.raises(PermissionDenied):
        add_partner(actor=world.users[persona], partner=stranger)
    response = api_client(world.users[persona]).post(
        "/api/v1/partners",
        json.dumps({"partner": str(stranger.uuid)}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert client_for(world.users[persona]).get("/accounts/partners/").status_code == 403
    assert not Partnership.objects.filter(partner=stranger).exists()


def test_another_clinics_admin_cannot_end_this_clinics_partnership(world):
    from tests.conftest import make_user

    other_admin = make_user("other-admin", "clinic_admin", world.other_clinic)
    partnership = Partnership.objects.get(clinic=world.clinic)
    with pytest.raises(PermissionDenied):
        end_partnership(actor=other_admin, partnership=partnership)
    gone = api_client(other_admin).delete(f"/api/v1/partners/{partnership.uuid}")
    assert gone.status_code == 404
    assert Partnership.objects.get(pk=partnership.pk).ended_at is None


def test_the_api_lists_adds_and_ends_partners(world, stranger):
    admin = api_client(world.users["clinic_admin"])
    listed = api_client(world.users["coordinator"]).get("/api/v1/partners").json()
    assert [(p["name"], p["partner"]) for p in listed["items"]] == [
        ("Test Rehab", str(world.rehab.uuid))
    ]
    added = admin.post(
        "/api/v1/partners",
        json.dumps({"partner": str(stranger.uuid)}),
        content_type="application/json",
    )
    assert added.status_code == 201
    again = admin.post(
        "/api/v1/partners",
        json.dumps({"partner": str(stranger.uuid)}),
        content_type="application/json",
    )
    assert again.status_code == 409
    clinic = admin.post(
        "/api/v1/partners",
        json.dumps({"partner": str(world.other_clinic.uuid)}),
        content_type="application/json",
    )
    assert clinic.status_code == 422
    assert admin.delete(f"/api/v1/partners/{added.json()['id']}").status_code == 204
    assert admin.get("/api/v1/partners").json()["count"] == 1
    assert api_client(world.users["rehab_specialist"]).get("/api/v1/partners").status_code == 403
    assert api_client(world.users["patient"]).get("/api/v1/partners").status_code == 403


def test_the_partners_screen_adds_and_stops_a_partner(world, stranger):
    client = client_for(world.users["clinic_admin"])
    page = client.get("/accounts/partners/")
    assert page.status_code == 200
    assert "Test Rehab" in page.content.decode()
    added = client.post("/accounts/partners/", {"add": "1", "partner": str(stranger.uuid)})
    assert added.status_code == 302
    bad = client.post("/accounts/partners/", {"add": "1", "partner": str(world.other_clinic.uuid)})
    assert bad.status_code == 422
    partnership = Partnership.objects.get(partner=stranger, ended_at__isnull=True)
    stopped = client.post("/accounts/partners/", {"end": str(partnership.uuid)})
    assert stopped.status_code == 302
    assert Partnership.objects.get(pk=partnership.pk).ended_at is not None
