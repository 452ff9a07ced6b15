"""`osseo send-reminders`: send every appointment and MDT meeting reminder that is due now and was
not sent (the worker sends each at its time; this catches up after the worker was stopped)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from osseo.scheduling.reminders import send_due, send_due_meetings


class Command(BaseCommand):
    help = "Send the appointment and MDT meeting reminders due now that were not sent yet."

    def handle(self, *args: Any, **options: Any) -> None:
        count = send_due()
        meetings = send_due_meetings()
        self.stdout.write(
            f"Looked at {count} booked appointment{'s' if count != 1 else ''} and "
            f"{meetings} MDT meeting{'s' if meetings != 1 else ''}."
        )
