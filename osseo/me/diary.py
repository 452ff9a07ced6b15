"""The patient's loading diary: today's prescription in plain words, their log against it, the
last weeks, and what a log's flags mean for them.

A diary exists only where the patient's limb has a rehabilitation plan (osseo/rehab): the
prescription, the flags and the pain gate are the plan's (its protocol's phases, copied into the
plan: docs/sources.md#rehab-protocols, docs/sources.md#radboud-loading). The words for a flag are
derived from the same rule that raised it (rehab.rules.log_flags); advice beyond it is the
programme's own text (a phase's description), quoted, never Osseo's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from osseo.patients.models import Patient
from osseo.rehab import rules
from osseo.rehab.charts import ChartWords, load_chart
from osseo.rehab.models import RehabPlan
from osseo.rehab.queries import Progress, plan_phases, plan_progress, prescription_on
from osseo.sites import PROFILES

from .words import limb_words

# How many days the diary shows as a chart and a table: the last four weeks.
WEEKS_SHOWN = 4

# The flags in the patient's words, by the plan's measure.
FLAG_WORDS = {
    "load": {
        rules.UNDER_LOADING: "Less than prescribed",
        rules.OVER_LOADING: "More than prescribed",
    },
    "wear_hours": {
        rules.UNDER_LOADING: "Worn less than prescribed",
        rules.OVER_LOADING: "Worn longer than prescribed",
    },
    "minutes": {
        rules.UNDER_LOADING: "Less time than prescribed",
        rules.OVER_LOADING: "More time than prescribed",
    },
}
PAIN_WORDS = "Pain at or above your programme's limit"
MISSING_WORDS = "Not logged"
# What the patient logs, by measure.
AMOUNT_WORDS = {
    "load": ("load on the scale", "kg"),
    "wear_hours": ("time wearing the prosthesis", "hours"),
    "minutes": ("loading exercise", "minutes"),
}

# The chart of the last weeks in the same words: the patient's programme against what they
# logged and their pain, never the clinicians' legend (prescribed, applied, NRS, gate).
CHART_WORDS = ChartWords(
    prescribed="Your programme",
    logged={},
    logged_default="What you logged",
    pain="Your pain",
    flags=FLAG_WORDS,
    pain_over_gate=PAIN_WORDS,
    missing=MISSING_WORDS,
    x_title="Day of your programme",
    y_titles={
        "load": "Load on the scale (kg)",
        "wear_hours": "Hours worn a day",
        "minutes": "Minutes a day",
    },
    pain_title="Pain (0 to 10)",
    what={m: what for m, (what, _unit) in AMOUNT_WORDS.items()},
    title="Your {what} and your pain, the last four weeks",
    desc=(
        "Days {first} to {last} of your programme, from {start}: the {what} your programme "
        "sets (blue steps), the {what} you logged (orange), and your pain from 0 to 10 (purple, "
        "right-hand scale). {flagged} days have a note. The table below lists every day."
    ),
    no_days="Nothing logged yet.",
)

# The chart's frame: about a phone's width, so that at 390 px its words keep their size.
PHONE_CHART = (380, 320)


def flag_words(flag: str, measure: str) -> str:
    if flag == rules.PAIN_OVER_GATE:
        return PAIN_WORDS
    if flag == rules.MISSING_LOG:
        return MISSING_WORDS
    return FLAG_WORDS.get(measure, {}).get(flag, rules.flag_label(flag, measure))


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass
class Feedback:
    """What a day's log means, in the patient's words: `warn` marks it for attention."""

    lines: list[str]
    quote: str = ""  # the programme's own words for the phase, when a flag was raised
    warn: bool = False


def feedback(plan: RehabPlan, log: Any, rx: rules.Prescription) -> Feedback:
    """The day's flags (stored with the log, worked out against that day's prescription) in
    words, with the phase's own text when any was raised."""
    what, unit = AMOUNT_WORDS[plan.measure]
    amount = _number(log.amount)
    lines: list[str] = []
    for flag in log.flags:
        if flag == rules.OVER_LOADING:
            top = _number(rx.ceiling)
            limit = f" ({'up to ' if rx.ramp else ''}{top} {unit})" if top else ""
            lines.append(
                f"You logged {amount} {unit} of {what}: more than today's prescription{limit}."
            )
        elif flag == rules.UNDER_LOADING:
            low = _number(rx.floor)
            limit = f" ({'at least ' if rx.ramp else ''}{low} {unit})" if low else ""
            lines.append(
                f"You logged {amount} {unit} of {what}: less than today's prescription{limit}."
            )
        elif flag == rules.PAIN_OVER_GATE:
            lines.append(
                f"Your pain was {log.pain_nrs} out of 10, at or above {rx.pain_gate_nrs}, the "
                "limit your programme sets. Your programme moves on only while your pain stays "
                f"below {rx.pain_gate_nrs}: keep to the {what} you were at, and do not increase it."
            )
    if not lines:
        return Feedback([f"You logged {amount} {unit} of {what}: within today's prescription."])
    quote = ""
    if rx.phase is not None:
        phases = plan.phases
        quote = str(phases[rx.phase - 1].get("description", "")) if rx.phase <= len(phases) else ""
    return Feedback(lines, quote, warn=True)


@dataclass(frozen=True)
class Row:
    date: dt.date
    prescribed: Decimal | None
    log: Any
    words: list[str]


@dataclass
class Diary:
    """One plan's diary: today's prescription, today's log and what it means, the last weeks."""

    plan: RehabPlan
    limb: str  # "your left thigh bone (femur)"
    today: dt.date
    rx: rules.Prescription
    phase_text: str
    progress: Progress  # the last WEEKS_SHOWN weeks only
    rows: list[Row]  # most recent first
    chart: Any
    today_log: Any
    today_feedback: Feedback | None
    lower_limb: bool
    what: str
    unit: str
    ended: bool


def current_plans(patient: Patient, today: dt.date) -> list[RehabPlan]:
    """The patient's plans with a diary: the latest plan of each limb, while it runs or has
    ended less than WEEKS_SHOWN weeks ago (so the last weeks can still be read)."""
    plans = list(
        RehabPlan.objects.filter(patient=patient)
        .select_related("limb")
        .prefetch_related("logs")
        .order_by("limb_id", "-start_date", "-id")
    )
    latest: dict[Any, RehabPlan] = {}
    for plan in plans:
        latest.setdefault(plan.limb_id, plan)
    shown = []
    for plan in latest.values():
        end = rules.plan_end(plan.start_date, plan_phases(plan))
        if end >= today - dt.timedelta(
            weeks=WEEKS_SHOWN
        ) and plan.start_date <= today + dt.timedelta(weeks=WEEKS_SHOWN):
            shown.append(plan)
    return shown


def diary_of(plan: RehabPlan, today: dt.date) -> Diary:
    progress = plan_progress(plan, today)
    since = today - dt.timedelta(weeks=WEEKS_SHOWN) + dt.timedelta(days=1)
    days = [d for d in progress.days if d.date >= since]
    recent = Progress(plan, days, [d for d in progress.missing if d >= since], progress.end_date)
    rx = prescription_on(plan, today)
    log = next((d.log for d in progress.days if d.date == today and d.log), None)
    phase_text = ""
    if rx.phase is not None and rx.phase <= len(plan.phases):
        phase_text = str(plan.phases[rx.phase - 1].get("description", ""))
    what, unit = AMOUNT_WORDS[plan.measure]
    return Diary(
        plan=plan,
        limb=limb_words(plan.limb) if plan.limb else "your programme",
        today=today,
        rx=rx,
        phase_text=phase_text,
        progress=recent,
        rows=[
            Row(d.date, d.prescribed, d.log, [flag_words(f, plan.measure) for f in d.flags])
            for d in reversed(days)
        ],
        chart=(
            load_chart(recent, chart_id=f"load-{plan.uuid}", words=CHART_WORDS, size=PHONE_CHART)
            if days
            else None
        ),
        today_log=log,
        today_feedback=feedback(plan, log, rx) if log else None,
        lower_limb=plan.limb is None or PROFILES[plan.limb.site].lower_limb,
        what=what,
        unit=unit,
        ended=rx.status == "after_end",
    )
