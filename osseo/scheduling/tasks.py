"""Background tasks of the clinic's week (Django tasks, django-tasks-db backend)."""

from __future__ import annotations

from django.tasks import task


@task
def send_appointment_reminder(appointment_id: int, kind: str) -> str:
    """Send one appointment's reminder of `kind` (reminders.py); idempotent."""
    from .reminders import send_reminder

    return send_reminder(appointment_id, kind)


@task
def send_mdt_meeting_reminder(meeting_id: int, kind: str) -> str:
    """Send one MDT meeting's reminder of `kind` to its attendees (reminders.py); idempotent."""
    from .reminders import send_meeting_reminder

    return send_meeting_reminder(meeting_id, kind)
