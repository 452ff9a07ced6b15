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
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from osseo.accounts.clinic_settings import resolve
from osseo.accounts.models import User
from osseo.audit.context import acting_as
from osseo.audit.services import record

from . import rules
from .models import (
    Appointment,
    AppointmentNotice,
    AppointmentStatus,
    MdtMeeting,
    MeetingMailKind,
    MeetingReminder,
    NoticeKind,
    Reminder,
)
from .queries import death_recorded, sees_meetings_of

log = logging.getLogger(__name__)


def lead_hours(booking: Appointment | MdtMeeting) -> int:
    return int(resolve(booking.organisation, "appointment_reminder_hours").value)


def _moment(at: dt.datetime) -> str:
    """A time as the mails say it: "Monday 7 December 2026 at 09:30", in the clinic's zone."""
    local = timezone.localtime(at)
    return f"{local:%A} {local.day} {local:%B %Y at %H:%M}"


def _when(booking: Appointment | MdtMeeting) -> str:
    return _moment(booking.starts_at)


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


def _send_once(
    model: Any,
    lookup: dict[str, Any],
    defaults: dict[str, Any],
    address: str,
    subject: str,
    body: str,
    audit_action: str,
    *,
    obj: Any,
    changes: dict[str, Any],
    patient: Any = None,
) -> bool:
    """Send one mail unless its row (`model` by `lookup`) says it went already: the row, the
    mail and the worker's audit entry together. Whether it was sent now."""
    with transaction.atomic():
        _, created = model.objects.get_or_create(**lookup, defaults=defaults)
        if not created:
            return False
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        with acting_as(label="osseo worker"):
            record(audit_action, actor=None, patient=patient, obj=obj, changes=changes)
    return True


def send_reminder(
    appointment_id: int,
    kind: str,
    now: dt.datetime | None = None,
    *,
    starts_at: dt.datetime | None = None,
) -> str:
    """Send the `kind` reminder of one appointment to its clinician and its patient, if its time
    has come, the appointment is still booked and it was not sent already. A reminder queued for
    `starts_at` goes only while the appointment is still at that time (one moved since has its own
    reminders queued for its new time). What it did, in words."""
    now = now or timezone.now()
    appointment = (
        Appointment.objects.select_related("patient", "clinician", "organisation")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None or appointment.status != AppointmentStatus.BOOKED:
        return "not booked"
    if starts_at is not None and starts_at != appointment.starts_at:
        return "moved since it was queued"
    if death_recorded(appointment.patient):
        return "the patient has died"
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
        if not _send_once(
            Reminder,
            {
                "appointment": appointment,
                "kind": kind,
                "to_patient": to_patient,
                "starts_at": appointment.starts_at,
            },
            {"sent_at": now},
            address,
            subject,
            body,
            "scheduling.appointment.reminded",
            obj=appointment,
            patient=appointment.patient,
            changes={"kind": kind, "to": "patient" if to_patient else "clinician"},
        ):
            continue
        sent.append("patient" if to_patient else "clinician")
    return f"sent to {', '.join(sent)}" if sent else "already sent"


def enqueue_reminders(appointment: Appointment, now: dt.datetime | None = None) -> None:
    """Queue the appointment's reminders for their times (after the booking commits). A time
    already past when it is booked: only the latest of those goes, at once."""
    from .tasks import send_appointment_reminder

    _queue(
        send_appointment_reminder,
        appointment,
        now,
        appointment_id=appointment.pk,
        starts_at=appointment.starts_at.isoformat(),
    )


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


# --- Notices of a moved or cancelled appointment -------------------------------------------------


def _was(old_when: str, old_place: str) -> str:
    return f"{old_when} at {old_place}"


def staff_notice(
    appointment: Appointment, kind: str, old: dict[str, Any], *, still_yours: bool = True
) -> tuple[str, str]:
    """Subject and body of a notice to a clinician: what changed, a link to sign in; no patient
    named and no reason given (the reason is on the appointment's page, behind sign-in)."""
    base = settings.OSSEO_BASE_URL.rstrip("/")
    link = f"\n\nSign in to see it: {base}/appointments/{appointment.uuid}/\n"
    what = f"{appointment.get_kind_display().lower()}, {appointment.minutes} minutes"
    was = _was(old["when"], old["place"])
    if kind == NoticeKind.CANCELLED:
        return (
            f"Osseo: an appointment on {old['when']} is cancelled",
            f"The appointment ({what}) on {was} is cancelled." + link,
        )
    if not still_yours:
        return (
            f"Osseo: an appointment on {old['when']} is no longer yours",
            f"The appointment ({what}) on {was} has been given to another clinician." + link,
        )
    if old.get("clinician_id") not in (None, appointment.clinician_id):
        return (
            f"Osseo: an appointment on {_when(appointment)} is now yours",
            f"An appointment ({what}) on {_when(appointment)} at {appointment.place} "
            "has been given to you." + link,
        )
    same_slot = (
        dt.datetime.fromisoformat(old["starts_at"]) == appointment.starts_at
        and old["place"] == appointment.place
    )
    if same_slot:  # only its length changed
        return (
            f"Osseo: an appointment on {old['when']} has changed",
            f"Your appointment on {was} has changed: it is now a {what}." + link,
        )
    return (
        f"Osseo: an appointment has moved to {_when(appointment)}",
        f"Your appointment ({what}) on {was} has moved: it is now on {_when(appointment)} at "
        f"{appointment.place}." + link,
    )


def patient_notice(appointment: Appointment, kind: str, old: dict[str, Any]) -> tuple[str, str]:
    """Subject and body of a notice to the patient: the clinic, when and where; no clinical
    detail and no reason given."""
    clinic = appointment.organisation.name
    contact = appointment.organisation.contact_text
    tail = "\nIf you have a question, please contact the clinic.\n" + (
        f"\n{contact}\n" if contact else ""
    )
    was = _was(old["when"], old["place"])
    if kind == NoticeKind.CANCELLED:
        return (
            f"{clinic}: your appointment on {old['when']} is cancelled",
            f"Your appointment with {clinic} on {was} is cancelled.\n" + tail,
        )
    return (
        f"{clinic}: your appointment has moved to {_when(appointment)}",
        f"Your appointment with {clinic} on {was} has moved. It is now on {_when(appointment)} "
        f"at {appointment.place}.\n" + tail,
    )


def send_notice(
    appointment_id: int,
    version: int,
    kind: str,
    old: dict[str, Any],
    now: dt.datetime | None = None,
) -> str:
    """Tell the patient and the clinicians concerned that a booked appointment was moved or
    cancelled (`old` holds its former `starts_at`, `place` and `clinician_id`). Only while that
    change is the appointment's latest (a later change sends its own notice) and the appointment
    or its former time is still to come; each recipient once. What it did, in words."""
    now = now or timezone.now()
    appointment = (
        Appointment.objects.select_related("patient", "clinician", "organisation")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None or appointment.version != version:
        return "changed again since"
    old_starts = dt.datetime.fromisoformat(old["starts_at"])
    if max(old_starts, appointment.starts_at) <= now:
        return "past"
    old = {**old, "when": _moment(old_starts)}
    recipients: list[tuple[bool, User | None, str, tuple[str, str]]] = []
    old_id = old.get("clinician_id")
    old_clinician = (
        User.objects.filter(pk=int(old_id)).first()
        if old_id is not None and old_id != appointment.clinician_id
        else None
    )
    if not death_recorded(appointment.patient) and (
        kind == NoticeKind.CANCELLED
        or old_starts != appointment.starts_at
        or old["place"] != appointment.place
    ):
        recipients.append(
            (True, None, appointment.patient.email, patient_notice(appointment, kind, old))
        )
    recipients.append(
        (
            False,
            appointment.clinician,
            appointment.clinician.email if appointment.clinician.is_active else "",
            staff_notice(appointment, kind, old),
        )
    )
    if old_clinician is not None and old_clinician.is_active:
        recipients.append(
            (
                False,
                old_clinician,
                old_clinician.email,
                staff_notice(appointment, kind, old, still_yours=False),
            )
        )
    sent = []
    for to_patient, clinician, address, (subject, body) in recipients:
        if not address:
            continue
        to = f"clinician {clinician.username}" if clinician else "patient"
        if not _send_once(
            AppointmentNotice,
            {
                "appointment": appointment,
                "version": version,
                "to_patient": to_patient,
                "clinician": clinician,
            },
            {"kind": kind, "sent_at": now},
            address,
            subject,
            body,
            "scheduling.appointment.notified",
            obj=appointment,
            patient=appointment.patient,
            changes={"kind": kind, "to": to},
        ):
            continue
        sent.append("patient" if to_patient else "clinician")
    return f"sent to {', '.join(sent)}" if sent else "nothing to send"


def enqueue_notice(
    appointment: Appointment,
    kind: str,
    old_starts_at: dt.datetime,
    old_place: str,
    old_clinician: int,
) -> None:
    """Queue the notice of a change for the worker to send at once (after the change commits)."""
    from .tasks import send_appointment_notice

    send_appointment_notice.enqueue(
        appointment_id=appointment.pk,
        version=appointment.version,
        kind=kind,
        old={
            "starts_at": old_starts_at.isoformat(),
            "place": old_place,
            "clinician_id": old_clinician,
        },
    )


# --- MDT meetings ------------------------------------------------------------------------------


def _sign_in_line(meeting: MdtMeeting, user: User | None, page: str, what: str) -> str:
    """A link to sign in to `page`, for an attendee who can open it; an attendee from a partner
    organisation (who cannot see the clinic's meetings) is told whom to ask instead."""
    if user is not None and not sees_meetings_of(user, meeting.organisation):
        return f"{meeting.organisation.name} has {what}: please ask its MDT coordinator.\n"
    return f"Sign in to see {what}: {settings.OSSEO_BASE_URL.rstrip('/')}{page}\n"


def meeting_mail(meeting: MdtMeeting, user: User | None = None) -> tuple[str, str]:
    """Subject and body to an attendee: when and where, a link to sign in (or whom to ask, for
    a partner's attendee); no patient named."""
    where = f" at {meeting.place}" if meeting.place else ""
    return (
        f"Osseo: an MDT meeting on {_when(meeting)}",
        f"You attend the MDT meeting on {_when(meeting)}{where}.\n\n"
        + _sign_in_line(meeting, user, f"/mdt/meetings/{meeting.uuid}/", "its agenda"),
    )


def _mail_attendees(
    meeting: MdtMeeting,
    kind: str,
    now: dt.datetime,
    mail: Callable[[MdtMeeting, User], tuple[str, str]],
    audit_action: str,
) -> int:
    """Send one mail of `kind` to each attendee who is an active user with an e-mail address,
    once each (a `MeetingReminder` row per meeting, attendee, kind and time); how many went now."""
    sent = 0
    attendees = meeting.attendees.filter(user__isnull=False, user__is_active=True).select_related(
        "user"
    )
    for user in dict.fromkeys(a.user for a in attendees if a.user is not None and a.user.email):
        if _send_once(
            MeetingReminder,
            {"meeting": meeting, "user": user, "kind": kind, "starts_at": meeting.starts_at},
            {"sent_at": now},
            user.email,
            *mail(meeting, user),
            audit_action,
            obj=meeting,
            changes={"kind": kind, "to": user.username},
        ):
            sent += 1
    return sent


def send_meeting_reminder(meeting_id: int, kind: str, now: dt.datetime | None = None) -> str:
    """Send the `kind` reminder of one MDT meeting to each attendee who is an active user with an
    e-mail address, if its time has come and it was not sent to them already. In words."""
    now = now or timezone.now()
    meeting = MdtMeeting.objects.select_related("organisation").filter(pk=meeting_id).first()
    if meeting is None:
        return "no meeting"
    if meeting.cancelled_at is not None:
        return "cancelled"
    if kind not in rules.reminders_due(
        meeting.starts_at, lead_hours(meeting), now, local=timezone.get_current_timezone()
    ):
        return "not due"
    sent = _mail_attendees(meeting, kind, now, meeting_mail, "scheduling.meeting.reminded")
    return f"sent to {sent} attendee{'s' if sent != 1 else ''}" if sent else "already sent"


def meeting_cancelled_mail(meeting: MdtMeeting, user: User | None = None) -> tuple[str, str]:
    """Subject and body to an attendee of a cancelled meeting: when and where it was to be, a
    link to sign in (or whom to ask); no patient named and no reason given (that is behind
    sign-in)."""
    where = f" at {meeting.place}" if meeting.place else ""
    return (
        f"Osseo: the MDT meeting on {_when(meeting)} is cancelled",
        f"The MDT meeting on {_when(meeting)}{where} is cancelled.\n\n"
        + _sign_in_line(meeting, user, "/mdt/meetings/", "the clinic's meetings"),
    )


def send_meeting_cancelled(meeting_id: int, now: dt.datetime | None = None) -> str:
    """Tell each attendee who is an active user with an e-mail address that the meeting is
    cancelled, once each, while it is still to come. What it did, in words."""
    now = now or timezone.now()
    meeting = MdtMeeting.objects.select_related("organisation").filter(pk=meeting_id).first()
    if meeting is None or meeting.cancelled_at is None:
        return "not cancelled"
    if meeting.starts_at <= now:
        return "past"
    sent = _mail_attendees(
        meeting,
        MeetingMailKind.CANCELLED,
        now,
        meeting_cancelled_mail,
        "scheduling.meeting.notified",
    )
    return f"told {sent} attendee{'s' if sent != 1 else ''}" if sent else "nothing to send"


def meeting_moved_mail(
    meeting: MdtMeeting, user: User | None = None, *, old: dict[str, Any]
) -> tuple[str, str]:
    """Subject and body to an attendee of a moved meeting: when and where it was, when and where
    it is now, a link to sign in (or whom to ask); no patient named."""
    was = _moment(dt.datetime.fromisoformat(old["starts_at"])) + (
        f" at {old['place']}" if old.get("place") else ""
    )
    where = f" at {meeting.place}" if meeting.place else ""
    return (
        f"Osseo: the MDT meeting has moved to {_when(meeting)}",
        f"The MDT meeting on {was} has moved: it is now on {_when(meeting)}{where}.\n\n"
        + _sign_in_line(meeting, user, f"/mdt/meetings/{meeting.uuid}/", "its agenda"),
    )


def send_meeting_moved(
    meeting_id: int, version: int, old: dict[str, Any], now: dt.datetime | None = None
) -> str:
    """Tell each attendee who is an active user with an e-mail address that the meeting moved
    (`old`: its former `starts_at` and `place`), once each, while that move is the meeting's
    latest change and it is still to come. What it did, in words."""
    now = now or timezone.now()
    meeting = MdtMeeting.objects.select_related("organisation").filter(pk=meeting_id).first()
    if meeting is None or meeting.version != version or meeting.cancelled_at is not None:
        return "changed again since"
    if meeting.starts_at <= now:
        return "past"
    sent = _mail_attendees(
        meeting,
        MeetingMailKind.MOVED,
        now,
        lambda m, u: meeting_moved_mail(m, u, old=old),
        "scheduling.meeting.notified",
    )
    return f"told {sent} attendee{'s' if sent != 1 else ''}" if sent else "nothing to send"


def enqueue_meeting_moved(meeting: MdtMeeting, old_starts_at: dt.datetime, old_place: str) -> None:
    """Queue the notice of a moved meeting for the worker to send at once."""
    from .tasks import send_mdt_meeting_moved

    send_mdt_meeting_moved.enqueue(
        meeting_id=meeting.pk,
        version=meeting.version,
        old={"starts_at": old_starts_at.isoformat(), "place": old_place},
    )


def enqueue_meeting_cancelled(meeting: MdtMeeting) -> None:
    """Queue the notice of a cancelled meeting for the worker to send at once."""
    from .tasks import send_mdt_meeting_cancelled

    send_mdt_meeting_cancelled.enqueue(meeting_id=meeting.pk)


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
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(hours=24 * 31),
        cancelled_at__isnull=True,
    )
    count = 0
    for meeting in upcoming:
        for kind in rules.reminders_due(
            meeting.starts_at, lead_hours(meeting), now, local=timezone.get_current_timezone()
        ):
            send_meeting_reminder(meeting.pk, kind, now)
        count += 1
    return count
