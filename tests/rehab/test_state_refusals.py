"""A move the record's current state forbids is a 409 naming what it is missing, not a 422; a
move made twice (two colleagues at once) is made once, and the second is refused."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from osseo.audit.models import AuditEntry
from osseo.errors import Conflict
from osseo.rehab.actions import (
    create_plan,
    record_follow_up,
    refer_patient,
    retire_information_sheet,
    upload_information_sheet,
    withdraw_referral,
)
from osseo.rehab.models import FollowUp, FunctionTest, InformationSheet, LoadLog, RehabPlan
from tests.conftest import api_client, client_for
from tests.rehab.conftest import operate, post, protocol


def _referral(world):
    return refer_patient(
        actor=world.users["coordinator"], patient=world.patient, organisation=world.rehab
    )


def _withdraw(user, referral):
    return post(
        api_client(user), f"/api/v1/referrals/{referral.uuid}/withdrawal", {"reason": "Moved."}
    )


def test_a_referral_withdrawn_twice_is_withdrawn_once_and_the_second_is_a_409(operated):
    referral = _referral(operated)
    first = _withdraw(operated.users["coordinator"], referral)
    assert first.status_code == 200

    second = _withdraw(operated.users["surgeon"], referral)

    assert second.status_code == 409
    body = second.json()
    assert body["detail"].startswith("This referral was already withdrawn on ")
    assert body["missing"] == [
        {
            "code": "active_referral",
            "label": "An active referral to Test Rehab",
            "source": "patient guide: Post-Surgery Rehabilitation",
        }
    ]
    assert AuditEntry.objects.filter(action="rehab.referral.withdrawn").count() == 1
    referral.refresh_from_db()
    assert referral.withdrawn_by == operated.users["coordinator"]


def test_withdrawing_on_screen_a_referral_already_withdrawn_answers_409_with_the_reason(operated):
    referral = _referral(operated)
    withdraw_referral(actor=operated.users["coordinator"], referral=referral, reason="Moved.")

    page = client_for(operated.users["surgeon"]).post(
        f"/referrals/{referral.uuid}/withdraw/", {"reason": "Also moved."}
    )

    assert page.status_code == 409
    html = page.content.decode()
    assert "This referral was already withdrawn on " in html
    assert "It needs: An active referral to Test Rehab." in html
    assert AuditEntry.objects.filter(action="rehab.referral.withdrawn").count() == 1


@time_machine.travel(dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC))
def test_the_partner_makes_no_plan_once_its_referral_is_withdrawn(world):
    operate(world, dt.date(2026, 1, 5))
    referral = _referral(world)
    partner = world.users["rehab_specialist"]
    withdraw_referral(actor=world.users["coordinator"], referral=referral, reason="Moved.")

    with pytest.raises(Conflict) as refused:
        create_plan(
            actor=partner,
            patient=world.patient,
            protocol=protocol(),
            start_date=dt.date(2026, 1, 12),
            body_weight_kg=80,
        )

    assert [m.as_dict() for m in refused.value.missing] == [
        {
            "code": "active_referral",
            "label": "An active referral of the patient to Test Rehab",
            "source": "patient guide: Post-Surgery Rehabilitation",
        }
    ]
    assert RehabPlan.objects.count() == 0


@time_machine.travel(dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC))
def test_the_partner_logs_no_load_and_records_no_test_once_its_referral_is_withdrawn(world):
    from osseo.rehab.actions import log_load, record_function_test

    operate(world, dt.date(2026, 1, 5))
    referral = _referral(world)
    partner = world.users["rehab_specialist"]
    plan = create_plan(
        actor=partner,
        patient=world.patient,
        protocol=protocol(),
        start_date=dt.date(2026, 1, 12),
        body_weight_kg=80,
    )
    withdraw_referral(actor=world.users["coordinator"], referral=referral, reason="Moved.")

    with pytest.raises(Conflict):
        log_load(
            actor=partner,
            plan=plan,
            data={"date": dt.date(2026, 1, 20), "applied_kg": 40, "pain_nrs": 1},
        )
    with pytest.raises(Conflict):
        record_function_test(
            actor=partner,
            patient=world.patient,
            data={"kind": "six_minute_walk", "performed_on": dt.date(2026, 1, 30), "value": 250},
        )
    assert (LoadLog.objects.count(), FunctionTest.objects.count()) == (0, 0)


def test_a_follow_up_without_a_signed_implantation_is_a_409_naming_it(world):
    response = post(
        api_client(world.users["coordinator"]),
        f"/api/v1/episodes/{world.episode.uuid}/follow-ups",
        {"due_date": "2026-04-05", "done_on": "2026-04-14"},
    )
    assert response.status_code == 409
    assert response.json()["missing"] == [
        {
            "code": "signed_implantation",
            "label": "A signed operative record of the implantation (single-stage or final stage)",
            "source": "docs/sources.md#follow-up-schedule",
        }
    ]
    assert FollowUp.objects.count() == 0


def test_a_follow_up_visit_recorded_twice_is_recorded_once(world):
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)):
        operate(world, dt.date(2026, 1, 5))
    with time_machine.travel(dt.datetime(2026, 4, 15, 9, tzinfo=dt.UTC)):
        record_follow_up(
            actor=world.users["coordinator"],
            episode=world.episode,
            due_date=dt.date(2026, 4, 5),
            done_on=dt.date(2026, 4, 14),
        )
        again = client_for(world.users["surgeon"]).post(
            "/follow-ups/",
            {"episode": str(world.episode.uuid), "due_date": "2026-04-05", "done_on": "2026-04-14"},
        )
    assert again.status_code == 409
    assert (
        "The visit due on 5 Apr 2026 is already recorded (seen on 14 Apr 2026)."
        in again.content.decode()
    )
    assert FollowUp.objects.count() == 1
    assert AuditEntry.objects.filter(action="rehab.follow_up.recorded").count() == 1


def test_a_sheet_removed_twice_is_removed_once(world, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    admin = world.users["clinic_admin"]
    sheet = upload_information_sheet(
        actor=admin, title="Stoma care", upload=SimpleUploadedFile("a.pdf", b"%PDF-1.7 demo")
    )
    retire_information_sheet(actor=admin, sheet=InformationSheet.objects.get(pk=sheet.pk))

    again = client_for(admin).post("/rehab/settings/", {"retire": str(sheet.uuid)})

    assert again.status_code == 409
    assert "Stoma care was already removed." in again.content.decode()
    assert AuditEntry.objects.filter(action="rehab.sheet.retired").count() == 1
