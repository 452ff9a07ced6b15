"""A steps file with a day before the patient was born (a wrong year, a device's default date)
is refused by the line that holds it, on the patient's page, their API and the clinic's page
alike, and nothing of the file is saved."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from osseo.connectors.models import ActivityDay
from tests.conftest import api_client, client_for

BORN = "the date cannot be before the date of birth (17 May 1980)"


def _file(today):
    yesterday = today - dt.timedelta(days=1)
    data = f"date,steps\n{yesterday},5000\n1901-01-01,4000\n{yesterday},5000\n"
    return SimpleUploadedFile("steps.csv", data.encode(), "text/csv")


def test_the_patient_reads_the_line_of_a_day_before_their_birth(world):
    client = client_for(world.users["patient"])
    response = client.post("/me/activity/", {"steps_file": _file(timezone.localdate())})
    assert response.status_code == 422
    page = response.content.decode()
    field = page[page.index('id="id_steps_file_error"') :]  # under the file field
    assert f"line 3: {BORN}" in field[: field.index("</p>")]
    assert ActivityDay.objects.count() == 0


def test_the_patients_api_names_the_day_json_or_csv(world):
    client = api_client(world.users["patient"])
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    body = {"days": [{"date": str(yesterday), "steps": 10}, {"date": "1901-01-01", "steps": 1}]}
    response = client.post("/api/v1/me/activity/daily", body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert f"days[1]: {BORN}" in response.content.decode()
    csv = f"date,steps\n1901-01-01,4000\n{yesterday},5000\n"
    response = client.post("/api/v1/me/activity/daily", csv, content_type="text/csv")
    assert response.status_code == 422, response.content
    assert f"line 2: {BORN}" in response.content.decode()
    assert ActivityDay.objects.count() == 0


def test_the_clinics_page_refuses_it_the_same_way(world):
    client = client_for(world.users["prosthetist"])
    response = client.post(
        f"/patients/{world.patient.uuid}/connectors/",
        {"steps": "1", "steps_file": _file(timezone.localdate())},
    )
    assert response.status_code == 422
    assert f"line 3: {BORN}" in response.content.decode()
    assert ActivityDay.objects.count() == 0
