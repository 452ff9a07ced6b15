"""POST /api/v1/me/activity/daily: the patient sends their own daily steps, the same file and
checks as the clinic's import (each bad line named), all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from osseo.audit.models import AuditEntry
from osseo.connectors.models import ActivityDay
from tests.conftest import api_client

URL = "/api/v1/me/activity/daily"
STEPS = Path(__file__).parents[1] / "data" / "steps"


def test_a_patient_sends_their_wearables_csv_and_the_days_are_theirs(world):
    client = api_client(world.users["patient"])
    upload = SimpleUploadedFile(
        "wearable_export.csv", (STEPS / "wearable_export.csv").read_bytes(), "text/csv"
    )
    response = client.post(URL, {"file": upload})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["added"], body["changed"], body["first_day"]) == (5, 0, "2026-03-01")
    days = dict(ActivityDay.objects.filter(patient=world.patient).values_list("date", "steps"))
    assert sorted(days.values()) == [0, 8412, 9800, 10230, 12004]
    assert not ActivityDay.objects.filter(patient=world.other_patient).exists()
    entry = AuditEntry.objects.get(action="connectors.steps.imported", patient=world.patient)
    assert entry.actor == world.users["patient"]
    same = (STEPS / "wearable_export.csv").read_bytes()
    again = client.post(URL, {"file": SimpleUploadedFile("w.csv", same)})
    assert (again.json()["added"], again.json()["unchanged"]) == (0, 5)


def test_a_bad_file_is_refused_whole_with_each_bad_line_named(world):
    client = api_client(world.users["patient"])
    upload = SimpleUploadedFile("malformed.csv", (STEPS / "malformed.csv").read_bytes())
    response = client.post(URL, {"file": upload})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    messages = [e["message"] for e in response.json()["errors"]]
    assert [m.split(":")[0] for m in messages] == [f"line {n}" for n in (3, 5, 6, 7, 8, 9, 10, 11)]
    assert messages[0] == "line 3: the step count -5 is negative"
    assert not ActivityDay.objects.filter(patient=world.patient).exists()


def test_json_days_are_taken_too(world):
    response = api_client(world.users["patient"]).post(
        URL,
        json.dumps({"days": [{"date": "2026-03-05", "steps": 5120}]}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert ActivityDay.objects.get(patient=world.patient).steps == 5120


def test_staff_have_no_steps_of_their_own_to_send(world):
    for role in ("prosthetist", "surgeon"):
        response = api_client(world.users[role]).post(
            URL,
            json.dumps({"days": [{"date": "2026-03-05", "steps": 5120}]}),
            content_type="application/json",
        )
        assert response.status_code == 404
    assert not ActivityDay.objects.exists()
