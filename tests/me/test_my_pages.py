"""The diary, questionnaire and activity pages under /me/: a patient's own only, by URL too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from osseo.rehab.actions import create_plan, log_load, refer_patient
from osseo.rehab.models import LoadLog
from tests.conftest import client_for, make_patient, make_user
from tests.gates import advance
from tests.rehab.conftest import operate, protocol


@pytest.fixture
def planned(world):
    from osseo.rehab.reference import ensure_reference_protocols

    ensure_reference_protocols()
    today = timezone.localdate()
    operate(world, today - dt.timedelta(days=30))
    refer_patient(actor=world.users["coordinator"], patient=world.patient, organisation=world.rehab)
    plan = create_plan(
        actor=world.users["rehab_specialist"],
        patient=world.patient,
        protocol=protocol(),
        start_date=today - dt.timedelta(days=4),
        body_weight_kg=Decimal(80),
    )
    staff_log = log_load(
        actor=world.users["rehab_specialist"],
        plan=plan,
        data={"date": plan.start_date + dt.timedelta(days=2), "applied_kg": 20, "pain_nrs": 2},
    )
    return plan, staff_log


def test_staff_are_refused_the_patients_pages(world):
    for path in (
        "/me/diary/",
        "/me/questionnaires/",
        "/me/activity/",
        "/me/questionnaires/rand-36/all/",
    ):
        assert client_for(world.users["surgeon"]).get(path).status_code == 403


def test_a_patient_logs_today_with_the_flags_of_todays_prescription(world, planned):
    plan, _ = planned
    response = client_for(world.users["patient"]).post(
        "/me/diary/",
        {
            "plan": str(plan.uuid),
            "date": timezone.localdate().isoformat(),
            "applied_kg": "55",
            "pain_nrs": "6",
        },
    )
    assert response.status_code == 302, response.content
    log = LoadLog.objects.get(plan=plan, date=timezone.localdate())
    assert log.logged_by == world.users["patient"]
    assert set(log.flags) == {"over_loading", "pain_over_gate"}
    page = client_for(world.users["patient"]).get("/me/diary/").content.decode()
    assert "more than today&#x27;s prescription (up to 40 kg)" in page
    assert "Your pain was 6 out of 10, at or above 5" in page


def test_a_patient_cannot_log_on_another_patients_plan_nor_correct_the_teams_log(world, planned):
    plan, staff_log = planned
    other = make_patient(world.users["coordinator"], given_name="Cai", family_name="Other")
    outsider = client_for(make_user("other-patient", "patient", world.clinic, patient=other))
    refused = outsider.post(
        "/me/diary/",
        {
            "plan": str(plan.uuid),
            "date": timezone.localdate().isoformat(),
            "applied_kg": "10",
            "pain_nrs": "1",
        },
    )
    assert refused.status_code == 404
    assert not LoadLog.objects.filter(plan=plan, date=timezone.localdate()).exists()
    own = client_for(world.users["patient"])
    assert own.get(f"/me/diary/{staff_log.uuid}/correct/").status_code == 403
    assert outsider.get(f"/me/diary/{staff_log.uuid}/correct/").status_code == 404


def test_a_questionnaire_the_clinic_has_not_asked_is_not_found(world):
    advance(world.users, world.episode, "assessment")
    client = client_for(world.users["patient"])
    assert client.get("/me/questionnaires/q-tfa/all/").status_code == 404
    assert client.get(f"/me/questionnaires/rand-36/{world.limb.uuid}/").status_code == 200
    assert client.get("/me/questionnaires/rand-36/all/").status_code == 404


def test_the_diary_chart_speaks_the_patients_words_not_the_clinicians(world, planned):
    plan, _ = planned
    log_load(
        actor=world.users["patient"],
        plan=plan,
        data={"date": timezone.localdate(), "applied_kg": 55, "pain_nrs": 6},
    )
    page = client_for(world.users["patient"]).get("/me/diary/").content.decode()
    chart = page[page.index("<svg") : page.index("</svg>")]
    for said in (
        "Your programme",
        "What you logged",
        "Your pain",
        "More than prescribed",
        "Pain at or above your programme&#x27;s limit",
        "Not logged",
        "Day of your programme",
        "Pain (0 to 10)",
        "Your load on the scale and your pain, the last four weeks",
    ):
        assert said in chart, said
    for staff in ("Prescribed", "Applied", "NRS", "gate", "No log", "Over-loading", "of the plan"):
        assert staff not in chart, staff
    assert plan.protocol_name not in chart
    heading = page[page.index(f'id="plan-{plan.uuid}-h"') :]
    assert heading[: heading.index("</h2>")].endswith("Your left thigh bone (femur)")
    # The clinicians' chart of the same plan keeps their words.
    staff = client_for(world.users["rehab_specialist"]).get(reverse("rehab:plan", args=[plan.uuid]))
    assert "Pain NRS" in staff.content.decode()
