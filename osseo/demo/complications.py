"""Demo complications and outcomes: graded infections and their treatments (one revision), a
death, and RAND-36 responses over time, through the same actions the clinic uses.
Deterministic and fictional."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from osseo.accounts.models import User
from osseo.complications import actions as complications
from osseo.complications.models import Grade, GradingSystem
from osseo.outcomes.actions import record_response
from osseo.outcomes.models import Questionnaire
from osseo.pathway.actions import transition_to
from osseo.pathway.models import Episode, Phase
from osseo.surgery import actions as surgery
from osseo.surgery.models import Device


def _grade(system: str, code: str) -> tuple[GradingSystem, Grade]:
    s = GradingSystem.objects.get(code=system)
    return s, s.grades.get(code=code)


def _rand36(rng: random.Random, better: float) -> dict[str, int]:
    """A fictional RAND-36 form; `better` (0-1) shifts answers to the favourable end."""
    ranges = {1: 5, 2: 5, 20: 5, 21: 6, 22: 5, 32: 5, 33: 5, 34: 5, 35: 5, 36: 5}
    ranges |= dict.fromkeys(range(3, 13), 3) | dict.fromkeys(range(13, 20), 2)
    ranges |= dict.fromkeys(range(23, 32), 6)
    favourable_high = set(range(3, 20)) | {24, 25, 28, 29, 31, 32, 33, 35}
    answers = {}
    for item, top in ranges.items():
        pick = min(top, max(1, round(1 + (top - 1) * better + rng.uniform(-1, 1))))
        answers[str(item)] = pick if item in favourable_high else top + 1 - pick
    return answers


def seed(staff: dict[str, User]) -> None:
    surgeon = staff["surgeon"]
    rng = random.Random(7)  # noqa: S311  deterministic demo answers
    rand36 = Questionnaire.objects.get(code="rand-36")
    today = timezone.localdate()
    episodes = list(
        Episode.objects.filter(phase__in=[Phase.REHABILITATION, Phase.FOLLOW_UP])
        .select_related("patient", "limb")
        .order_by("id")
    )
    revised = died = False
    # One patient in rehabilitation (with a loading plan) has not yet answered the questionnaire
    # their latest visit asks: the demo's `patient-rehab` account (osseo/demo/patients.py).
    unanswered = next(
        (
            e.pk
            for e in episodes
            if e.phase == Phase.REHABILITATION and e.patient.rehab_plans.exists()
        ),
        None,
    )
    for n, episode in enumerate(episodes):
        operation = episode.procedures.order_by("performed_on").first()
        if operation is None:
            continue
        op = operation.performed_on
        for when, better in (
            (op - dt.timedelta(days=20), 0.25),
            (op + dt.timedelta(days=45), 0.5),
            (today - dt.timedelta(days=3), 0.75),
        ):
            if episode.pk == unanswered and better == 0.75:
                continue
            record_response(
                actor=surgeon,
                patient=episode.patient,
                questionnaire=rand36,
                data={"authored_on": when, "answers": _rand36(rng, better), "limb": episode.limb},
            )
        # Stoma complications follow the operation that made the stoma (single-stage or
        # stage 2), never a staged limb's first stage, when there was no stoma yet.
        made = (
            episode.procedures.filter(kind__in=["single_stage", "stage_2"], status="signed")
            .order_by("performed_on")
            .first()
        )
        if made is None:
            continue
        operation, op = made, made.performed_on
        base = {"limb": episode.limb, "episode": episode, "procedure": operation}
        if n % 3 == 0:
            system, grade = _grade("radboud-infection", "1" if n % 2 else "2")
            event = complications.record_event(
                actor=surgeon,
                patient=episode.patient,
                data={
                    **base,
                    "kind": "infection_soft_tissue",
                    "onset_on": op + dt.timedelta(days=20),
                    "grading_system": system,
                    "grade": grade,
                    "description": "Redness and discharge at the stoma (demo).",
                },
            )
            complications.record_treatment(
                actor=surgeon,
                event=event,
                data={
                    "kind": "oral_antibiotics",
                    "started_on": op + dt.timedelta(days=21),
                    "ended_on": op + dt.timedelta(days=35),
                    "details": "Oral antibiotic per local protocol, 14 days (demo).",
                },
            )
            if grade.code == "1":  # it deepened on antibiotics: revised to grade 2, then settled
                system, grade = _grade("radboud-infection", "2")
                complications.update_event(
                    actor=surgeon, event=event, data={"grading_system": system, "grade": grade}
                )
            complications.update_event(
                actor=surgeon,
                event=event,
                data={"outcome": "resolved", "resolved_on": op + dt.timedelta(days=36)},
            )
        elif n % 3 == 1:
            event = complications.record_event(
                actor=surgeon,
                patient=episode.patient,
                data={
                    **base,
                    "kind": "stoma_hypergranulation",
                    "onset_on": op + dt.timedelta(days=30),
                },
            )
            complications.record_treatment(
                actor=surgeon,
                event=event,
                data={"kind": "local_care", "started_on": op + dt.timedelta(days=30)},
            )
        if not revised and episode.phase == Phase.FOLLOW_UP:
            revised = True
            _revision(surgeon, episode, op)
        elif not died and episode.phase == Phase.FOLLOW_UP:
            died = True
            complications.record_death(
                actor=surgeon,
                patient=episode.patient,
                died_on=today - dt.timedelta(days=2),
                cause="Myocardial infarction, unrelated to the implant (demo).",
            )


def _revision(surgeon: User, episode: Episode, op: dt.date) -> None:
    """A deep infection: graded under both schemes' logic, IV antibiotics, then a revision. It
    follows the last operation of the episode (a staged limb's stoma exists from its last stage)."""
    last = max((p.performed_on for p in episode.procedures.filter(status="signed")), default=op)
    op = max(op, last)
    system, grade = _grade("radboud-infection", "3")
    event = complications.record_event(
        actor=surgeon,
        patient=episode.patient,
        data={
            "limb": episode.limb,
            "episode": episode,
            "kind": "infection_bone",
            "onset_on": op + dt.timedelta(days=40),
            "grading_system": system,
            "grade": grade,
            "description": "Deep bone infection on imaging and cultures (demo).",
        },
    )
    complications.record_treatment(
        actor=surgeon,
        event=event,
        data={
            "kind": "iv_antibiotics",
            "started_on": op + dt.timedelta(days=41),
            "ended_on": op + dt.timedelta(days=55),
            "details": "IV antibiotics per microbiology advice (demo).",
        },
    )
    treatment = complications.record_treatment(
        actor=surgeon,
        event=event,
        data={"kind": "revision", "started_on": op + dt.timedelta(days=60)},
    )
    assert treatment.procedure is not None
    surgery.save_operative_record(
        actor=surgeon,
        procedure=treatment.procedure,
        data={
            "extras": {
                "summary": "Infected implant exchanged for a new one, stoma revised; cultures "
                "sent (demo).",
                "cultures_taken": True,
            }
        },
    )
    # A revision places a new implant and the parts its system puts through the skin (a dualcone,
    # or an abutment for head and neck): signing exchanges them for the old ones.
    old = {d.kind: d for d in Device.objects.filter(limb=episode.limb, status="in_place")}
    for kind in old:
        surgery.place_device(
            actor=surgeon,
            procedure=treatment.procedure,
            kind=kind,
            data={
                "gtin": old[kind].gtin,
                "lot": f"DEMO-REV-{kind[:3].upper()}",
                "expiry": op + dt.timedelta(days=900),
            },
            catalogue_item=old[kind].catalogue_item,
        )
    surgery.sign_operative_record(actor=surgeon, procedure=treatment.procedure)
    transition_to(
        actor=surgeon,
        episode=episode,
        to_phase=Phase.FOLLOW_UP,
        reason="Stoma revision healed; the loading plan is unchanged (demo).",
    )
    complications.update_event(
        actor=surgeon,
        event=event,
        data={"outcome": "resolved_with_sequelae", "resolved_on": op + dt.timedelta(days=80)},
    )
