"""Recordings whose run stopped: a failed one, one whose task failed (its worker died:
workers.py), or a stale one (queued or processing with no sign of life for
OSSEO_RECORDING_STALE_MINUTES: the worker that had it was killed, or its task was never queued).
Staff retry them ("Retry processing", `POST /api/v1/recordings/{id}/retry`). As it starts,
`osseo worker` fails the tasks a dead worker left running and queues their recordings again
(`osseo recover-tasks` on demand), then queues the stale ones again (`osseo requeue-recordings`
on demand).
"""

from __future__ import annotations

import copy
import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.tasks import TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch
from django.utils import timezone

from osseo.accounts.models import User
from osseo.audit.services import record
from osseo.contract import action
from osseo.errors import Conflict

from .models import LoadRecording, RecordingStatus
from .recordings import enqueue
from .workers import LostTask, fail_lost_tasks


def stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=settings.OSSEO_RECORDING_STALE_MINUTES)


def _task_status(rec: LoadRecording) -> TaskResultStatus | None:
    """The status of the recording's latest task (READY: waiting in the queue, not yet taken by
    a worker), or None when it has none the backend can tell of."""
    from .tasks import process_load_recording

    if not rec.task_id or not process_load_recording.get_backend().supports_get_result:
        return None
    try:
        result = process_load_recording.get_result(rec.task_id)
    except (TaskResultDoesNotExist, TaskResultMismatch):
        return None
    return result.status


def retry_refusal(
    rec: LoadRecording, *, older_than: dt.timedelta | None = None, now: dt.datetime | None = None
) -> str | None:
    """Why the recording cannot be queued again now, or None when it can: when it failed, when
    its task failed (an error, or its worker died: workers.py), or when it is stale (queued or
    processing, its task not waiting in the queue, and no sign of life for `older_than`: by
    default the OSSEO_RECORDING_STALE_MINUTES setting)."""
    if rec.status == RecordingStatus.FAILED:
        return None
    if rec.status == RecordingStatus.DONE:
        return "This recording is already processed."
    if rec.status == RecordingStatus.REFUSED:
        return "This recording was refused and its file not kept: import a corrected file."
    task_status = _task_status(rec)
    if task_status == TaskResultStatus.READY:
        return "This recording is waiting in the queue for the worker (osseo worker)."
    if task_status == TaskResultStatus.FAILED:
        return None
    older_than = stale_after() if older_than is None else older_than
    last = rec.progress_updated_at or rec.submitted_at
    if last > (now or timezone.now()) - older_than:
        minutes = max(1, round(older_than.total_seconds() / 60))
        return (
            f"The worker may still be processing this recording (last progress at "
            f"{timezone.localtime(last):%H:%M:%S}); it can be retried once there has been none "
            f"for {minutes} minute{'s' if minutes != 1 else ''}."
        )
    return None


def stale_recordings(
    *, older_than: dt.timedelta | None = None, failed: bool = False, now: dt.datetime | None = None
) -> list[LoadRecording]:
    """The recordings to queue again, quietest first: the stale ones (see retry_refusal) and,
    with `failed`, the failed ones."""
    now = now or timezone.now()
    older_than = stale_after() if older_than is None else older_than
    quiet = Q(
        status__in=[RecordingStatus.QUEUED, RecordingStatus.RUNNING],
        last_seen__lte=now - older_than,
    )
    found = (
        LoadRecording.objects.annotate(last_seen=Coalesce("progress_updated_at", "submitted_at"))
        .filter(quiet | Q(status=RecordingStatus.FAILED) if failed else quiet)
        .select_related("patient")
        .order_by("last_seen", "id")
    )
    return [r for r in found if retry_refusal(r, older_than=older_than, now=now) is None]


@action(permission="activity.import", locks=["recording"])
def retry_recording(*, actor: User, recording: LoadRecording) -> LoadRecording:
    """Staff's "Retry processing" (the screen and the API): queue a failed or stale recording
    again. Refused with Conflict when it is processed, refused, waiting in the queue or showing
    fresh progress, so a run in progress is never doubled; once queued again it shows fresh
    progress, so asking twice queues it once."""
    return _requeue(recording, actor=actor, older_than=None)


@action(locks=["recording"])
def requeue_recording(
    *, recording: LoadRecording, older_than: dt.timedelta | None = None
) -> LoadRecording:
    """Queue a failed or stale recording again without a user: `osseo worker` as it starts,
    `osseo requeue-recordings` and `osseo recover-tasks` (labelled with acting_as). Refused as
    `retry_recording` is."""
    return _requeue(recording, actor=None, older_than=older_than)


def _requeue(
    recording: LoadRecording, *, actor: User | None, older_than: dt.timedelta | None
) -> LoadRecording:
    """The recording is locked and re-read by the contract before its state is checked."""
    refusal = retry_refusal(recording, older_than=older_than)
    if refusal:
        raise Conflict(refusal)
    before = recording.status
    LoadRecording.objects.filter(pk=recording.pk).update(
        status=RecordingStatus.QUEUED,
        progress=0.0,
        problems=[],
        finished_at=None,
        progress_updated_at=timezone.now(),
        # No longer names its old task (the new one is named as it is queued, after the commit),
        # so a second recovery or retry finds nothing to requeue.
        task_id="",
    )
    recording.refresh_from_db()
    record(
        "connectors.recording.requeued",
        actor=actor,
        patient=recording.patient,
        obj=recording,
        changes={"status": [before, RecordingStatus.QUEUED]},
    )
    transaction.on_commit(lambda: enqueue(recording))
    return recording


def requeue_stale(
    *, older_than: dt.timedelta | None = None, failed: bool = False
) -> list[LoadRecording]:
    """Queue again every stale recording (with `failed`, every failed one too); the recordings
    as they were found. One that moved on since it was found is left as it is."""
    requeued = []
    for rec in stale_recordings(older_than=older_than, failed=failed):
        try:
            # A copy: the contract re-reads the row it locks, and `rec` stays as it was found.
            requeue_recording(recording=copy.copy(rec), older_than=older_than)
        except Conflict:
            continue
        requeued.append(rec)
    return requeued


def waiting_for(lost: LostTask) -> LoadRecording | None:
    """The load recording the lost task was counting, if it is still that recording's latest
    task and the recording still waits for it (queued or processing)."""
    return (
        LoadRecording.objects.filter(
            task_id=lost.id, status__in=[RecordingStatus.QUEUED, RecordingStatus.RUNNING]
        )
        .select_related("patient")
        .first()
    )


def requeue_after_lost_task(lost: LostTask) -> LoadRecording | None:
    """Queue again the load recording whose task was failed as lost (its worker died while
    counting it: workers.fail_lost_tasks), if that task is still the recording's latest and the
    recording still waits for it; the recording, or None. Once queued again the recording names
    no failed task, so a second call, or requeue_stale after it, queues it no more."""
    rec = waiting_for(lost)
    if rec is None:
        return None
    try:
        return requeue_recording(recording=rec)
    except Conflict:
        return None


def recover_lost_tasks(
    *, older_than: dt.timedelta | None = None
) -> list[tuple[LostTask, LoadRecording | None]]:
    """Fail the tasks whose worker died (workers.fail_lost_tasks; `older_than` by default
    OSSEO_TASK_STALE_MINUTES) and queue again the load recording each was counting: each failed
    task with its recording queued again, or None."""
    return [
        (lost, requeue_after_lost_task(lost)) for lost in fail_lost_tasks(older_than=older_than)
    ]


def minutes_argument(raw: str) -> int:
    """A command line's MINUTES: a whole number, at least 1 (a live worker shows progress and
    beats far oftener than once a minute)."""
    import argparse

    try:
        value = int(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"a whole number of minutes, not {raw!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError("at least 1 minute")
    return value
