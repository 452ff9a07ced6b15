"""The worker's sign of life, and the tasks a dead worker left running.

django-tasks-db marks a task RUNNING when a worker takes it (`DBTaskResult.claim`: the status,
`started_at` and the worker's id appended to `worker_ids`), and SUCCESSFUL or FAILED when the task
returns or raises. A worker killed in between (SIGKILL, out of memory, its machine lost) leaves
the task RUNNING for good: the library keeps no sign of life and recovers nothing (django-tasks-db
issue #5, "Unclean exits of the worker leave tasks in limbo", where its author suggests failing
such a task after a grace period, or when its worker id starts again). So `osseo worker` keeps a
heartbeat (`Heartbeat`, a WorkerHeartbeat row) while it runs, and a RUNNING task is lost when

- the worker that took it (the last of its `worker_ids`) started again since: one worker runs
  one task at a time and its id is unique in the pool (db_worker's --worker-id), or
- neither the task's start nor its worker's heartbeat is more recent than
  OSSEO_TASK_STALE_MINUTES: a live worker beats every BEAT_SECONDS, however long its task runs.

`fail_lost_tasks` fails them with the library's own fields and its `set_failed` (status FAILED,
`finished_at`, `exception_class_path` naming WorkerLost, `traceback` saying why), so the task's
result reads as any failed task does. Queueing again what a lost task was doing is its caller's:
requeue.py does it for load recordings.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from dataclasses import dataclass
from types import TracebackType

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, connection
from django.tasks import TaskResultStatus
from django.tasks.signals import task_finished
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, normalize_uuid

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# How often a running worker writes its sign of life; the threshold is at least a minute.
BEAT_SECONDS = 15.0


class WorkerLost(Exception):
    """Recorded as the error of a task whose worker died while running it (never raised)."""


def task_stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=settings.OSSEO_TASK_STALE_MINUTES)


@dataclass(frozen=True)
class LostTask:
    """A RUNNING task whose worker is gone, and why it is judged so."""

    task: DBTaskResult
    worker_id: str
    reason: str

    @property
    def id(self) -> str:
        return normalize_uuid(self.task.id)


def _at(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S %Z}"


def _lost_reason(
    task: DBTaskResult,
    beats: dict[str, WorkerHeartbeat],
    *,
    older_than: dt.timedelta,
    now: dt.datetime,
) -> str | None:
    """Why the RUNNING task's worker is gone, or None while it may still be running it."""
    worker_id = task.worker_ids[-1] if task.worker_ids else ""
    worker = f"worker {worker_id}" if worker_id else "its worker"
    started = task.started_at or task.enqueued_at
    beat = beats.get(worker_id)
    if beat is not None and beat.started_at > started:
        return f"{worker} started again at {_at(beat.started_at)} without finishing it"
    last = max(started, beat.last_seen_at) if beat is not None else started
    if last > now - older_than:
        return None
    minutes = max(1, round(older_than.total_seconds() / 60))
    return (
        f"{worker} has shown no sign of life since {_at(last)}, "
        f"{minutes} minute{'s' if minutes != 1 else ''} or more"
    )


def _heartbeats() -> dict[str, WorkerHeartbeat]:
    return {b.worker_id: b for b in WorkerHeartbeat.objects.all()}


def lost_tasks(
    *, older_than: dt.timedelta | None = None, now: dt.datetime | None = None
) -> list[LostTask]:
    """The RUNNING tasks whose worker is gone (see the module's docstring), longest started
    first. A worker runs one task at a time, so RUNNING tasks are few."""
    older_than = task_stale_after() if older_than is None else older_than
    now = now or timezone.now()
    beats = _heartbeats()
    found = []
    for task in DBTaskResult.objects.running().order_by("started_at", "id"):
        reason = _lost_reason(task, beats, older_than=older_than, now=now)
        if reason is not None:
            worker_id = task.worker_ids[-1] if task.worker_ids else ""
            found.append(LostTask(task=task, worker_id=worker_id, reason=reason))
    return found


def fail_lost_tasks(*, older_than: dt.timedelta | None = None) -> list[LostTask]:
    """Fail every lost task (status FAILED, its error WorkerLost with the reason) and forget the
    heartbeats of workers gone quiet; the tasks failed here. Each is judged again under an
    exclusive lock (as db_worker takes a task), so a task that finished meanwhile, or that
    another run of this failed first, is left as it is."""
    older_than = task_stale_after() if older_than is None else older_than
    failed = []
    for lost in lost_tasks(older_than=older_than):
        with exclusive_transaction(DBTaskResult.objects.db):
            task = DBTaskResult.objects.select_for_update().filter(pk=lost.task.pk).first()
            if task is None or task.status != TaskResultStatus.RUNNING:
                continue
            reason = _lost_reason(task, _heartbeats(), older_than=older_than, now=timezone.now())
            if reason is None:
                continue
            task.set_failed(
                WorkerLost(f"The worker running this task died before it finished: {reason}.")
            )
        logger.warning("task %s failed: %s", normalize_uuid(task.id), reason)
        _announce_finished(task)
        failed.append(LostTask(task=task, worker_id=lost.worker_id, reason=reason))
    WorkerHeartbeat.objects.filter(last_seen_at__lte=timezone.now() - older_than).delete()
    return failed


def _announce_finished(task: DBTaskResult) -> None:
    """Send Django's task_finished for the failed task, as db_worker does for a task that
    raised (Django logs it as an error)."""
    try:
        sender = type(task.task.get_backend())
        result = task.task_result
    except (ImportError, SuspiciousOperation):
        logger.exception("task %s: its task can no longer be loaded", normalize_uuid(task.id))
        return
    task_finished.send(sender=sender, task_result=result)


class Heartbeat:
    """The sign of life of the worker `worker_id` while inside: its WorkerHeartbeat row written
    as it enters (before the worker takes any task), then every BEAT_SECONDS by a daemon thread
    (which dies with the process: a killed worker stops beating), deleted as it leaves. A beat
    the database refuses (locked, connection lost) is logged and tried again at the next."""

    def __init__(self, worker_id: str, *, interval: float = BEAT_SECONDS) -> None:
        self.worker_id = worker_id
        self.interval = interval
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"osseo-heartbeat-{worker_id}", daemon=True
        )

    def __enter__(self) -> Heartbeat:
        self.started_at = timezone.now()
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": self.started_at,
                "last_seen_at": self.started_at,
            },
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        WorkerHeartbeat.objects.filter(
            worker_id=self.worker_id, started_at=self.started_at
        ).delete()

    def beat(self) -> None:
        now = timezone.now()
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"last_seen_at": now},
            create_defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": self.started_at,
                "last_seen_at": now,
            },
        )

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    self.beat()
                except DatabaseError:
                    logger.warning(
                        "worker %s: heartbeat not written", self.worker_id, exc_info=True
                    )
        finally:
            connection.close()  # this thread's own connection
