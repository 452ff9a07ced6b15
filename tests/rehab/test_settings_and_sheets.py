"""The clinic's rehab settings and information sheets: size and content checks, who may upload."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from osseo.accounts.clinic_settings import resolve
from osseo.rehab.actions import set_rehab_setting, upload_information_sheet
from osseo.rehab.models import InformationSheet
from tests.conftest import client_for


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def test_a_pdf_is_stored_through_the_storage_api_and_other_files_are_refused(world):
    admin = world.users["clinic_admin"]
    sheet = upload_information_sheet(
        actor=admin, title="Stoma care", upload=SimpleUploadedFile("a.pdf", b"%PDF-1.7 demo")
    )
    assert sheet.file.name == f"information-sheets/{sheet.uuid}.pdf"
    with pytest.raises(ValidationError) as fake:
        upload_information_sheet(
            actor=admin, title="Not a PDF", upload=SimpleUploadedFile("b.pdf", b"<html>")
        )
    assert "not a PDF" in str(fake.value)
    with pytest.raises(ValidationError):
        upload_information_sheet(
            actor=admin,
            title="Huge",
            upload=SimpleUploadedFile("c.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024)),
        )
    with pytest.raises(PermissionDenied):
        upload_information_sheet(
            actor=world.users["rehab_specialist"],
            title="Partner",
            upload=SimpleUploadedFile("d.pdf", b"%PDF-1.7"),
        )
    assert InformationSheet.objects.count() == 1


def test_the_partner_reads_the_referring_clinics_sheets_only_while_referred(operated):
    from osseo.rehab.actions import refer_patient, withdraw_referral

    world = operated
    sheet = upload_information_sheet(
        actor=world.users["clinic_admin"],
        title="Stoma care",
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.7 demo"),
    )
    partner = client_for(world.users["rehab_specialist"])
    assert partner.get(f"/information-sheets/{sheet.uuid}/").status_code == 404
    referral = refer_patient(
        actor=world.users["coordinator"], patient=world.patient, organisation=world.rehab
    )
    response = partner.get(f"/information-sheets/{sheet.uuid}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    withdraw_referral(actor=world.users["coordinator"], referral=referral, reason="Done.")
    assert partner.get(f"/information-sheets/{sheet.uuid}/").status_code == 404


def test_thresholds_are_not_validated_until_a_source_is_named(world):
    admin = world.users["clinic_admin"]
    assert resolve(world.clinic, "rehab_under_loading_percent").label == "not validated"
    with pytest.raises(ValidationError):
        set_rehab_setting(actor=admin, key="rehab_under_loading_percent", value=25, validated=True)
    with pytest.raises(ValidationError):
        set_rehab_setting(actor=admin, key="rehab_under_loading_percent", value=150)
    set_rehab_setting(
        actor=admin, key="rehab_under_loading_percent", value=25, source="MDT 2026", validated=True
    )
    assert resolve(world.clinic, "rehab_under_loading_percent").value == 25


def test_the_stoma_text_is_the_clinics_own(operated):
    from osseo.rehab.actions import refer_patient

    world = operated
    set_rehab_setting(
        actor=world.users["clinic_admin"],
        key="stoma_care_instructions",
        value="Our clinic's own stoma-care text.",
    )
    referral = refer_patient(
        actor=world.users["coordinator"], patient=world.patient, organisation=world.rehab
    )
    page = client_for(world.users["rehab_specialist"]).get(f"/referrals/{referral.uuid}/letter/")
    assert "Our clinic&#x27;s own stoma-care text." in page.content.decode()
    assert "not provided by the clinic yet" not in page.content.decode()


def test_the_settings_page_is_the_clinic_admins(world):
    assert client_for(world.users["clinic_admin"]).get("/rehab/settings/").status_code == 200
    assert client_for(world.users["rehab_specialist"]).get("/rehab/settings/").status_code == 403
