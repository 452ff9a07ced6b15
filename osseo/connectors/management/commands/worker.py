"""`osseo worker`: run background tasks (django-tasks-db's `db_worker`, under Osseo's name).

Every option of db_worker applies: `osseo worker --batch` processes what is queued and exits,
`--max-tasks N` stops after N tasks, `--queue-name`, `--interval`, `--worker-id`. While it runs it
keeps a heartbeat (workers.Heartbeat), so that a long task is never taken for a lost one. As it
starts, it fails the tasks a dead worker left running and queues their load recordings again
(`osseo recover-tasks`), then queues again the stale load recordings (requeue.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from osseo.audit.context import acting_as
from osseo.connectors.requeue import recover_lost_tasks, requeue_stale, stale_after
from osseo.connectors.workers import Heartbeat, task_stale_after


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _minutes(delta: dt.timedelta) -> str:
    return _plural(int(delta.total_seconds() // 60), "minute")


class Command(DbWorkerCommand):
    help = "Run Osseo's background tasks (load recordings ...) until stopped; --batch to drain."

    def handle(self, *args: Any, **options: Any) -> None:
        reloader = (
            options["reload"]
            and not options["batch"]
            and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        )
        # With --reload this process only watches the code; the child it starts runs the tasks,
        # and beats and recovers as it starts.
        alive = contextlib.nullcontext() if reloader else Heartbeat(options["worker_id"])
        with alive:
            if not reloader:
                self._recover(options["verbosity"])
            saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
            try:
                super().handle(*args, **options)
            finally:
                # The worker installs its own shutdown handlers; put the caller's back (a test run
                # or a script that calls the command in-process keeps its own Ctrl-C).
                for sig, handler in saved.items():
                    signal.signal(sig, handler)

    def _recover(self, verbosity: int) -> None:
        with acting_as(label="osseo worker"):
            recovered = recover_lost_tasks()
            requeued = requeue_stale()
        if verbosity >= 1:
            recordings = sum(1 for _, rec in recovered if rec is not None)
            self.stdout.write(
                f"Failed {_plural(len(recovered), 'task')} left running by a worker that stopped "
                f"(no sign of life for {_minutes(task_stale_after())})."
            )
            self.stdout.write(
                f"Queued again {_plural(recordings, 'load recording')} whose worker stopped."
            )
            self.stdout.write(
                f"Queued again {_plural(len(requeued), 'stale load recording')} (no progress for "
                f"{_minutes(stale_after())})."
            )
