"""`osseo recover-tasks [--older-than MINUTES] [--dry-run]`: fail the background tasks a dead
worker left running (no sign of life for OSSEO_TASK_STALE_MINUTES, or its worker started again:
workers.py) and queue again the load recording each was counting; prints each task's id and why,
never a name. `osseo worker` does it as it starts; run this from cron (e.g. every 15 minutes) so
that a worker killed for good, or restarted elsewhere, leaves nothing running.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from osseo.audit.context import acting_as
from osseo.connectors.requeue import minutes_argument, recover_lost_tasks, waiting_for
from osseo.connectors.workers import LostTask, lost_tasks, task_stale_after


class Command(BaseCommand):
    help = (
        "Fail the background tasks a dead worker left running and queue their load recordings "
        "again; prints their ids."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=minutes_argument,
            metavar="MINUTES",
            help="no sign of life for this many minutes (default: OSSEO_TASK_STALE_MINUTES)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be failed, change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        minutes = options["older_than"]
        older_than = task_stale_after() if minutes is None else dt.timedelta(minutes=minutes)
        lines = []
        if options["dry_run"]:
            found = lost_tasks(older_than=older_than)
            for lost in found:
                rec = waiting_for(lost)
                then = f"; would queue again load recording {rec.uuid}" if rec else ""
                lines.append(_line(lost) + then)
            self.stdout.write(f"Would fail {_count(found)}.")
        else:
            with acting_as(label="osseo recover-tasks"):
                recovered = recover_lost_tasks(older_than=older_than)
            for lost, requeued in recovered:
                then = f"; queued again load recording {requeued.uuid}" if requeued else ""
                lines.append(_line(lost) + then)
            self.stdout.write(f"Failed {_count(recovered)}.")
        for line in lines:
            self.stdout.write(line)


def _count(found: list[Any]) -> str:
    tasks = f"{len(found)} task{'' if len(found) == 1 else 's'}"
    return f"{tasks} left running by a worker that stopped"


def _line(lost: LostTask) -> str:
    return f"  {lost.id} {lost.task.task_path}: {lost.reason}"
