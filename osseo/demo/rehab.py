"""Demo rehabilitation: referrals to demo-rehab, loading plans with logs (some flagged, some days
missed), function tests and follow-up visits, all through the rehab actions. Deterministic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from osseo.accounts.models import Organisation, User
from osseo.pathway.models import Episode, Phase
from osseo.patients.models import Patient
from osseo.patients.sites import profile
from osseo.rehab import actions
from osseo.rehab.models import LoadingProtocol
from osseo.rehab.queries import plan_phases, prescription_on, schedule_for, surgery_date
from osseo.rehab.reference import ensure_reference_protocols

STANDARD = "Radboud standard programme (full weight bearing in 6 weeks)"
# The demo partner's own upper-limb programme: no source gives one
# (docs/sources.md#rehab-protocols), so it is the clinic's own, in kg, and every phase is "not
# validated". Fictional numbers for the demo.
UPPER_LIMB = {
    "name": "Upper-limb loading (our own programme, demo)",
    "source": "",
    "notes": "The partner's own programme: no published upper-limb loading protocol was found.",
    "sites": ["humerus", "radius_ulna"],
    "phases": [
        {
            "start_day": 3,
            "end_day": 21,
            "target_kg": 5,
            "ramp": True,
            "walking_aid": False,
            "pain_gate_nrs": 5,
            "description": "Axial loading up to 5 kg, increased according to pain (not validated).",
        },
        {
            "start_day": 21,
            "end_day": 42,
            "target_kg": 8,
            "walking_aid": False,
            "pain_gate_nrs": 5,
            "description": "Daily tasks with the prosthesis, about 8 kg (not validated).",
        },
    ],
}


# The partner's own programme for a hand (digit or metacarpal) prosthesis, in daily wear time
# rather than load: no source gives one either (docs/sources.md#rehab-protocols), so it is not
# validated. Fictional numbers for the demo.
HAND_WEAR = {
    "name": "Hand prosthesis wear build-up (our own programme, demo)",
    "source": "",
    "notes": "The partner's own programme: daily wear time, built up according to pain.",
    "sites": ["hand"],
    "measure": "wear_hours",
    "phases": [
        {
            "start_day": 3,
            "end_day": 21,
            "target_amount": 4,
            "floor_amount": 1,
            "ramp": True,
            "walking_aid": False,
            "pain_gate_nrs": 5,
            "description": "Wear up to 4 hours a day, increased according to pain (not validated).",
        },
        {
            "start_day": 21,
            "end_day": 42,
            "target_amount": 8,
            "walking_aid": False,
            "pain_gate_nrs": 5,
            "description": "Wear about 8 hours a day for daily tasks (not validated).",
        },
    ],
}


def seed_rehab(staff: dict[str, User], partner: Organisation, episodes: list[Episode]) -> None:
    ensure_reference_protocols()  # a flushed test database has lost the migration's rows
    today = timezone.localdate()
    standard = LoadingProtocol.objects.get(organisation__isnull=True, name=STANDARD)
    upper = actions.create_protocol(actor=staff["rehab"], data=UPPER_LIMB)
    hand = actions.create_protocol(actor=staff["rehab"], data=HAND_WEAR)
    for n, episode in enumerate(
        e for e in episodes if e.phase in (Phase.REHABILITATION, Phase.FOLLOW_UP)
    ):
        surgery = surgery_date(episode)
        if surgery is None:
            continue
        patient = episode.patient
        # The protocol the limb's site takes (osseo/patients/sites.py): Radboud for femur and
        # tibia, the partner's own for the arm (in kg) and the hand (in wear hours); no loading
        # programme for head and neck.
        site = episode.limb.site
        protocol = next((p for p in (standard, upper, hand) if site in p.sites), None)
        lower = profile(site).lower_limb
        actions.refer_patient(
            actor=staff["coordinator"],
            patient=patient,
            organisation=partner,
            protocol=protocol,
            note="Please start loading as per the protocol (demo).",
        )
        ongoing = episode.phase == Phase.REHABILITATION
        # An ongoing plan started recently (a delayed start); a finished one a week after surgery.
        start = today - dt.timedelta(days=18 + n % 7) if ongoing else surgery + dt.timedelta(days=7)
        weight = Decimal(62 + (n * 7) % 30)
        if protocol is None:
            _tests(staff, patient, start, today, episode.limb.site)
            continue
        plan = actions.create_plan(
            actor=staff["rehab"],
            patient=patient,
            protocol=protocol,
            start_date=start,
            # Only a programme in % body weight needs the weight.
            body_weight_kg=weight if protocol == standard else None,
            limb=episode.limb,
        )
        phases = plan_phases(plan)
        last_day = min(phases[-1].end_day, (today - start).days)  # up to yesterday
        for day in range(phases[0].start_day, last_day + 1):
            on = start + dt.timedelta(days=day - 1)
            if ongoing and (day + n) % 9 == 0:
                continue  # a missed day: shows as missing_log
            rx = prescription_on(plan, on)
            target = rx.target or Decimal(0)
            share = Decimal("0.92") if day > 5 else Decimal("0.6") + Decimal(day) / 20
            if (day + n) % 11 == 0:
                share = Decimal("0.55")  # under-loading, as patients are known to do
            pain = 2 + (day % 3)
            if (day + 2 * n) % 13 == 0:
                pain = 6  # over the gate: hold
            amount = (target * share).quantize(Decimal("0.1"))
            by_wear = plan.measure == "wear_hours"
            actions.log_load(
                actor=staff["rehab"],
                plan=plan,
                data={
                    "date": on,
                    **({} if by_wear else {"applied_kg": amount}),
                    "pain_nrs": pain,
                    # A walking aid is a lower-limb matter (the site profile).
                    **(
                        {"walking_aid": "parallel_bars" if day < 10 else "two_crutches"}
                        if lower
                        else {}
                    ),
                    "wear_hours": amount if by_wear else Decimal(min(1 + day // 3, 12)),
                },
            )
        _tests(staff, patient, start, today, site)
        # The visits held so far, up to a fortnight ago; every other patient has missed the
        # latest one, so the follow-up list shows some overdue and some coming up.
        schedule = schedule_for(
            episode,
            surgery,
            staff["coordinator"].membership.organisation,
            today - dt.timedelta(days=14),
        )
        held = schedule[:-1] if n % 2 and schedule else schedule
        for visit in held:
            actions.record_follow_up(
                actor=staff["coordinator"],
                episode=episode,
                due_date=visit.due,
                done_on=min(visit.due + dt.timedelta(days=3), today),
            )


def _tests(
    staff: dict[str, User], patient: Patient, start: dt.date, today: dt.date, site: str
) -> None:
    """Function tests a fortnight and 40 days in: those the site's profile takes."""
    offered = profile(site).function_tests
    tests = [
        (kind, base, step)
        for kind, base, step in (
            ("six_minute_walk", 180, 25),
            ("timed_up_and_go", 16, -1),
            ("k_level", 2, 0),
            ("wear_hours", 4, 2),
        )
        if kind in offered
    ]
    for k, when in enumerate([start + dt.timedelta(days=14), start + dt.timedelta(days=40)]):
        if when >= today:
            continue
        for kind, base, step in tests:
            actions.record_function_test(
                actor=staff["rehab"],
                patient=patient,
                data={
                    "kind": kind,
                    "performed_on": when,
                    "value": Decimal(base + step * (k + 1) * (2 if kind != "k_level" else 1)),
                },
            )
