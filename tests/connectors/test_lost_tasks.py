"""A task a dead worker left running is failed after OSSEO_TASK_STALE_MINUTES without a sign of
life (or at once when its worker starts again), and the load recording it was counting is queued
again, once; a live worker's long task is never failed. Time is frozen."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django_tasks_db.models import DBTaskResult

from osseo.audit.context import acting_as
from osseo.audit.models import AuditEntry
from osseo.connectors.models import LoadRecording, RecordingResult, WorkerHeartbeat
from osseo.connectors.requeue import recover_lost_tasks, requeue_stale, retry_refusal
from osseo.connectors.tasks import process_load_recording
from osseo.connectors.workers import Heartbeat, WorkerLost, fail_lost_tasks, lost_tasks
from osseo.settings import env_int
from tests.connectors.conftest import RECORDINGS, T0, after, kill_worker_midway, run_worker

LOST = (
    "osseo.connectors.workers.WorkerLost: The worker running this task died before it finished: "
    "worker killed-worker has shown no sign of life since 2026-03-02 09:00:00 GMT, 15 minutes or "
    "more.\n"
)


def recover():
    with acting_as(label="test recovery"):
        return recover_lost_tasks()


def task_of(recording):
    return DBTaskResult.objects.get(id=recording.task_id)


def test_a_task_left_running_fifteen_minutes_is_failed_and_its_recording_queued_again(
    submit, world, django_capture_on_commit_callbacks
):
    recording = submit(killed=True)
    task = task_of(recording)
    with after(14, 59):
        assert recover() == []
        assert task_of(recording).status == "RUNNING"

    with after(15), django_capture_on_commit_callbacks(execute=True):
        [(lost, requeued)] = recover()

    assert (lost.id, lost.worker_id, requeued) == (str(task.id), "killed-worker", recording)
    failed = DBTaskResult.objects.get(id=task.id)
    assert (failed.status, failed.finished_at, failed.return_value) == (
        "FAILED",
        T0.replace(minute=15),
        None,
    )
    assert (failed.exception_class_path, failed.traceback) == (
        "osseo.connectors.workers.WorkerLost",
        LOST,
    )
    [error] = process_load_recording.get_result(str(task.id)).errors
    assert error.exception_class is WorkerLost
    recording.refresh_from_db()
    assert (recording.status, recording.progress, recording.task_id) == (
        "queued",
        0.0,
        str(DBTaskResult.objects.get(status="READY").id),
    )
    entry = AuditEntry.objects.get(action="connectors.recording.requeued")
    assert (entry.actor, entry.actor_label, entry.changes, entry.patient) == (
        None,
        "test recovery",
        {"status": ["running", "queued"]},
        world.patient,
    )


def test_a_younger_task_is_left_running(submit, django_capture_on_commit_callbacks):
    older = submit(killed=True)
    younger = submit(RECORDINGS / "walk_100hz.parquet")
    with after(10):
        kill_worker_midway(younger)

    with after(20), django_capture_on_commit_callbacks(execute=True):
        assert [lost.id for lost, _ in recover()] == [older.task_id]

    assert (task_of(younger).status, task_of(younger).finished_at) == ("RUNNING", None)
    younger.refresh_from_db()
    assert (younger.status, younger.progress) == ("running", 0.4)
    older.refresh_from_db()
    assert older.status == "queued"


def test_the_threshold_is_the_setting(submit, settings):
    settings.OSSEO_TASK_STALE_MINUTES = 60
    recording = submit(killed=True)
    with after(59, 59):
        assert lost_tasks() == []
    with after(60):
        assert [lost.id for lost in lost_tasks()] == [recording.task_id]
        assert lost_tasks()[0].reason.endswith("60 minutes or more")


def test_a_long_task_of_a_worker_that_beats_is_never_failed(submit):
    recording = submit()
    with after(0):
        worker = Heartbeat("live-worker")
        worker.beat()
        DBTaskResult.objects.get(id=recording.task_id).claim("live-worker")
    for minute in range(10, 120, 10):
        with after(minute):
            worker.beat()
            assert fail_lost_tasks() == []
    assert task_of(recording).status == "RUNNING"

    # It stops beating at 10:50: lost fifteen minutes later.
    with after(124, 59):
        assert fail_lost_tasks() == []
    with after(125):
        [lost] = fail_lost_tasks()
    assert lost.reason == (
        "worker live-worker has shown no sign of life since 2026-03-02 10:50:00 GMT, 15 minutes "
        "or more"
    )
    assert task_of(recording).status == "FAILED"
    assert not WorkerHeartbeat.objects.exists()  # the quiet worker's heartbeat is forgotten


@pytest.mark.django_db(transaction=True)  # the worker's own commits, as in production
def test_a_worker_started_again_under_its_id_fails_its_unfinished_task_at_once_and_counts_it(
    submit,
):
    recording = submit()
    with after(0):
        task_of(recording).claim("worker-1")
        LoadRecording.objects.filter(pk=recording.pk).update(status="running")
    with after(1):
        run_worker(worker_id="worker-1")

    failed = DBTaskResult.objects.get(id=recording.task_id)
    assert (failed.status, failed.traceback) == (
        "FAILED",
        "osseo.connectors.workers.WorkerLost: The worker running this task died before it "
        "finished: worker worker-1 started again at 2026-03-02 09:01:00 GMT without finishing "
        "it.\n",
    )
    recording.refresh_from_db()
    assert (recording.status, recording.progress) == ("done", 1.0)
    assert RecordingResult.objects.filter(recording=recording).count() == 1
    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == [
        "FAILED",
        "SUCCESSFUL",
    ]
    assert not WorkerHeartbeat.objects.exists()  # the worker forgot its own as it stopped


def test_recovering_twice_or_then_requeueing_stale_ones_queues_the_recording_once(
    submit, django_capture_on_commit_callbacks
):
    recording = submit(killed=True)
    with after(20), django_capture_on_commit_callbacks(execute=True):
        assert len(recover()) == 1
        assert recover() == []
        with acting_as(label="test"):
            assert requeue_stale() == []
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert AuditEntry.objects.filter(action="connectors.recording.requeued").count() == 1
    recording.refresh_from_db()
    assert retry_refusal(recording) == (
        "This recording is waiting in the queue for the worker (osseo worker)."
    )


def test_a_recording_queued_again_before_its_task_is_failed_is_not_queued_twice(
    submit, settings, django_capture_on_commit_callbacks
):
    settings.OSSEO_TASK_STALE_MINUTES = 30
    recording = submit(killed=True)
    with after(20), django_capture_on_commit_callbacks(execute=True), acting_as(label="test"):
        assert requeue_stale() == [recording]
    recording.refresh_from_db()
    with after(30), django_capture_on_commit_callbacks(execute=True):
        [(lost, requeued)] = recover()
    assert requeued is None
    assert DBTaskResult.objects.get(id=lost.id).status == "FAILED"
    assert LoadRecording.objects.get().task_id == recording.task_id
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert AuditEntry.objects.filter(action="connectors.recording.requeued").count() == 1


def test_a_processed_recording_is_not_queued_again_when_its_task_is_failed(submit):
    recording = submit(killed=True)
    LoadRecording.objects.filter(pk=recording.pk).update(status="done", progress=1.0)
    with after(20):
        [(lost, requeued)] = recover()
    assert (lost.id, task_of(recording).status, requeued) == (recording.task_id, "FAILED", None)
    assert LoadRecording.objects.get().status == "done"


def test_a_task_no_recording_waits_for_is_failed_and_nothing_queued(world):
    """The recovery is the task queue's: any task a dead worker left running is failed."""
    with after(0):
        result = process_load_recording.enqueue(recording_id=404)
        DBTaskResult.objects.get(id=result.id).claim("killed-worker")
    with after(20):
        [(lost, requeued)] = recover()
    assert (lost.id, lost.task.status, requeued) == (result.id, "FAILED", None)
    assert not AuditEntry.objects.filter(action="connectors.recording.requeued").exists()


def test_the_heartbeat_is_written_as_the_worker_starts_then_while_it_runs_and_forgotten_as_it_stops(
    transactional_db,
):
    import time

    with Heartbeat("beating", interval=0.05) as worker:
        first = WorkerHeartbeat.objects.get()
        assert (first.worker_id, first.started_at, first.last_seen_at) == (
            "beating",
            worker.started_at,
            worker.started_at,
        )
        deadline = time.monotonic() + 10
        while WorkerHeartbeat.objects.get().last_seen_at == first.last_seen_at:
            assert time.monotonic() < deadline, "no beat within 10 s"
            time.sleep(0.05)
    assert not WorkerHeartbeat.objects.exists()


def test_the_threshold_setting_is_at_least_a_minute(monkeypatch):
    monkeypatch.setenv("OSSEO_TASK_STALE_MINUTES", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1, not '0'"):
        env_int("OSSEO_TASK_STALE_MINUTES", 15, minimum=1)
