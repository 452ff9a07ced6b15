"""A user's calendar as iCalendar (RFC 5545), built with the `icalendar` library: their
appointments (as clinician, or a patient's own), the MDT meetings they attend, and the planned
operations they are in theatre for (the surgeon's own, and those whose anaesthesia the
anaesthetist agreed). An event says what kind of appointment or operation, where and when, with a
link to sign in; never a patient's name or identifier (the link's id is the appointment's or the
theatre list's day, and the page behind it asks for sign-in)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from icalendar import Calendar, Event

from osseo.accounts.models import Role

from .models import Appointment, AppointmentStatus, MdtMeeting
from .queries import sees_meetings_of

# Events from this long ago on: a subscription shows the recent past and everything to come.
PAST_DAYS = 31


def calendar_for(user: Any, now: dt.datetime | None = None) -> tuple[bytes, int]:
    """The user's calendar and how many events it holds."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=PAST_DAYS)
    base = settings.OSSEO_BASE_URL.rstrip("/")
    cal = Calendar()
    cal.add("prodid", "-//Osseo//The clinic's week//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Osseo")
    membership = getattr(user, "membership", None)
    is_patient = membership is not None and membership.role == Role.PATIENT
    appointments = Appointment.objects.filter(starts_at__gte=since).exclude(
        status=AppointmentStatus.CANCELLED
    )
    if is_patient:
        appointments = appointments.filter(patient_id=user.membership.patient_id)
    else:
        appointments = appointments.filter(clinician=user)
    count = 0
    for a in appointments.select_related("organisation").order_by("starts_at"):
        event = Event()
        event.add("uid", f"appointment-{a.uuid}@osseo")
        event.add("dtstamp", now)
        # Moved, the event is the same one changed: its sequence rises with every change of the
        # appointment (RFC 5545 §3.8.7.4), so a calendar replaces what it showed.
        event.add("sequence", a.version)
        event.add("dtstart", a.starts_at)
        event.add("dtend", a.starts_at + dt.timedelta(minutes=a.minutes))
        # A patient's own calendar says "Appointment" with the clinic's name: no clinical detail
        # on a device that others may see; staff see the kind of appointment.
        event.add(
            "summary",
            f"Appointment, {a.organisation.name}" if is_patient else a.get_kind_display(),
        )
        event.add("location", a.place)
        link = f"{base}/" if is_patient else f"{base}/appointments/{a.uuid}/"
        event.add("url", link)
        event.add("description", f"Sign in to Osseo to see it: {link}")
        cal.add_component(event)
        count += 1
    if not is_patient:
        meetings = MdtMeeting.objects.filter(
            Q(attendees__user=user), starts_at__gte=since, cancelled_at__isnull=True
        ).distinct()
        for m in meetings.select_related("organisation").order_by("starts_at"):
            event = Event()
            event.add("uid", f"mdt-{m.uuid}@osseo")
            event.add("dtstamp", now)
            event.add("sequence", m.version)
            event.add("dtstart", m.starts_at)
            event.add("dtend", m.starts_at + dt.timedelta(hours=1))
            event.add("summary", "MDT meeting")
            if m.place:
                event.add("location", m.place)
            if sees_meetings_of(user, m.organisation):
                link = f"{base}/mdt/meetings/{m.uuid}/"
                event.add("url", link)
                event.add("description", f"Sign in to Osseo to see the agenda: {link}")
            else:  # a partner's attendee: the agenda is the clinic's
                event.add(
                    "description",
                    f"{m.organisation.name} has the agenda: please ask its MDT coordinator.",
                )
            cal.add_component(event)
            count += 1
    if not is_patient:
        count += _add_theatre(cal, user, now, since.date(), base)
    return cal.to_ical(), count


# Planned operations this far ahead go in the feed (days): the theatre list's own horizon is the
# plans' dates, however far off; a year ahead is what a calendar needs.
THEATRE_AHEAD_DAYS = 366


def _add_theatre(cal: Calendar, user: Any, now: dt.datetime, since: dt.date, base: str) -> int:
    """The planned operations the user is in theatre for, as all-day events (a plan gives the
    day, not the time): the surgeon's own, and those whose anaesthesia the user agreed. The
    summary says what operation it is; no patient, limb or identifier."""
    from osseo.accounts.permissions import has_permission

    from . import theatre

    if not has_permission(user, "theatre.view"):
        return 0
    until = timezone.localdate(now) + dt.timedelta(days=THEATRE_AHEAD_DAYS)
    count = 0
    for row in theatre.theatre_list(user, since, until):
        plan = row.plan
        theirs = row.surgeon == user or (
            plan is not None and plan.anaesthesia_agreed_by_id == user.pk
        )
        if plan is None or not theirs:
            continue
        event = Event()
        event.add("uid", f"theatre-{plan.uuid}-{slugify(row.what)}@osseo")
        event.add("dtstamp", now)
        event.add("sequence", plan.version)
        event.add("dtstart", row.date)
        event.add("dtend", row.date + dt.timedelta(days=1))
        event.add("summary", f"Theatre: {row.what}")
        link = f"{base}/theatre/?from={row.date.isoformat()}&to={row.date.isoformat()}"
        event.add("url", link)
        event.add("description", f"Sign in to Osseo to see the theatre list: {link}")
        cal.add_component(event)
        count += 1
    return count
