"""`osseo worker` queues stale recordings again as it starts; `osseo requeue-recordings` does it
on demand and prints what it queued. Time is frozen."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from osseo.audit.models import AuditEntry
from osseo.connectors.models import LoadRecording, RecordingResult
from tests.connectors.conftest import RECORDINGS, after, run_worker


def requeue(*args):
    out = StringIO()
    call_command("requeue-recordings", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)  # the worker's own commits, as in production
def test_the_worker_fails_a_dead_workers_task_and_queues_its_recording_again_as_it_starts(
    submit, world
):
    recording = submit(killed=True)
    out = StringIO()
    with after(10):
        run_worker(stdout=out, verbosity=1)
    assert (
        "Failed 0 tasks left running by a worker that stopped (no sign of life for 15 minutes).\n"
        "Queued again 0 load recordings whose worker stopped.\n"
        "Queued again 0 stale load recordings (no progress for 15 minutes).\n"
    ) in out.getvalue()
    assert LoadRecording.objects.get().status == "running"

    out = StringIO()
    with after(20):
        run_worker(stdout=out, verbosity=1)

    assert (
        "Failed 1 task left running by a worker that stopped (no sign of life for 15 minutes).\n"
        "Queued again 1 load recording whose worker stopped.\n"
        "Queued again 0 stale load recordings (no progress for 15 minutes).\n"
    ) in out.getvalue()
    recording.refresh_from_db()
    assert (recording.status, recording.progress) == ("done", 1.0)
    assert RecordingResult.objects.filter(recording=recording).count() == 1
    # The killed worker's task is failed; the new one counted the recording.
    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == [
        "FAILED",
        "SUCCESSFUL",
    ]
    entry = AuditEntry.objects.get(action="connectors.recording.requeued")
    assert (entry.actor, entry.actor_label, entry.changes, entry.patient) == (
        None,
        "osseo worker",
        {"status": ["running", "queued"]},
        world.patient,
    )


def test_requeue_recordings_prints_the_ids_it_queued_and_queues_each_once(
    submit, django_capture_on_commit_callbacks
):
    recording = submit(killed=True)
    with after(20), django_capture_on_commit_callbacks(execute=True):
        first = requeue()
        again = requeue()
    assert first == (
        "Queued again 1 load recording.\n"
        f"  {recording.uuid} running, no progress since 2026-03-02 09:00:00 GMT\n"
    )
    assert again == "Queued again 0 load recordings.\n"
    assert LoadRecording.objects.get().status == "queued"
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert AuditEntry.objects.get(action="connectors.recording.requeued").actor_label == (
        "osseo requeue-recordings"
    )


def test_older_than_sets_the_quiet_minutes_and_is_at_least_one(submit):
    recording = submit(killed=True)
    with after(5):
        assert requeue() == "Queued again 0 load recordings.\n"
        assert requeue("--older-than", "5").startswith(
            f"Queued again 1 load recording.\n  {recording.uuid}"
        )
    with pytest.raises(CommandError, match="at least 1 minute"):
        requeue("--older-than", "0")


def test_dry_run_lists_and_failed_adds_the_failed_ones(submit):
    stale = submit(killed=True)
    failed = submit(RECORDINGS / "walk_100hz.parquet", killed=True)
    LoadRecording.objects.filter(pk=failed.pk).update(status="failed")
    with after(30):
        assert requeue("--dry-run") == (
            "Would queue again 1 load recording.\n"
            f"  {stale.uuid} running, no progress since 2026-03-02 09:00:00 GMT\n"
        )
        assert list(LoadRecording.objects.order_by("id").values_list("status", flat=True)) == [
            "running",
            "failed",
        ]
        lines = requeue("--failed").splitlines()
    assert lines[0] == "Queued again 2 load recordings."
    assert sorted(lines[1:]) == sorted(
        [
            f"  {stale.uuid} running, no progress since 2026-03-02 09:00:00 GMT",
            f"  {failed.uuid} failed, no progress since 2026-03-02 09:00:00 GMT",
        ]
    )
    assert set(LoadRecording.objects.values_list("status", flat=True)) == {"queued"}
