"""`osseo worker`: run background tasks (django-tasks-db's `db_worker`, under Osseo's name).

Every option of db_worker applies: `osseo worker --batch` processes what is queued and exits,
`--max-tasks N` stops after N tasks, `--queue-name`, `--interval`. As it starts, it queues again
the stale load recordings: those a killed worker left processing (requeue.py).
"""

from __future__ import annotations

import signal
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from osseo.audit.context import acting_as
from osseo.connectors.requeue import requeue_stale, stale_after


class Command(DbWorkerCommand):
    help = "Run Osseo's background tasks (load recordings ...) until stopped; --batch to drain."

    def handle(self, *args: Any, **options: Any) -> None:
        with acting_as(label="osseo worker"):
            requeued = requeue_stale()
        if options["verbosity"] >= 1:
            minutes = int(stale_after().total_seconds() // 60)
            self.stdout.write(
                f"Queued again {len(requeued)} stale load recording"
                f"{'' if len(requeued) == 1 else 's'} (no progress for {minutes} minute"
                f"{'' if minutes == 1 else 's'})."
            )
        saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            super().handle(*args, **options)
        finally:
            # The worker installs its own shutdown handlers; put the caller's back (a test run
            # or a script that calls the command in-process keeps its own Ctrl-C).
            for sig, handler in saved.items():
                signal.signal(sig, handler)
