"""Referral to the partner: access to that patient only, from the referral until its withdrawal."""

import datetime as dt

from osseo.audit.models import AuditEntry
from osseo.patients.models import CareTeam, Referral
from tests.conftest import api_client, make_patient
from tests.rehab.conftest import post


def _refer(world, **extra):
    return post(
        api_client(world.users["coordinator"]),
        f"/api/v1/patients/{world.patient.uuid}/referrals",
        {"organisation": str(world.rehab.uuid), **extra},
    )


def test_a_patient_without_a_signed_operative_record_cannot_be_referred(world):
    response = _refer(world)
    assert response.status_code == 409
    assert response.json()["missing"] == [
        {
            "code": "signed_operative_record",
            "label": "A signed operative record of the patient's osseointegration surgery",
            "source": "patient guide: Post-Surgery Rehabilitation",
        }
    ]
    assert Referral.objects.count() == 0


def test_referral_grants_the_partner_this_patient_only_and_withdrawal_removes_it(operated):
    world = operated
    partner = api_client(world.users["rehab_specialist"])
    make_patient(world.users["coordinator"], given_name="Unreferred")
    assert partner.get(f"/api/v1/patients/{world.patient.uuid}").status_code == 404

    response = _refer(world, note="Please start loading on day 3.")
    assert response.status_code == 201, response.content
    referral = response.json()
    assert (referral["organisation_name"], referral["active"]) == ("Test Rehab", True)

    listed = partner.get("/api/v1/patients").json()
    assert [p["id"] for p in listed["items"]] == [str(world.patient.uuid)]
    assert partner.get(f"/api/v1/patients/{world.patient.uuid}").status_code == 200
    assert partner.get(f"/api/v1/patients/{world.other_patient.uuid}").status_code == 404

    again = _refer(world)
    assert again.status_code == 409
    assert (again.json()["detail"], again.json()["missing"]) == (
        "Test Rehab already has this referral.",
        [],
    )

    no_reason = post(
        api_client(world.users["coordinator"]),
        f"/api/v1/referrals/{referral['id']}/withdrawal",
        {"reason": ""},
    )
    assert no_reason.status_code == 422
    withdrawn = post(
        api_client(world.users["coordinator"]),
        f"/api/v1/referrals/{referral['id']}/withdrawal",
        {"reason": "Moved to another partner."},
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["active"] is False
    assert partner.get("/api/v1/patients").json() == {"items": [], "count": 0}
    assert partner.get(f"/api/v1/patients/{world.patient.uuid}").status_code == 404
    team = CareTeam.objects.get(organisation=world.rehab)
    assert team.until is not None
    actions = list(
        AuditEntry.objects.filter(action__startswith="rehab.referral").values_list(
            "action", flat=True
        )
    )
    assert actions == ["rehab.referral.made", "rehab.referral.withdrawn"]


def test_only_a_partner_organisation_can_receive_a_referral(operated):
    response = post(
        api_client(operated.users["coordinator"]),
        f"/api/v1/patients/{operated.patient.uuid}/referrals",
        {"organisation": str(operated.other_clinic.uuid)},
    )
    assert response.status_code == 422
    assert (
        CareTeam.objects.filter(
            organisation=operated.other_clinic, patient=operated.patient
        ).count()
        == 0
    )


def test_partner_staff_cannot_refer_or_edit_the_patient(operated):
    world = operated
    assert _refer(world).status_code == 201
    partner = api_client(world.users["rehab_specialist"])
    edit = partner.patch(
        f"/api/v1/patients/{world.patient.uuid}",
        '{"record_number": "X"}',
        content_type="application/json",
    )
    assert edit.status_code == 403
    refer = post(
        partner,
        f"/api/v1/patients/{world.patient.uuid}/referrals",
        {"organisation": str(world.rehab.uuid)},
    )
    assert refer.status_code == 403


def test_the_referral_letter_shows_lots_protocol_and_the_missing_stoma_text(operated, client):
    from tests.conftest import client_for

    world = operated
    referral = _refer(world).json()
    page = client_for(world.users["rehab_specialist"]).get(f"/referrals/{referral['id']}/letter/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "IMP-LOT-7" in html and "DC-LOT-3" in html
    assert "not provided by the clinic yet" in html
    pdf = client_for(world.users["coordinator"]).get(
        f"/referrals/{referral['id']}/letter/?format=pdf"
    )
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_an_unrelated_clinic_cannot_see_the_letter(operated):
    from tests.conftest import client_for

    referral = _refer(operated).json()
    page = client_for(operated.users["outsider"]).get(f"/referrals/{referral['id']}/letter/")
    assert page.status_code == 404


def test_the_date_of_referral_is_recorded(operated):
    _refer(operated)
    referral = Referral.objects.get()
    assert referral.referred_at.date() <= dt.date.today() + dt.timedelta(days=1)
