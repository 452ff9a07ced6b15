"""Reads of the clinic's week, with their relations loaded where they are defined; every object
is reached through an access-checked getter."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from osseo.accounts.models import Organisation, Role, User
from osseo.accounts.permissions import has_permission
from osseo.pathway.models import Episode, Phase
from osseo.patients.models import Patient
from osseo.patients.queries import get_by_uuid, get_patient_for, patients_for
from osseo.surgery.models import Decision

from .models import AgendaItem, Appointment, MdtMeeting


def death_recorded(patient: Patient) -> bool:
    """Whether the patient's death is recorded (complications.Death, reached by its relation):
    nothing more is booked for them, and no reminder or notice goes to them."""
    return hasattr(patient, "death")


def _organisation(user: User) -> Organisation | None:
    membership = getattr(user, "membership", None)
    return membership.organisation if membership is not None else None


def assessment_due(user: User) -> QuerySet[Episode]:
    """Episodes in the assessment phase, among the user's patients, with no decision of eligible
    or not eligible yet (a deferred one is due again)."""
    return (
        Episode.objects.filter(patient__in=patients_for(user), phase=Phase.ASSESSMENT)
        .exclude(assessments__decision__in=[Decision.ELIGIBLE, Decision.NOT_ELIGIBLE])
        .select_related("patient", "limb")
        .order_by("opened_at", "id")
    )


def next_meeting_for(episode: Episode, today: dt.date) -> MdtMeeting | None:
    """The next meeting that has the episode on its agenda, undecided (a cancelled one does not
    count: its patients are due again)."""
    item = (
        AgendaItem.objects.filter(
            episode=episode,
            assessment__isnull=True,
            meeting__starts_at__date__gte=today,
            meeting__cancelled_at__isnull=True,
        )
        .select_related("meeting")
        .order_by("meeting__starts_at")
        .first()
    )
    return item.meeting if item else None


def meetings_for(user: User) -> QuerySet[MdtMeeting]:
    """The meetings of the user's organisation (clinical staff of the clinic only)."""
    if not has_permission(user, "mdt.view"):
        return MdtMeeting.objects.none()
    return MdtMeeting.objects.filter(organisation=_organisation(user)).prefetch_related(
        "attendees__user", "agenda"
    )


def sees_meetings_of(user: User, organisation: Organisation) -> bool:
    """Whether the user may open the organisation's MDT meetings (its own clinical staff); an
    attendee from a partner organisation may not: the agenda names the clinic's patients."""
    return has_permission(user, "mdt.view") and _organisation(user) == organisation


def get_meeting_for(user: User, meeting_id: Any, *, permission: str = "mdt.view") -> MdtMeeting:
    meeting = get_by_uuid(meetings_for(user), meeting_id, "meeting")
    if not has_permission(user, permission):
        raise PermissionDenied(f"Your role may not do this ({permission}).")
    return meeting


def agenda_of(meeting: MdtMeeting) -> list[AgendaItem]:
    """The agenda in order; a decided item carries `participant_lines`, each "name
    (discipline)" in words."""
    from osseo.accounts.disciplines import Discipline

    items = list(
        meeting.agenda.select_related(
            "episode__patient", "episode__limb", "assessment__decided_by"
        ).prefetch_related("assessment__participants__user")
    )
    for item in items:
        lines = []
        if item.assessment is not None:
            for p in item.assessment.participants.all():
                who = (p.user.get_full_name() or p.user.username) if p.user else p.name
                label = Discipline(p.discipline).label if p.discipline in Discipline.values else ""
                lines.append(f"{who} ({label or p.discipline})")
        item.participant_lines = lines  # type: ignore[attr-defined]
    return items


def appointments_for(user: User) -> QuerySet[Appointment]:
    """The appointments a user may see: their organisation's, for patients in their care; a
    patient's own only."""
    qs = Appointment.objects.filter(patient__in=patients_for(user)).select_related(
        "patient", "clinician", "episode__limb"
    )
    membership = getattr(user, "membership", None)
    if membership is not None and membership.role != Role.PATIENT:
        qs = qs.filter(organisation=membership.organisation)
    return qs


def appointments_between(
    user: User, start: dt.datetime, end: dt.datetime, clinician: User | None = None
) -> QuerySet[Appointment]:
    qs = appointments_for(user).filter(starts_at__gte=start, starts_at__lt=end)
    if clinician is not None:
        qs = qs.filter(clinician=clinician)
    return qs.order_by("starts_at", "id")


def get_appointment_for(
    user: User, appointment_id: Any, *, permission: str = "patient.view"
) -> Appointment:
    appointment = get_by_uuid(appointments_for(user), appointment_id, "appointment")
    get_patient_for(user, appointment.patient.uuid, permission=permission, audit_read=False)
    return appointment


def booked_visits(episode_ids: Any) -> set[tuple[int, dt.date]]:
    """(episode, visit date) of the follow-up visits booked and not cancelled."""
    rows = (
        Appointment.objects.filter(episode_id__in=episode_ids, visit_due__isnull=False)
        .exclude(status__in=["cancelled", "missed"])
        .values_list("episode_id", "visit_due")
    )
    return {(pk, day) for pk, day in rows if day is not None}


def clinicians_of(organisation: Organisation | None) -> QuerySet[User]:
    """The clinic's staff a booking may name (active, not patients)."""
    return (
        User.objects.filter(membership__organisation=organisation, is_active=True)
        .exclude(membership__role=Role.PATIENT)
        .select_related("membership")
        .order_by("last_name", "first_name", "username")
    )


def upcoming_for_clinician(user: User, since: dt.datetime) -> QuerySet[Appointment]:
    return Appointment.objects.filter(
        Q(clinician=user), starts_at__gte=since, status="booked"
    ).select_related("patient")


def follow_up_due(
    patient: Patient, episode: Episode | None, organisation: Any
) -> list[dict[str, str]]:
    """What a follow-up visit of this episode carries (rules.due_at_follow_up), from the limb's
    site profile and the clinic's settings."""
    from osseo.accounts.clinic_settings import resolve
    from osseo.outcomes.models import Questionnaire
    from osseo.patients.sites import for_clinic
    from osseo.rehab.models import FunctionTestKind

    from .rules import due_at_follow_up

    if episode is None:
        return []
    profile = for_clinic(organisation, episode.limb.site)
    names = dict(
        Questionnaire.objects.filter(code__in=profile.questionnaires).values_list("code", "title")
    )
    xray = resolve(organisation, "follow_up_xray")
    return [
        item.as_dict()
        for item in due_at_follow_up(
            questionnaires=[(c, names.get(c, c.upper())) for c in profile.questionnaires],
            questionnaires_source=profile.questionnaires_source,
            tests=[(c, FunctionTestKind(c).label) for c in profile.function_tests],
            tests_source=profile.function_tests_source,
            xray=bool(xray.value),
            xray_source=xray.source if xray.validated else "",
        )
    ]


def token_hash(token: str) -> str:
    """A calendar feed's secret as stored: its SHA-256 (the token itself is never kept)."""
    return hashlib.sha256(token.encode()).hexdigest()


# How far ahead the follow-up schedule proposes bookings (days): about two months, time to book.
BOOK_AHEAD_DAYS = 60


@dataclass(frozen=True)
class Proposal:
    """A follow-up visit the clinic's schedule gives, not held and not booked yet."""

    patient: Patient
    episode: Episode
    visit: Any  # rehab.rules.Visit

    def overdue(self, today: dt.date) -> bool:
        return self.visit.due < today


def proposed_bookings(
    user: User,
    today: dt.date,
    *,
    patient: Patient | None = None,
    within_days: int = BOOK_AHEAD_DAYS,
) -> list[Proposal]:
    """Each episode's next follow-up visit (by the clinic's schedule, from the signed
    implantation: docs/sources.md#follow-up-schedule) that is neither held nor booked, due within
    `within_days` or overdue; the soonest first. Worked out from plain values in a few queries,
    however many episodes the clinic follows."""
    from osseo.rehab.queries import schedule_setting, surgery_and_held_visits
    from osseo.rehab.rules import follow_up_schedule, next_visit

    episodes = Episode.objects.filter(
        patient__in=patients_for(user), phase__in=[Phase.REHABILITATION, Phase.FOLLOW_UP]
    )
    if patient is not None:
        episodes = episodes.filter(patient=patient)
    horizon = today + dt.timedelta(days=within_days)
    surgery, held = surgery_and_held_visits(episodes)
    for pk, day in booked_visits(episodes.values("pk")):
        held.setdefault(pk, set()).add(day)
    setting = schedule_setting(_organisation(user)).value
    months = [int(m) for m in setting.get("months", [])]
    every = int(setting.get("then_every_months", 0))
    due: list[tuple[Any, int]] = []
    for pk in episodes.values_list("pk", flat=True):
        if pk not in surgery:
            continue
        visit = next_visit(
            follow_up_schedule(surgery[pk], months, every, until=horizon), held.get(pk, set())
        )
        if visit is not None and visit.due <= horizon:
            due.append((visit, pk))
    loaded = Episode.objects.select_related("patient", "limb").in_bulk([pk for _, pk in due])
    found = [Proposal(loaded[pk].patient, loaded[pk], visit) for visit, pk in due]
    found.sort(key=lambda p: (p.visit.due, p.patient.family_name, p.episode.pk))
    return found
