"""Helpers: a patient with a signed operation that placed an implant and a dualcone."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine

from osseo.connectors.actions import set_service_policy
from osseo.patients.models import CareTeam
from osseo.surgery import actions as surgery
from tests.conftest import api_client, make_user
from tests.surgery.conftest import COMPLETE_RECORD, DUALCONE_GTIN, IMPLANT_GTIN, move

DATA = Path(__file__).resolve().parents[1] / "data"
STEPS = DATA / "steps"
RECORDINGS = DATA / "recordings"
WALK = RECORDINGS / "walk_100hz.csv"
NEW_DUALCONE_GTIN = "09506000134369"


@pytest.fixture
def media(settings, tmp_path):
    """Stored recordings go to a throwaway directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return tmp_path / "media"


def upload(client, patient, path, **fields):
    with path.open("rb") as f:
        return client.post(
            f"/api/v1/patients/{patient.uuid}/recordings",
            {"file": f, "recorded_on": "2026-02-10", **fields},
        )


# Recordings are submitted at T0 in the tests of stale and failed recordings (09:00 in London).
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def after(minutes, seconds=0):
    """Frozen time, this long after T0."""
    return time_machine.travel(T0 + dt.timedelta(minutes=minutes, seconds=seconds), tick=False)


def kill_worker_midway(recording, progress=0.4):
    """What a worker killed while counting leaves behind, for good: the recording processing at
    its last progress, written now, and its task taken and running."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from osseo.connectors.models import LoadRecording

    DBTaskResult.objects.get(id=recording.task_id).claim("killed-worker")
    LoadRecording.objects.filter(pk=recording.pk).update(
        status="running", progress=progress, progress_updated_at=timezone.now()
    )
    recording.refresh_from_db()
    return recording


@pytest.fixture
def submit(fitted, world, media, django_capture_on_commit_callbacks):
    """Submit a recording at T0 as the prosthetist, the clinic's policy set. Its task is queued
    unless `queued=False` (the process stopped between saving it and queueing its task); with
    `killed`, a worker took it and was killed at T0 while counting it."""
    from osseo.connectors.models import LoadRecording

    policy(world)

    def submit(path=WALK, *, queued=True, killed=False):
        with after(0):
            client = api_client(world.users["prosthetist"])
            if queued:
                with django_capture_on_commit_callbacks(execute=True):
                    upload(client, world.patient, path)
            else:
                upload(client, world.patient, path)
            recording = LoadRecording.objects.get(original_name=path.name)
            return kill_worker_midway(recording) if killed else recording

    return submit


def run_worker(**options):
    """A real `osseo worker --batch` run, in this process. The worker closes "old" connections
    between tasks; inside a test's transaction on PostgreSQL that would close the test's own
    connection, so that one call is held off here (as tests/api/test_schemathesis.py does)."""
    from unittest import mock

    from django.core.management import call_command

    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command(
            "worker",
            "--batch",
            "--no-startup-delay",
            "--interval",
            "0",
            **{"verbosity": 0, **options},
        )


def operate(world, on=dt.date(2026, 1, 5)):
    """A signed single-stage operation on `on` with an implant and a dualcone."""
    move(world, "assessment", "planning", "surgery")
    surgeon = world.users["surgeon"]
    procedure = surgery.start_procedure(
        actor=surgeon, episode=world.episode, kind="single_stage", performed_on=on
    )
    surgery.place_device(
        actor=surgeon,
        procedure=procedure,
        kind="implant",
        data={"gtin": IMPLANT_GTIN, "lot": "IMP-1", "serial": "S1"},
    )
    dualcone = surgery.place_device(
        actor=surgeon,
        procedure=procedure,
        kind="dualcone",
        data={"gtin": DUALCONE_GTIN, "lot": "DC-1"},
    )
    surgery.save_operative_record(actor=surgeon, procedure=procedure, data=COMPLETE_RECORD)
    surgery.sign_operative_record(actor=surgeon, procedure=procedure)
    return dualcone


def policy(world, kind="dualcone", **values):
    defaults = {
        "time_limit_months": 12,
        "activity_limit_cycles": 1.5e6,
        "reference_load_n": 800.0,
        "sn_exponent_m": 4.0,
        "overload_threshold_n": 1500.0,
    }
    return set_service_policy(
        actor=world.users["clinic_admin"], kind=kind, values={**defaults, **values}
    )


@pytest.fixture
def fitted(world):
    """The world's patient wears a dualcone fitted on 5 January 2026 (frozen time later)."""
    return operate(world)


@pytest.fixture
def partner_prosthetist(world):
    """A prosthetist at the rehab partner, which now cares for the world's patient."""
    from django.utils import timezone

    CareTeam.objects.create(patient=world.patient, organisation=world.rehab, since=timezone.now())
    return make_user("partner_prosthetist", "prosthetist", world.rehab)


@pytest.fixture
def stale(submit):
    """Left processing at T0 by a killed worker; it is now 20 minutes later."""
    recording = submit(killed=True)
    with after(20):
        yield recording
