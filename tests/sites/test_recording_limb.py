"""A load recording belongs to one limb (issue 16): a patient with several limbs names it, and it
counts towards that limb's parts only, never the other limb's."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from osseo.connectors.actions import import_daily_steps, record_body_weight, set_service_policy
from osseo.connectors.models import Forecast, LoadRecording
from osseo.connectors.recordings import process_recording, submit_recording
from osseo.demo.connectors import DEMO_POLICY, _recording_csv
from osseo.surgery.models import Device
from tests.conftest import api_client
from tests.sites.conftest import site_patient

SIGNED = dt.date(2026, 1, 5)
NAME = "left-walk-100hz.csv"


def _upload():
    return SimpleUploadedFile(NAME, _recording_csv(82, seed=7), "text/csv")


@time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC))
def test_a_recording_counts_towards_its_own_limbs_parts_only(world):
    set_service_policy(actor=world.users["clinic_admin"], kind="dualcone", values=DEMO_POLICY)
    patient, (left, right) = site_patient(world, "femur", "femur", on=SIGNED, refer=False)
    prosthetist = world.users["prosthetist"]
    record_body_weight(actor=prosthetist, patient=patient, measured_on=SIGNED, weight_kg=82)
    days = {SIGNED + dt.timedelta(days=i): 8000 for i in range(60)}
    import_daily_steps(actor=prosthetist, patient=patient, days=days, source="steps.csv")
    kwargs = {"actor": prosthetist, "patient": patient, "recorded_on": dt.date(2026, 3, 1)}
    with pytest.raises(ValidationError) as refused:
        submit_recording(upload=_upload(), **kwargs)
    assert refused.value.message_dict == {
        "limb": ["The patient has 2 limbs: name the limb the load cell was fitted to."]
    }
    assert not LoadRecording.objects.filter(patient=patient).exists()
    recording, created = submit_recording(upload=_upload(), limb=left, **kwargs)
    assert created and recording.limb == left
    process_recording(recording.pk)
    notes = {
        limb.side: " ".join(Forecast.objects.get(device__limb=limb, device__kind="dualcone").notes)
        for limb in (left, right)
    }
    assert NAME in notes["left"]
    assert NAME not in notes["right"]
    assert Device.objects.filter(patient=patient, kind="dualcone").count() == 2


@time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC))
def test_the_api_asks_which_limb_and_says_it_back(world):
    set_service_policy(actor=world.users["clinic_admin"], kind="dualcone", values=DEMO_POLICY)
    patient, (femur, _humerus) = site_patient(world, "femur", "humerus", on=SIGNED, refer=False)
    client = api_client(world.users["prosthetist"])
    url = f"/api/v1/patients/{patient.uuid}/recordings"
    unnamed = client.post(url, {"recorded_on": "2026-03-01", "file": _upload()})
    assert unnamed.status_code == 422
    assert [e["field"] for e in unnamed.json()["errors"]] == ["limb"]
    named = client.post(
        url, {"recorded_on": "2026-03-01", "limb": str(femur.uuid), "file": _upload()}
    )
    assert named.status_code == 202, named.content
    assert (named.json()["limb"], named.json()["site"]) == (str(femur.uuid), "femur")
