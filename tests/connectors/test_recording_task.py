"""A load recording goes through storage, the task queue and a real `osseo worker` run."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django_tasks_db.models import DBTaskResult

from osseo.audit.models import AuditEntry
from osseo.connectors import recordings
from osseo.connectors.models import LoadRecording, RecordingResult
from osseo.connectors.tasks import process_load_recording
from osseo.fatigue import analyse_recording
from tests.conftest import api_client
from tests.connectors.conftest import DATA, RECORDINGS, WALK, policy, run_worker, upload

pytestmark = pytest.mark.usefixtures("media")

WALK_PARQUET = DATA / "recordings" / "walk_100hz.parquet"
BAD = RECORDINGS.parent / "loads" / "bad_several_lines.csv"
BAD_LINES = [
    "line 5: 'NaN' in column 'axial_force_N' is not a finite number",
    "line 6: expected 3 fields as in the header, found 2",
    "line 7: '5l2.3' in column 'axial_force_N' is not a number",
    "line 9: the time 0.05 is not after the previous sample's",
]


def test_a_recording_is_queued_then_counted_by_the_worker_and_forecasts_follow(
    fitted, world, django_capture_on_commit_callbacks, media
):
    policy(world, overload_threshold_n=600.0)
    client = api_client(world.users["prosthetist"])
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, world.patient, WALK, steps_during=40)
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["progress"], body["result"], body["channel"]) == (
        "queued",
        0.0,
        None,
        "axial_force_N",
    )
    recording = LoadRecording.objects.get()
    assert default_storage.exists(recording.file.name)
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    run_worker()

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    done = client.get(f"/api/v1/recordings/{recording.uuid}").json()
    assert (done["status"], done["progress"]) == ("done", 1.0)
    expected = analyse_recording(
        WALK, channels=["axial_force_N"], m=4.0, reference_range=800.0, cycles_at_reference=1.5e6
    ).channels["axial_force_N"]
    result = done["result"]
    assert result["equivalent_cycles"] == pytest.approx(expected.equivalent_cycles, rel=1e-12)
    assert result["samples"] == 3000
    assert (result["peak_n"], result["peak_time_s"]) == (expected.peak.value, expected.peak.time_s)
    assert result["steps"] == 40 and not result["steps_estimated"]
    assert result["cycles_per_step"] == pytest.approx(expected.equivalent_cycles / 40)
    assert sum(map(sum, result["matrix"]["counts"])) == pytest.approx(expected.cycles)
    assert result["caveat"].startswith("Model estimate, not a measurement of wear")
    parts = client.get(f"/api/v1/patients/{world.patient.uuid}/connectors").json()
    forecast = parts[0]["forecast"]
    assert forecast["basis"] == "overload"
    assert forecast["due_on"] == "2026-02-10"
    assert forecast["inspection"].startswith("overload: peak 668 N at ")


def test_the_same_recording_again_adds_nothing(fitted, world, django_capture_on_commit_callbacks):
    policy(world)
    client = api_client(world.users["prosthetist"])
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(client, world.patient, WALK)
        again = upload(client, world.patient, WALK)
    assert (first.status_code, again.status_code) == (202, 200)
    assert first.json()["id"] == again.json()["id"]
    assert LoadRecording.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


def test_a_parquet_recording_is_counted_and_its_steps_estimated(
    fitted, world, django_capture_on_commit_callbacks
):
    policy(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(api_client(world.users["surgeon"]), world.patient, WALK_PARQUET)
    assert response.status_code == 202
    run_worker()
    result = RecordingResult.objects.get()
    assert result.steps_estimated
    assert result.steps > 0
    assert result.cycles_per_step == pytest.approx(result.equivalent_cycles / result.steps)


def test_a_small_malformed_recording_is_refused_at_once_naming_every_bad_line(fitted, world, media):
    policy(world)
    response = upload(api_client(world.users["prosthetist"]), world.patient, BAD)
    assert response.status_code == 422
    assert [e["message"] for e in response.json()["errors"]] == BAD_LINES
    assert LoadRecording.objects.count() == 0
    assert not any(media.rglob("*.csv"))


def test_a_large_malformed_recording_is_refused_by_the_worker_and_nothing_kept(
    fitted, world, django_capture_on_commit_callbacks, monkeypatch, media
):
    policy(world)
    monkeypatch.setattr(recordings, "SYNC_CHECK_BYTES", 10)  # check it in the worker instead
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(api_client(world.users["prosthetist"]), world.patient, BAD)
    assert response.status_code == 202
    run_worker()
    recording = LoadRecording.objects.get()
    assert (recording.status, recording.problems) == ("refused", BAD_LINES)
    assert not RecordingResult.objects.exists()
    assert recording.file.name == ""
    assert not any(media.rglob("*.csv"))


@pytest.mark.parametrize(
    ("path", "fields", "message"),
    [
        (DATA / "recordings" / "bad_no_header.csv", {}, "line 1: the first row holds numbers"),
        (WALK, {"channel": "knee_angle"}, "no column 'knee_angle'"),
        (DATA / "recordings" / "bad_empty.csv", {}, "The file is empty."),
    ],
)
def test_a_recording_that_cannot_be_read_is_refused_before_it_is_stored(
    fitted, world, path, fields, message
):
    policy(world)
    response = upload(api_client(world.users["prosthetist"]), world.patient, path, **fields)
    assert response.status_code == 422
    assert message in response.json()["errors"][0]["message"]
    assert LoadRecording.objects.count() == 0


def test_a_recording_needs_the_clinics_policy_first(fitted, world, media):
    response = upload(api_client(world.users["prosthetist"]), world.patient, WALK)
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Set the clinic's dualcone service policy")
    assert response.json()["missing"] == [
        {
            "code": "service_policy",
            "label": "The clinic's dualcone service policy, with its reference load and S-N "
            "exponent",
            "source": "docs/sources.md#connector-parts",
        }
    ]
    assert LoadRecording.objects.count() == 0
    assert not any(media.rglob("*.csv"))


def test_the_worker_leaves_a_processed_recording_as_it_is(
    fitted, world, django_capture_on_commit_callbacks
):
    policy(world)
    with django_capture_on_commit_callbacks(execute=True):
        upload(api_client(world.users["prosthetist"]), world.patient, WALK)
    run_worker()
    recording = LoadRecording.objects.get()
    assert recordings.process_recording(recording.pk) == "done"
    assert RecordingResult.objects.count() == 1
    assert recording.recorded_on == dt.date(2026, 2, 10)


def test_a_second_task_for_the_same_recording_does_nothing(submit):
    recording = submit()
    process_load_recording.enqueue(recording_id=recording.pk)  # queued twice, e.g. by two hands

    run_worker()

    assert sorted(DBTaskResult.objects.values_list("status", "return_value")) == [
        ("SUCCESSFUL", "done"),
        ("SUCCESSFUL", "done"),
    ]
    assert RecordingResult.objects.filter(recording=recording).count() == 1
    assert AuditEntry.objects.filter(action="connectors.recording.processed").count() == 1


def test_an_unexpected_error_marks_the_recording_failed_and_fails_its_task(submit):
    recording = submit()
    default_storage.delete(recording.file.name)  # the storage lost it (a volume not mounted)

    run_worker()

    recording.refresh_from_db()
    assert (recording.status, recording.problems) == (
        "failed",
        [
            "Processing stopped on an unexpected error (FileNotFoundError). Retry it; if it "
            "fails again, tell the administrator."
        ],
    )
    assert recording.finished_at is not None
    task = DBTaskResult.objects.get()
    assert (task.status, task.exception_class_path) == ("FAILED", "builtins.FileNotFoundError")
    entry = AuditEntry.objects.get(action="connectors.recording.failed")
    assert (entry.actor, entry.actor_label, entry.changes) == (
        None,
        "osseo worker",
        {"error": [None, "FileNotFoundError"]},
    )
    assert not RecordingResult.objects.exists()
