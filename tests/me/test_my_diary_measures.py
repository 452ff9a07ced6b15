"""The diary speaks in the plan's measure: an upper-limb patient on the clinic's own wear-time
programme logs hours worn, with no walking aid, and reads over-wear feedback in hours."""

from __future__ import annotations

import datetime as dt

import time_machine

from osseo.rehab.models import LoadLog
from tests.conftest import api_client, client_for, make_user
from tests.rehab.conftest import post
from tests.sites.conftest import site_patient
from tests.sites.test_programme_measures import WEAR


@time_machine.travel(dt.datetime(2026, 1, 16, 12, tzinfo=dt.UTC))
def test_an_upper_limb_patient_logs_wear_hours_against_the_clinics_programme(world):
    patient, (limb,) = site_patient(world, "humerus")
    protocol = post(api_client(world.users["rehab_specialist"]), "/api/v1/protocols", WEAR).json()
    made = post(
        api_client(world.users["rehab_specialist"]),
        f"/api/v1/patients/{patient.uuid}/rehab-plans",
        {"protocol": protocol["id"], "start_date": "2026-01-12"},
    )
    assert made.status_code == 201, made.content
    client = client_for(make_user("una", "patient", world.clinic, patient=patient))
    page = client.get("/me/diary/").content.decode()
    assert "Day 5 of your programme." in page
    assert "up to 4 hours</strong> of time wearing the prosthesis" in page
    assert 'name="walking_aid"' not in page and 'name="applied_kg"' not in page
    response = client.post(
        "/me/diary/",
        {"plan": made.json()["id"], "date": "2026-01-16", "wear_hours": "7", "pain_nrs": "1"},
    )
    assert response.status_code == 302, response.content
    log = LoadLog.objects.get(plan__uuid=made.json()["id"])
    assert (log.wear_hours, log.flags) == (7, ["over_loading"])
    page = client.get("/me/diary/").content.decode()
    assert (
        "You logged 7 hours of time wearing the prosthesis: more than today&#x27;s prescription "
        "(up to 4 hours)." in page
    )
    assert "Worn longer than prescribed" in page
    assert f"Your {limb.side} upper-arm bone (humerus)" in page
