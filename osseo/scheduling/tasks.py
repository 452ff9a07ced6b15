"""Background tasks of the clinic's week (Django tasks, django-tasks-db backend)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.tasks import task


@task
def send_appointment_reminder(appointment_id: int, kind: str, starts_at: str | None = None) -> str:
    """Send one appointment's reminder of `kind` (reminders.py); idempotent. Queued for the
    appointment's time `starts_at` (ISO 8601): not sent if it has moved since."""
    from .reminders import send_reminder

    when = dt.datetime.fromisoformat(starts_at) if starts_at else None
    return send_reminder(appointment_id, kind, starts_at=when)


@task
def send_appointment_notice(
    appointment_id: int, version: int, kind: str, old: dict[str, Any]
) -> str:
    """Tell the patient and clinicians that an appointment was moved or cancelled, at once
    (reminders.py); idempotent."""
    from .reminders import send_notice

    return send_notice(appointment_id, version, kind, old)


@task
def send_mdt_meeting_reminder(meeting_id: int, kind: str) -> str:
    """Send one MDT meeting's reminder of `kind` to its attendees (reminders.py); idempotent."""
    from .reminders import send_meeting_reminder

    return send_meeting_reminder(meeting_id, kind)


@task
def send_mdt_meeting_cancelled(meeting_id: int) -> str:
    """Tell a cancelled meeting's attendees, at once (reminders.py); idempotent."""
    from .reminders import send_meeting_cancelled

    return send_meeting_cancelled(meeting_id)


@task
def send_mdt_meeting_moved(meeting_id: int, version: int, old: dict[str, Any]) -> str:
    """Tell a moved meeting's attendees, at once (reminders.py); idempotent."""
    from .reminders import send_meeting_moved

    return send_meeting_moved(meeting_id, version, old)
