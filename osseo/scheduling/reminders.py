"""Appointment and MDT meeting reminders by e-mail, sent by the background worker (tasks.py) the
day before and at the clinic's lead time (`appointment_reminder_hours`, for meetings too).

A meeting's reminder goes to each attendee who is a user (an outside professional has no
address here): when and where, with a link to sign in to its agenda; never a patient's name.

A reminder to staff names no patient: it says when and where, with a link to sign in. A reminder
to a patient names no clinical detail: the clinic, when and where, nothing of why. Each reminder
goes once (a `Reminder` row per appointment, kind, recipient and time reminded of), however often
the task runs; an appointment moved to a new time is reminded of again, for its new time.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from osseo.accounts.clinic_settings import resolve
from osseo.audit.context import acting_as
from osseo.audit.services import record

from . import rules
from .models import Appointment, AppointmentStatus, MdtMeeting, MeetingReminder, Reminder

log = logging.getLogger(__name__)


def lead_hours(booking: Appointment | MdtMeeting) -> int:
    return int(resolve(booking.organisation, "appointment_reminder_hours").value)


def _when(booking: Appointment | MdtMeeting) -> str:
    local = timezone.localtime(booking.starts_at)
    return f"{local:%A} {local.day} {local:%B %Y at %H:%M}"


def staff_mail(appointment: Appointment) -> tuple[str, str]:
    """Subject and body to the clinician: no patient named, a link to sign in."""
    base = settings.OSSEO_BASE_URL.rstrip("/")
    return (
        f"Osseo: an appointment on {_when(appointment)}",
        f"You have an appointment ({appointment.get_kind_display().lower()}, "
        f"{appointment.minutes} minutes) on {_when(appointment)} at {appointment.place}.\n\n"
        f"Sign in to see it: {base}/appointments/{appointment.uuid}/\n",
    )


def patient_mail(appointment: Appointment) -> tuple[str, str]:
    """Subject and body to the patient: the clinic, when and where; no clinical detail."""
    clinic = appointment.organisation.name
    contact = appointment.organisation.contact_text  # the clinic's own (osseo/accounts/contact.py)
    return (
        f"{clinic}: your appointment on {_when(appointment)}",
        f"This is a reminder of your appointment with {clinic} on {_when(appointment)} at "
        f"{appointment.place}.\n\nIf you cannot come, please contact the clinic.\n"
        + (f"\n{contact}\n" if contact else ""),
    )


def send_reminder(appointment_id: int, kind: str, now: dt.datetime | None = None) -> str:
    """Send the `kind` reminder of one appointment to its clinician and its patient, if its time
    has come, the appointment is still booked and it was not sent already. What it did, in words."""
    now = now or timezone.now()
    appointment = (
        Appointment.objects.select_related("patient", "clinician", "organisation")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None or appointment.status != AppointmentStatus.BOOKED:
        return "not booked"
    due = rules.reminders_due(
        appointment.starts_at,
        lead_hours(appointment),
        now,
        local=timezone.get_current_timezone(),
    )
    if kind not in due:
        return "not due"
    sent = []
    for to_patient, address, (subject, body) in (
        (False, appointment.clinician.email, staff_mail(appointment)),
        (True, appointment.patient.email, patient_mail(appointment)),
    ):
        if not address:
            continue
        with transaction.atomic():
            _, created = Reminder.objects.get_or_create(
                appointment=appointment,
                kind=kind,
                to_patient=to_patient,
                starts_at=appointment.starts_at,
                defaults={"sent_at": now},
            )
            if not created:
                continue
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
            with acting_as(label="osseo worker"):
                record(
                    "scheduling.appointment.reminded",
                    actor=None,
                    patient=appointment.patient,
                    obj=appointment,
                    changes={"kind": kind, "to": "patient" if to_patient else "clinician"},
                )
        sent.append("patient" if to_patient else "clinician")
    return f"sent to {', '.join(sent)}" if sent else "already sent"


def enqueue_reminders(appointment: Appointment, now: dt.datetime | None = None) -> None:
    """Queue the appointment's reminders for their times (after the booking commits). A time
    already past when it is booked: only the latest of those goes, at once."""
    from .tasks import send_appointment_reminder

    _queue(send_appointment_reminder, appointment, now, appointment_id=appointment.pk)


def _queue(task: Any, booking: Any, now: dt.datetime | None, **ids: Any) -> None:
    """Queue `task` for each reminder time of `booking` (an appointment or a meeting) still to
    come; of the times already past, only the latest goes, at once."""
    now = now or timezone.now()
    if booking.starts_at <= now:
        return
    times = rules.reminder_times(
        booking.starts_at, lead_hours(booking), local=timezone.get_current_timezone()
    )
    past = [t for t in times if t.send_from <= now]
    keep = [t for t in times if t.send_from > now]
    if past:
        keep.append(max(past, key=lambda t: t.send_from))
    for t in keep:
        queued = task.using(run_after=t.send_from) if t.send_from > now else task
        queued.enqueue(kind=t.kind, **ids)


def send_due(now: dt.datetime | None = None) -> int:
    """Send every reminder due now for booked appointments to come (`osseo send-reminders`, a
    catch-up after the worker was down); how many appointments were looked at."""
    now = now or timezone.now()
    upcoming = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(hours=24 * 31),
    )
    count = 0
    for appointment in upcoming:
        for kind in rules.reminders_due(
            appointment.starts_at,
            lead_hours(appointment),
            now,
            local=timezone.get_current_timezone(),
        ):
            send_reminder(appointment.pk, kind, now)
        count += 1
    return count


# --- MDT meetings ------------------------------------------------------------------------------


def meeting_mail(meeting: MdtMeeting) -> tuple[str, str]:
    """Subject and body to an attendee: when and where, a link to sign in; no patient named."""
    base = settings.OSSEO_BASE_URL.rstrip("/")
    where = f" at {meeting.place}" if meeting.place else ""
    return (
        f"Osseo: an MDT meeting on {_when(meeting)}",
        f"You attend the MDT meeting on {_when(meeting)}{where}.\n\n"
        f"Sign in to see its agenda: {base}/mdt/meetings/{meeting.uuid}/\n",
    )


def send_meeting_reminder(meeting_id: int, kind: str, now: dt.datetime | None = None) -> str:
    """Send the `kind` reminder of one MDT meeting to each attendee who is an active user with an
    e-mail address, if its time has come and it was not sent to them already. In words."""
    now = now or timezone.now()
    meeting = MdtMeeting.objects.select_related("organisation").filter(pk=meeting_id).first()
    if meeting is None:
        return "no meeting"
    if kind not in rules.reminders_due(
        meeting.starts_at, lead_hours(meeting), now, local=timezone.get_current_timezone()
    ):
        return "not due"
    subject, body = meeting_mail(meeting)
    sent = 0
    attendees = meeting.attendees.filter(user__isnull=False, user__is_active=True).select_related(
        "user"
    )
    for user in dict.fromkeys(a.user for a in attendees if a.user is not None and a.user.email):
        with transaction.atomic():
            _, created = MeetingReminder.objects.get_or_create(
                meeting=meeting,
                user=user,
                kind=kind,
                starts_at=meeting.starts_at,
                defaults={"sent_at": now},
            )
            if not created:
                continue
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
            with acting_as(label="osseo worker"):
                record(
                    "scheduling.meeting.reminded",
                    actor=None,
                    obj=meeting,
                    changes={"kind": kind, "to": user.username},
                )
        sent += 1
    return f"sent to {sent} attendee{'s' if sent != 1 else ''}" if sent else "already sent"


def enqueue_meeting_reminders(meeting: MdtMeeting, now: dt.datetime | None = None) -> None:
    """Queue the meeting's reminders for their times (after the change commits); a time already
    past: only the latest of those, at once (an attendee added late gets that one)."""
    from .tasks import send_mdt_meeting_reminder

    _queue(send_mdt_meeting_reminder, meeting, now, meeting_id=meeting.pk)


def send_due_meetings(now: dt.datetime | None = None) -> int:
    """Send every MDT meeting reminder due now (`osseo send-reminders`); how many meetings were
    looked at."""
    now = now or timezone.now()
    upcoming = MdtMeeting.objects.filter(
        starts_at__gt=now, starts_at__lte=now + dt.timedelta(hours=24 * 31)
    )
    count = 0
    for meeting in upcoming:
        for kind in rules.reminders_due(
            meeting.starts_at, lead_hours(meeting), now, local=timezone.get_current_timezone()
        ):
            send_meeting_reminder(meeting.pk, kind, now)
        count += 1
    return count
