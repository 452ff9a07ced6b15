"""`osseo check-dates`: report stored clinical dates outside their windows (osseo/plausible.py).

Rows saved before the windows were checked (a rehab plan starting in 9999, a weight measured in
1800) are listed, one a line, for someone to correct; the pages showing them still work. Exits
with status 1 when any is found, so it can run in a deployment check.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from osseo.plausible import implausible_rows


class Command(BaseCommand):
    help = "Report stored clinical dates outside their plausible windows (exit 1 if any)."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = implausible_rows()
        if not problems:
            self.stdout.write("Every clinical date is inside its window.")
            return
        for problem in problems:
            self.stdout.write(str(problem))
        self.stdout.write(f"{len(problems)} date(s) outside their windows.")
        raise SystemExit(1)
