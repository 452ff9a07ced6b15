"""The demo's week (issue 22): plans with dates on the theatre list (one still waiting for the
anaesthetist), an MDT meeting with the patients whose assessment is due on its agenda, and a week
of bookings proposed by the follow-up schedule, all through the same actions the clinic uses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from osseo.accounts.models import User
from osseo.pathway.models import Episode, Phase
from osseo.scheduling import actions as week
from osseo.scheduling.queries import assessment_due, proposed_bookings
from osseo.surgery import actions as surgery
from osseo.surgery import rules

PLACES = ["Outpatients, room 2", "Prosthetics workshop", "Rehabilitation gym"]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _theatre(staff: dict[str, User], today: dt.date) -> None:
    """Plans for the episodes in planning, on the coming operating days; the last one made is
    not yet agreed (the anaesthetist's worklist)."""
    episodes = Episode.objects.filter(
        phase=Phase.PLANNING, patient__in=_patients(staff["surgeon"])
    ).select_related("limb")

    for n, episode in enumerate(episodes.order_by("id")):
        if n == 0 or episode.plans.exists():
            continue  # the first stays without a plan: held at the gate of the operation
        site = episode.limb.site
        plan = surgery.create_plan(
            actor=staff["surgeon"],
            episode=episode,
            data={
                "strategy": rules.recommended_strategy(site),
                "anaesthesia": "general_epidural"
                if site in ("femur", "tibia")
                else rules.anaesthesia_options(site)[0].code,
                "planned_date": today + dt.timedelta(days=2 + 2 * n),
            },
        )
        if n % 2 == 1:
            surgery.agree_anaesthesia(actor=staff["anaesthetist"], plan=plan)


def _patients(user: User) -> Any:
    from osseo.patients.queries import patients_for

    return patients_for(user)


def _meeting(staff: dict[str, User], today: dt.date) -> None:
    meeting = week.create_meeting(
        actor=staff["coordinator"],
        data={
            "starts_at": _at(today + dt.timedelta(days=1), 13),
            "place": "Seminar room 2 and video call",
            "attendees": [
                {"user": staff["surgeon"], "discipline": "surgeon"},
                {"user": staff["prosthetist"], "discipline": "prosthetist"},
                {"user": staff["rehab"], "discipline": "rehabilitation_physician"},
                {"user": staff["anaesthetist"], "discipline": "anaesthetist"},
                {
                    "name": "Dr Lowena Kitto",
                    "organisation": "County Pain Service",
                    "discipline": "psychologist",
                },
            ],
        },
    )
    for episode in assessment_due(staff["coordinator"])[:4]:
        week.add_to_agenda(actor=staff["coordinator"], meeting=meeting, episode=episode)


def _bookings(staff: dict[str, User], today: dt.date) -> None:
    """Each follow-up visit the schedule proposes, booked over the coming week's mornings."""
    clinicians = [staff["surgeon"], staff["prosthetist"]]
    for n, proposal in enumerate(proposed_bookings(staff["coordinator"], today)):
        day = today + dt.timedelta(days=1 + n % 7)
        week.book_appointment(
            actor=staff["coordinator"],
            patient=proposal.patient,
            data={
                "kind": "follow_up",
                "starts_at": _at(day, 9 + (n // 7) % 4, 30 * (n % 2)),
                "minutes": 30,
                "place": PLACES[0],
                "clinician": clinicians[n % 2],
                "episode": proposal.episode,
                "visit_due": proposal.visit.due,
            },
        )
    # Connector services and rehabilitation sessions for patients in rehabilitation.
    rehab = Episode.objects.filter(
        phase=Phase.REHABILITATION, patient__in=_patients(staff["coordinator"])
    ).select_related("patient")
    sessions = []
    for n, episode in enumerate(rehab.order_by("id")[:4]):
        booked = week.book_appointment(
            actor=staff["coordinator"],
            patient=episode.patient,
            data={
                "kind": "connector_service" if n % 2 else "rehab",
                "starts_at": _at(today + dt.timedelta(days=2 + n), 14),
                "minutes": 45,
                "place": PLACES[1 + n % 2],
                "clinician": staff["prosthetist"],
                "episode": episode,
            },
        )
        sessions.append(booked)
    # The week changes as weeks do: one session moved a day on, one cancelled, each with why.
    if len(sessions) >= 2:
        week.reschedule_appointment(
            actor=staff["coordinator"],
            appointment=sessions[0],
            data={
                "starts_at": sessions[0].starts_at + dt.timedelta(days=1, hours=1),
                "reason": "The gym is closed that afternoon.",
            },
        )
        week.cancel_appointment(
            actor=staff["coordinator"],
            appointment=sessions[1],
            reason="The patient asked to come the week after.",
        )


def seed_week(staff: dict[str, User]) -> None:
    today = timezone.localdate()
    _theatre(staff, today)
    _meeting(staff, today)
    _bookings(staff, today)
