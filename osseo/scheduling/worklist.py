"""Each role's worklist (issue 22): the panels of the dashboard's worklist that belong to one
role's work, registered in apps.py beside those the other apps register. A provider answers
None for a user whose role does not do that work; every list reads only the user's patients.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from osseo.accounts.models import Role
from osseo.accounts.permissions import has_permission
from osseo.pathway.models import Phase
from osseo.patients.due import Due
from osseo.patients.queries import patients_for
from osseo.patients.worklist import SHOWN, Panel, WorkItem, panel
from osseo.surgery.models import Procedure, RecordStatus, SurgicalPlan
from osseo.surgery.queries import anaesthetic_history
from osseo.surgery.rules import ANAESTHESIA_LABELS

from . import theatre

# How far back a missing load log is still worth chasing (days): older gaps are the plan page's.
MISSING_LOG_DAYS = 7
# How far ahead the function tests of a follow-up visit are listed (days): the follow-up list's
# own default window (osseo/rehab/worklist.py).
TESTS_AHEAD_DAYS = 30


def _days(delta: dt.timedelta) -> str:
    return f"{delta.days} day{'s' if delta.days != 1 else ''}"


def _role(user: Any) -> str:
    membership = getattr(user, "membership", None)
    return membership.role if membership is not None else ""


def history_of(plan: SurgicalPlan) -> str:
    """The patient's relevant history in one line (the plan page lists it in full)."""
    assessment = plan.episode.assessments.first()
    if assessment is None:
        return "no assessment recorded"
    found = anaesthetic_history(assessment)
    return "; ".join(found) if found else "no comorbidity recorded at the MDT"


def plans_to_agree(user: Any, today: dt.date) -> Panel | None:
    """The anaesthetist's plans waiting for agreement, the soonest operation first."""
    if not has_permission(user, "plan.anaesthesia"):
        return None
    plans = (
        SurgicalPlan.objects.filter(
            episode__patient__in=patients_for(user),
            anaesthesia_agreed_by__isnull=True,
            episode__phase=Phase.PLANNING,
        )
        .select_related("episode__patient", "episode__limb")
        .prefetch_related("episode__assessments")
        .order_by("planned_date", "created_at", "id")
    )
    items = [
        WorkItem(
            patient=plan.episode.patient,
            text=(
                f"{plan.episode.limb}: "
                f"{ANAESTHESIA_LABELS.get(plan.anaesthesia, plan.anaesthesia)}"
                + (f", operation {plan.planned_date:%-d %b %Y}" if plan.planned_date else "")
                + f". History: {history_of(plan)}."
            ),
            url=reverse("surgery:plan", args=[plan.episode.uuid]),
            urgent=plan.planned_date is not None
            and plan.planned_date <= today + dt.timedelta(days=7),
        )
        for plan in plans[: SHOWN * 4]
    ]
    return panel(
        "Plans to agree",
        items,
        count=plans.count(),
        empty="No plan waits for your agreement.",
        note="An operation within a week is marked first.",
    )


def records_to_sign(user: Any, today: dt.date) -> Panel | None:
    """The surgeon's own operative records still in draft, the oldest operation first."""
    if not has_permission(user, "procedure.sign"):
        return None
    drafts = (
        Procedure.objects.filter(
            patient__in=patients_for(user), surgeon=user, status=RecordStatus.DRAFT
        )
        .select_related("patient", "limb")
        .order_by("performed_on", "id")
    )
    items = [
        WorkItem(
            patient=p.patient,
            text=f"{p.get_kind_display()}, {p.limb}, on {p.performed_on:%-d %b %Y}: not signed",
            url=reverse("surgery:procedure", args=[p.uuid]),
            urgent=p.performed_on < today,
        )
        for p in drafts[:SHOWN]
    ]
    return panel(
        "Operative records to sign",
        items,
        count=drafts.count(),
        empty="Every operative record of yours is signed.",
    )


def stages_due(user: Any, today: dt.date) -> Panel | None:
    """The next stage of each staged plan whose stage before it is signed (issue 22)."""
    if not has_permission(user, "procedure.record"):
        return None
    due = theatre.stages_due(user, today)
    items = [
        WorkItem(
            patient=s.patient,
            text=f"Stage {s.number}, {s.episode.limb}: {s.status_text(today)}"
            + (f"; planned {s.planned_on:%-d %b %Y}" if s.planned_on else "; no date planned"),
            url=reverse("surgery:plan", args=[s.episode.uuid]),
            urgent=s.status(today) == "overdue",
        )
        for s in due
    ]
    return panel(
        "Stages due",
        items,
        empty="No staged plan has a stage due.",
        more_url=reverse("scheduling:theatre"),
        more_label="The theatre list",
        note="The window is the clinic's stage window setting, counted from the signed stage.",
    )


def next_stage_due(user: Any, patients: Any, today: dt.date) -> dict[int, Due]:
    """Each patient's next stage of a staged plan, for the patient list's "next due" column: due
    by the end of its window (overdue once that has passed), for the clinic's clinical staff."""
    if not has_permission(user, "theatre.view"):
        return {}
    found: dict[int, Due] = {}
    for s in theatre.stages_due(user, today, patients):
        item = Due(
            on=s.latest,
            what=f"Stage {s.number}, {s.episode.limb}: window "
            f"{s.earliest:%-d %b %Y} to {s.latest:%-d %b %Y}",
            url=reverse("surgery:plan", args=[s.episode.uuid]),
        )
        if s.patient.pk not in found or item.on < found[s.patient.pk].on:
            found[s.patient.pk] = item
    return found


def overload_flags(user: Any, today: dt.date) -> Panel | None:
    """Falls and overloads that ask for an inspection of a limb's parts, until one is recorded
    (osseo/connectors/forecasts.py): the prosthetist's and surgeon's flags to clear."""
    if not has_permission(user, "connector.replace"):
        return None
    from osseo.connectors.models import Forecast, ForecastBasis
    from osseo.surgery.queries import parts_in_care

    flagged = (
        Forecast.objects.filter(
            device__patient__in=patients_for(user),
            device__in=parts_in_care(),
            basis=ForecastBasis.OVERLOAD,
        )
        .select_related("device__patient", "device__limb")
        .order_by("due_on", "device_id")
    )
    items = [
        WorkItem(
            patient=f.device.patient,
            text=f"{f.device.get_kind_display()}, {f.device.limb}: inspect"
            + (f" ({f.inspection})" if f.inspection else ""),
            url=reverse("connectors:patient", args=[f.device.patient.uuid]),
            urgent=True,
        )
        for f in flagged[:SHOWN]
    ]
    return panel(
        "Overload and fall flags to clear",
        items,
        count=flagged.count(),
        empty="No part waits for an inspection after a fall or overload.",
        note="Recording an inspection or torque check clears the flag.",
    )


def mdt_agenda(user: Any, today: dt.date) -> Panel | None:
    """The coordinator's patients whose eligibility assessment is due: episodes in assessment
    with no decision yet, and whether a meeting has them on its agenda."""
    if _role(user) not in (Role.COORDINATOR, Role.CLINIC_ADMIN) or not has_permission(
        user, "assessment.record"
    ):
        return None
    from .queries import assessment_due, next_meeting_for

    episodes = assessment_due(user)
    items = []
    for episode in episodes[:SHOWN]:
        meeting = next_meeting_for(episode, today)
        items.append(
            WorkItem(
                patient=episode.patient,
                text=f"{episode.limb}: assessment due; "
                + (
                    f"on the agenda of the MDT of {meeting.starts_at:%-d %b %Y}"
                    if meeting
                    else "not on a meeting's agenda yet"
                ),
                url=reverse("scheduling:meeting", args=[meeting.uuid])
                if meeting
                else reverse("scheduling:meetings"),
                urgent=meeting is None,
            )
        )
    return panel(
        "MDT agenda: assessments due",
        items,
        count=episodes.count(),
        empty="No assessment is due.",
        more_url=reverse("scheduling:meetings"),
        more_label="MDT meetings",
    )


def enquiries(user: Any, today: dt.date) -> Panel | None:
    """New public enquiries, for those who triage them (osseo/portal)."""
    if _role(user) != Role.COORDINATOR:
        return None
    from osseo.portal.queries import new_enquiry_count

    count = new_enquiry_count(user)
    if count is None:
        return None
    items = (
        [
            WorkItem(
                patient=None,
                text=f"{count} new enquir{'y' if count == 1 else 'ies'} to triage",
                url=reverse("portal:queue"),
                urgent=False,
            )
        ]
        if count
        else []
    )
    return panel("Enquiries", items, count=count, empty="No new enquiry.")


def missing_logs(user: Any, today: dt.date) -> Panel | None:
    """Rehabilitation plans with days of the last week left unlogged (the rehab partner's)."""
    if _role(user) != Role.REHAB_SPECIALIST:
        return None
    from osseo.rehab.models import RehabPlan
    from osseo.rehab.queries import plan_phases
    from osseo.rehab.rules import missing_days, plan_end

    since = today - dt.timedelta(days=MISSING_LOG_DAYS)
    plans = (
        RehabPlan.objects.filter(patient__in=patients_for(user), start_date__lte=today)
        .select_related("patient")
        .prefetch_related("logs")
        .order_by("patient__family_name", "patient__given_name", "id")
    )
    items = []
    for plan in plans:
        phases = plan_phases(plan)
        if not phases or plan_end(plan.start_date, phases) < since:
            continue
        logged = {log.date for log in plan.logs.all()}
        gaps = [d for d in missing_days(phases, plan.start_date, logged, today) if d >= since]
        if gaps:
            items.append(
                WorkItem(
                    patient=plan.patient,
                    text=f"{plan.protocol_name}: {len(gaps)} day"
                    f"{'s' if len(gaps) != 1 else ''} of the last {MISSING_LOG_DAYS} "
                    f"not logged, the latest {gaps[-1]:%-d %b %Y}",
                    url=reverse("rehab:plan", args=[plan.uuid]),
                    urgent=len(gaps) >= 3,
                )
            )
    return panel(
        "Missing load logs",
        items,
        empty=f"Every plan is logged for the last {MISSING_LOG_DAYS} days.",
    )


def tests_due(user: Any, today: dt.date) -> Panel | None:
    """The function tests due at the next follow-up visit: those of the patient's site profile
    (osseo/patients/sites.py) not recorded since the visit before it."""
    if _role(user) != Role.REHAB_SPECIALIST:
        return None
    from osseo.rehab.queries import visits_due_of

    patients = (
        patients_for(user)
        .filter(episodes__phase__in=[Phase.REHABILITATION, Phase.FOLLOW_UP])
        .distinct()
        .order_by("family_name", "id")
    )
    items = [
        WorkItem(
            patient=patient,
            text=f"{due.visit.label} visit, {due.episode.limb}, due {due.visit.due:%-d %b %Y}: "
            + ", ".join(due.tests),
            url=reverse("rehab:patient", args=[patient.uuid]) + "#follow-ups",
            urgent=due.overdue,
        )
        for patient in patients
        for due in visits_due_of(patient, today, TESTS_AHEAD_DAYS)
        if due.tests
    ]
    return panel(
        "Function tests due",
        items,
        empty=f"No function test is due in the next {TESTS_AHEAD_DAYS} days.",
        note="The tests are those of each patient's site profile; the visits follow the "
        "clinic's follow-up schedule.",
    )


def bookings_to_make(user: Any, today: dt.date) -> Panel | None:
    """The coordinator's follow-up visits to book: due by the clinic's schedule, not booked."""
    if _role(user) != Role.COORDINATOR or not has_permission(user, "appointment.book"):
        return None
    from .queries import BOOK_AHEAD_DAYS, proposed_bookings

    found = proposed_bookings(user, today)
    items = [
        WorkItem(
            patient=p.patient,
            text=f"{p.visit.label} visit, {p.episode.limb}: "
            + (
                f"overdue since {p.visit.due:%-d %b %Y} ({_days(today - p.visit.due)})"
                if p.overdue(today)
                else f"due {p.visit.due:%-d %b %Y}"
            )
            + ", not booked",
            url=reverse("scheduling:patient_appointments", args=[p.patient.uuid])
            + f"?visit={p.episode.uuid}|{p.visit.due.isoformat()}",
            urgent=p.overdue(today),
        )
        for p in found
    ]
    return panel(
        "Follow-up visits to book",
        items,
        empty=f"Every follow-up visit due in the next {BOOK_AHEAD_DAYS} days is booked.",
        more_url=reverse("scheduling:appointments"),
        more_label="Appointments",
        # The schedule's default and source: docs/sources.md#follow-up-schedule.
        note="The visits follow the clinic's follow-up schedule setting.",
    )
