"""The demo gives its follow-up patients connector histories, steps, a recording and a policy."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from osseo.connectors.models import ActivityDay, Forecast, LoadRecording, ServicePolicy
from osseo.pathway.models import Episode
from osseo.surgery.models import Device


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def test_follow_up_patients_have_a_replaced_dualcone_a_year_of_steps_and_a_forecast(db, media):
    call_command("demo")
    policy = ServicePolicy.objects.get(kind="dualcone")
    assert (policy.validated, policy.label) == (False, "not validated")
    follow_up = Episode.objects.filter(phase="follow_up")
    assert follow_up.exists()
    for episode in follow_up:
        # The parts through the skin are the implant system's: a dualcone for the demo's limbs,
        # an abutment for head and neck; steps are counted for lower limbs only (site profile).
        parts = Device.objects.filter(
            patient=episode.patient, limb=episode.limb, kind__in=["dualcone", "abutment"]
        )
        # One replaced by the prosthetist; the revised patient's first was exchanged in the
        # revision too (surgery/lifecycle.py).
        assert parts.filter(status="removed", replaced_by__isnull=False).count() in (1, 2)
        lower = episode.limb.site in ("femur", "tibia")
        assert ActivityDay.objects.filter(patient=episode.patient).count() == (365 if lower else 0)
        part = parts.get(status="in_place")
        assert Forecast.objects.get(device=part).due_on is not None
    recording = LoadRecording.objects.get()
    assert recording.status == "done"
    assert recording.result.equivalent_cycles > 0
    today = timezone.localdate()
    soon = Forecast.objects.filter(due_on__lte=today + dt.timedelta(days=31))
    assert soon.exists()
