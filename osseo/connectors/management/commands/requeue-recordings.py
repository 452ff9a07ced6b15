"""`osseo requeue-recordings [--older-than MINUTES] [--failed] [--dry-run]`: queue again the load
recordings a stopped worker left queued or processing with no progress (and, with --failed, the
failed ones); prints each one's id, never a name. `osseo worker` does the first as it starts; run
this after a worker was restarted at once, or from cron.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from osseo.audit.context import acting_as
from osseo.connectors.models import LoadRecording
from osseo.connectors.requeue import minutes_argument, requeue_stale, stale_after, stale_recordings


class Command(BaseCommand):
    help = (
        "Queue again the load recordings left queued or processing with no progress (a stopped "
        "worker); prints their ids."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=minutes_argument,
            metavar="MINUTES",
            help="no progress for this many minutes (default: OSSEO_RECORDING_STALE_MINUTES)",
        )
        parser.add_argument("--failed", action="store_true", help="the failed ones too")
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be queued, queue nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        minutes = options["older_than"]
        older_than = stale_after() if minutes is None else dt.timedelta(minutes=minutes)
        if options["dry_run"]:
            found = stale_recordings(older_than=older_than, failed=options["failed"])
            self.stdout.write(f"Would queue again {_count(found)}.")
        else:
            with acting_as(label="osseo requeue-recordings"):
                found = requeue_stale(older_than=older_than, failed=options["failed"])
            self.stdout.write(f"Queued again {_count(found)}.")
        for rec in found:
            self.stdout.write(f"  {rec.uuid} {rec.status}, {_last_seen(rec)}")


def _count(found: list[LoadRecording]) -> str:
    return f"{len(found)} load recording{'' if len(found) == 1 else 's'}"


def _last_seen(rec: LoadRecording) -> str:
    last = timezone.localtime(rec.progress_updated_at or rec.submitted_at)
    return f"no progress since {last:%Y-%m-%d %H:%M:%S %Z}"
