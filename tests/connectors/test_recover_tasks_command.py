"""`osseo recover-tasks` fails the tasks a dead worker left running, queues their recordings
again and prints their ids and why. Time is frozen."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from osseo.audit.models import AuditEntry
from osseo.connectors.models import LoadRecording
from tests.connectors.conftest import after


def recover_tasks(*args):
    out = StringIO()
    call_command("recover-tasks", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_tasks_it_failed_and_the_recordings_it_queued_again_once(
    submit, django_capture_on_commit_callbacks
):
    recording = submit(killed=True)
    with after(20), django_capture_on_commit_callbacks(execute=True):
        first = recover_tasks()
        again = recover_tasks()
    assert first == (
        "Failed 1 task left running by a worker that stopped.\n"
        f"  {recording.task_id} osseo.connectors.tasks.process_load_recording: worker "
        "killed-worker has shown no sign of life since 2026-03-02 09:00:00 GMT, 15 minutes or "
        f"more; queued again load recording {recording.uuid}\n"
    )
    assert again == "Failed 0 tasks left running by a worker that stopped.\n"
    assert DBTaskResult.objects.get(id=recording.task_id).status == "FAILED"
    assert LoadRecording.objects.get().status == "queued"
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert AuditEntry.objects.get(action="connectors.recording.requeued").actor_label == (
        "osseo recover-tasks"
    )


def test_dry_run_lists_and_changes_nothing(submit):
    recording = submit(killed=True)
    with after(20):
        assert recover_tasks("--dry-run") == (
            "Would fail 1 task left running by a worker that stopped.\n"
            f"  {recording.task_id} osseo.connectors.tasks.process_load_recording: worker "
            "killed-worker has shown no sign of life since 2026-03-02 09:00:00 GMT, 15 minutes "
            f"or more; would queue again load recording {recording.uuid}\n"
        )
    assert DBTaskResult.objects.get().status == "RUNNING"
    assert LoadRecording.objects.get().status == "running"
    assert not AuditEntry.objects.filter(action="connectors.recording.requeued").exists()


def test_older_than_sets_the_quiet_minutes_and_is_at_least_one(submit):
    recording = submit(killed=True)
    with after(5):
        assert recover_tasks() == "Failed 0 tasks left running by a worker that stopped.\n"
        assert recover_tasks("--older-than", "5").startswith(
            "Failed 1 task left running by a worker that stopped.\n"
            f"  {recording.task_id} osseo.connectors.tasks.process_load_recording: worker "
            "killed-worker has shown no sign of life since 2026-03-02 09:00:00 GMT, 5 minutes "
            "or more"
        )
    with pytest.raises(CommandError, match="at least 1 minute"):
        recover_tasks("--older-than", "0")
