"""Reads of the signed-in patient's own record for their summary (GET /api/v1/me and their
pages): what comes next, their appointments, their connector parts with the dates they are due.

Every function takes a patient already reached through the access-checked getter (the caller
audits the read). Derived from signed facts only (docs/sources.md#design-rules): the forecasts,
the clinic's follow-up schedule, the questionnaires the clinic asks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from osseo.accounts.models import User
from osseo.outcomes.assigned import Assigned, assigned_questionnaires
from osseo.patients.models import Patient
from osseo.surgery.models import CONNECTOR_KINDS, Device, DeviceStatus


@dataclass(frozen=True)
class NextStep:
    code: str  # "questionnaire", "appointment", "follow_up_visit", "part_service"
    label: str  # in the patient's words
    due_on: dt.date | None


# An appointment's kind (osseo/scheduling/models.py, AppointmentKind) in the patient's words, as
# their pages and the next steps say it: the MDT as the pathway's assessment says it (osseo/me).
APPOINTMENT_WORDS = {
    "follow_up": "Follow-up visit",
    "rehab": "Rehabilitation session",
    "connector_service": "Service of the parts that connect your implant to your prosthesis",
    "mdt": "Appointment with the whole team (the MDT)",
}


def appointment_words(appointment: Any) -> str:
    return APPOINTMENT_WORDS.get(appointment.kind) or appointment.get_kind_display()


def my_appointments(user: User, now: dt.datetime | None = None) -> list[Any]:
    """The patient's booked appointments from today on, soonest first (their own only: the
    scheduling app's access-checked read)."""
    from osseo.scheduling.queries import appointments_for

    start = timezone.localtime(now or timezone.now()).replace(hour=0, minute=0, second=0)
    return list(
        appointments_for(user)
        .filter(starts_at__gte=start, status="booked")
        .order_by("starts_at", "id")
    )


def my_parts(patient: Patient) -> list[Device]:
    """The connector parts in place (dualcone, abutment ...) with their service forecasts."""
    return list(
        Device.objects.filter(
            patient=patient, kind__in=CONNECTOR_KINDS, status=DeviceStatus.IN_PLACE
        )
        .select_related("limb", "forecast")
        .order_by("limb_id", "placed_on", "id")
    )


def service_due_on(part: Device) -> dt.date | None:
    forecast = getattr(part, "forecast", None)
    return forecast.due_on if forecast is not None else None


def my_questionnaires(patient: Patient, today: dt.date) -> list[Assigned]:
    return assigned_questionnaires(patient, today)


# How far ahead a part's service shows among the next steps: the connectors' due list's horizon.
PART_STEP_DAYS = 60


def next_steps(
    user: User,
    patient: Patient,
    today: dt.date,
    *,
    appointments: list[Any],
    parts: list[Device],
    questionnaires: list[Assigned],
) -> list[NextStep]:
    """What the patient has to do or go to next, soonest first (undated last): questionnaires
    due, booked appointments, follow-up visits due but not booked yet, parts due for service."""
    from osseo.rehab.queries import visits_due_of
    from osseo.surgery.guide import limb_words

    # A patient with more than one treated limb reads which limb each step is for.
    several = patient.episodes.values("limb").distinct().count() > 1

    def of(limb: Any, joint: str) -> str:
        return f" {joint} {limb_words(limb)}" if several and limb is not None else ""

    steps: list[NextStep] = []
    for a in questionnaires:
        if a.due:
            assert a.occasion is not None
            verb = "Finish" if a.draft else "Answer"
            steps.append(
                NextStep(
                    "questionnaire",
                    f"{verb} the questionnaire {a.questionnaire.title} ({a.occasion.label}"
                    f"{of(a.limb, 'on')})",
                    a.occasion.visit_on,
                )
            )
    for appointment in appointments:
        when = timezone.localtime(appointment.starts_at)
        steps.append(
            NextStep(
                "appointment",
                f"{appointment_words(appointment)} at {appointment.place}",
                when.date(),
            )
        )
    booked = {a.visit_due for a in appointments if a.visit_due}
    for visit in visits_due_of(patient, today):
        if visit.visit.due in booked:
            continue
        steps.append(
            NextStep(
                "follow_up_visit",
                f"Your follow-up visit{of(visit.episode.limb, 'for')} at {visit.visit.label} is "
                "due: the clinic will book it with you",
                visit.visit.due,
            )
        )
    horizon = today + dt.timedelta(days=PART_STEP_DAYS)
    for part in parts:
        due = service_due_on(part)
        if due is not None and due <= horizon:
            steps.append(
                NextStep(
                    "part_service",
                    f"Your {part.get_kind_display().lower()}{of(part.limb, 'on')} is due for a "
                    "service",
                    due,
                )
            )
    return sorted(steps, key=lambda s: (s.due_on is None, s.due_on or today))
