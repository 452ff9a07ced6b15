"""The service forecast of a connector part: pure functions over plain values (house style 7).

Sources: no published dualcone (or other connector) service interval exists
(docs/sources.md#connector-parts): the time limit, the activity limit, the reference load, the S-N
exponent, the steps conversion and the overload threshold are all the clinic's settings
(ServicePolicy), shown "not validated" until the clinic validates them. The activity model is
the wear engine's (osseo/fatigue/README.md): Basquin S-N curve, Palmgren-Miner summation,
damage-equivalent cycles `Σ n · (range / reference)^m`; its limits are stated with every
forecast (CAVEAT).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

STANDARD_GRAVITY = 9.80665  # m/s², to turn a body weight in kg into a force in N
RATE_WINDOW_DAYS = 30  # the issue: "at the recent 30-day rate"

CAVEAT = (
    "Model estimate, not a measurement of wear: no published service interval or S-N curve "
    "exists for a dualcone or other connector part. The forecast applies the Palmgren-Miner "
    "rule with the clinic's own limits and parameters (linear damage, no mean-load correction)."
)


@dataclass(frozen=True)
class Policy:
    """A service policy's numbers (None: not set)."""

    time_limit_months: int | None = None
    activity_limit_cycles: float | None = None
    reference_load_n: float | None = None
    sn_exponent_m: float | None = None
    steps_basis: str = "body_weight"  # or "per_step"
    cycles_per_step: float | None = None
    overload_threshold_n: float | None = None
    cycles_per_step_min: float | None = None  # the plausibility band of a recording's figure
    cycles_per_step_max: float | None = None
    validated: bool = False
    label: str = "not validated"


@dataclass(frozen=True)
class RecordingFigure:
    """What a processed recording says about the patient's loading."""

    recorded_on: dt.date
    name: str
    cycles_per_step: float | None  # equivalent cycles per step, if steps are known
    peak_n: float | None
    peak_time_s: float | None


@dataclass(frozen=True)
class Conversion:
    cycles_per_step: float | None
    text: str


@dataclass(frozen=True)
class Result:
    due_on: dt.date | None
    basis: str  # time, activity, overload, none
    basis_text: str
    time_due_on: dt.date | None = None
    activity_due_on: dt.date | None = None
    cumulative_cycles: float | None = None
    limit_cycles: float | None = None
    daily_cycles: float | None = None
    daily_steps: float | None = None
    inspection: str = ""
    notes: list[str] = field(default_factory=list)


def _plus_days(day: dt.date, days: float) -> dt.date:
    """`day` plus `days` rounded up, clamped to the calendar (a rate near zero puts it far)."""
    try:
        return day + dt.timedelta(days=math.ceil(days))
    except (OverflowError, ValueError):
        return dt.date.max


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has no such day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:  # a stored date near the calendar's end
        return dt.date.max if months > 0 else dt.date.min
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def compact(cycles: float) -> str:
    """1.1 M, 950 k, 820: cycle counts as a clinician reads them."""
    if cycles >= 1e6:
        return f"{cycles / 1e6:.2g} M" if cycles < 1e7 else f"{cycles / 1e6:,.0f} M"
    if cycles >= 1e4:
        return f"{cycles / 1e3:,.0f} k"
    return f"{cycles:,.0f}"


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def steps_conversion(
    policy: Policy, *, body_weight_kg: float | None, recording: RecordingFigure | None
) -> Conversion:
    """Equivalent cycles at the reference load per step, and where the figure comes from.

    A recording's own figure wins (the issue: "overridden where a recording gives a better
    figure"); else the clinic's per-step number; else the default assumption that one step is
    one load cycle of range body weight x g: (W·g / reference)^m equivalent cycles.
    """
    if recording is not None and recording.cycles_per_step is not None:
        return Conversion(
            recording.cycles_per_step,
            f"{recording.cycles_per_step:.3g} equivalent cycles per step, measured in the "
            f"recording {recording.name} of {long_date(recording.recorded_on)}",
        )
    if policy.steps_basis == "per_step":
        if policy.cycles_per_step is None:
            return Conversion(None, "the policy sets no number of cycles per step")
        return Conversion(
            policy.cycles_per_step,
            f"{policy.cycles_per_step:.3g} equivalent cycles per step (clinic setting, "
            f"{policy.label})",
        )
    if policy.reference_load_n is None or policy.sn_exponent_m is None:
        return Conversion(None, "the policy sets no reference load or S-N exponent")
    if body_weight_kg is None:
        return Conversion(None, "no body weight is recorded for the patient")
    force = body_weight_kg * STANDARD_GRAVITY
    per_step = (force / policy.reference_load_n) ** policy.sn_exponent_m
    return Conversion(
        per_step,
        f"assumption: one step is one load cycle at the body weight ({body_weight_kg:g} kg, "
        f"{force:,.0f} N), {per_step:.3g} equivalent cycles at {policy.reference_load_n:,.0f} N "
        f"with m = {policy.sn_exponent_m:g}",
    )


def recent_rate(days: Sequence[tuple[dt.date, int]]) -> tuple[float | None, dt.date | None]:
    """Mean steps a day over the 30 days up to the last day with data (days without data are
    left out, not counted as zero), and that last day."""
    if not days:
        return None, None
    last = days[-1][0]
    start = last - dt.timedelta(days=RATE_WINDOW_DAYS - 1)
    window = [steps for day, steps in days if day >= start]
    return sum(window) / len(window), last


def plausibility(policy: Policy, figure: RecordingFigure) -> str | None:
    """Why a recording's cycles per step is not applied (flagged for review), or None."""
    where = f"The recording {figure.name} of {long_date(figure.recorded_on)}"
    if figure.cycles_per_step is None:
        return f"{where} has no steps detected: its cycles per step are not applied."
    low, high = policy.cycles_per_step_min, policy.cycles_per_step_max
    if low is None or high is None:
        return (
            f"{where} gives {figure.cycles_per_step:.3g} cycles per step, not applied: the "
            "policy sets no plausibility band of cycles per step."
        )
    if not low <= figure.cycles_per_step <= high:
        return (
            f"{where} gives {figure.cycles_per_step:.3g} cycles per step, outside the "
            f"plausibility band {low:g} to {high:g} ({policy.label}): flagged for review, "
            "not applied."
        )
    return None


def forecast(
    *,
    placed_on: dt.date,
    today: dt.date,
    policy: Policy | None,
    days: Sequence[tuple[dt.date, int]],
    body_weight_kg: float | None = None,
    recording: RecordingFigure | None = None,
    recordings: Sequence[RecordingFigure] = (),
    overloads: Sequence[RecordingFigure] = (),
    wear_basis: str = "steps",
    basis_source: str = "",
    flag_events: Sequence[tuple[dt.date, str]] = (),
) -> Result:
    """The part's due date: the earlier of its time limit and the day its activity limit is
    reached at the recent 30-day rate; an overload at or above the threshold, recorded while the
    part was in place, asks for an inspection at once.

    `days` are (date, steps), sorted, for the part's time in place; `overloads` the patient's
    processed recordings made while the part was in place. `recordings` (and `recording`): each
    plausible one's cycles per step applies from its own date forward, never to days before it;
    one outside the policy's plausibility band is flagged and not applied. `wear_basis` "time"
    (the site's profile: not a lower limb) leaves steps and recordings out of the forecast.
    """
    if policy is None:
        return Result(
            None, "none", "No service policy is set for this kind of part.", notes=[CAVEAT]
        )
    notes: list[str] = []
    if wear_basis == "time":
        days, recordings, recording = [], (), None
        notes.append(
            "Forecast by time: steps and gait recordings do not drive the wear of a part at "
            f"this site (site profile: {basis_source or 'not validated'})."
        )
    days = [(d, s) for d, s in days if placed_on <= d <= today]
    time_due = (
        add_months(placed_on, policy.time_limit_months)
        if policy.time_limit_months is not None
        else None
    )
    activity_due = None
    cumulative = daily_cycles = None
    activity_text = ""
    rate, last = recent_rate(days)
    limit = policy.activity_limit_cycles
    if limit is not None and wear_basis != "time":
        base = steps_conversion(policy, body_weight_kg=body_weight_kg, recording=None)
        applied: list[RecordingFigure] = []
        for figure in sorted(
            [*recordings, *([recording] if recording else [])], key=lambda f: f.recorded_on
        ):
            if (problem := plausibility(policy, figure)) is not None:
                notes.append(problem)
            elif figure not in applied:
                applied.append(figure)

        def per_step_on(day: dt.date) -> float | None:
            latest = [f for f in applied if f.recorded_on <= day]
            return latest[-1].cycles_per_step if latest else base.cycles_per_step

        current = per_step_on(today)
        if current is None:
            notes.append(f"No activity forecast: {base.text}.")
        elif not days:
            notes.append("No activity forecast: no daily steps since the part was fitted.")
        else:
            notes.append(f"Steps to cycles: {base.text}.")
            for figure in applied:
                conversion = steps_conversion(policy, body_weight_kg=None, recording=figure)
                notes.append(
                    f"From {long_date(figure.recorded_on)} on (never before): {conversion.text}."
                )
            per_step = current
            total = 0.0
            crossed = None
            uncounted = 0
            for day, steps in days:
                rate_then = per_step_on(day)
                if rate_then is None:
                    uncounted += 1
                    continue
                total += steps * rate_then
                if crossed is None and total >= limit:
                    crossed = day
            if uncounted:
                notes.append(
                    f"{uncounted} day(s) before the first plausible recording are not counted: "
                    f"{base.text}."
                )
            cumulative = total
            assert rate is not None and last is not None
            daily_cycles = rate * per_step
            if crossed is not None:
                activity_due = crossed
            elif daily_cycles > 0:
                activity_due = _plus_days(last, (limit - total) / daily_cycles)
            activity_text = (
                f"activity: {compact(total)} of {compact(limit)} equivalent cycles; "
                f"at {rate:,.0f} steps a day"
                + (f", due {long_date(activity_due)}" if activity_due else ", no due date")
            )
    time_text = (
        f"time: fitted {long_date(placed_on)}, limit {policy.time_limit_months} months, "
        f"due {long_date(time_due)}"
        if time_due is not None
        else ""
    )
    candidates = [(d, b) for d, b in ((time_due, "time"), (activity_due, "activity")) if d]
    due, basis = min(candidates) if candidates else (None, "none")
    texts = {"time": time_text, "activity": activity_text}
    basis_text = texts.get(basis, "No time or activity limit applies.")
    others = [t for b, t in texts.items() if t and b != basis]
    if others:
        basis_text += " (" + "; ".join(others) + ")"
    inspection = ""
    threshold = policy.overload_threshold_n
    if threshold is not None:
        over = [
            r
            for r in overloads
            if r.peak_n is not None and r.peak_n >= threshold and placed_on <= r.recorded_on
        ]
        if over:
            first = min(over, key=lambda r: r.recorded_on)
            at = f" at {first.peak_time_s:,.1f} s" if first.peak_time_s is not None else ""
            inspection = (
                f"overload: peak {first.peak_n:,.0f} N{at} in the recording {first.name} of "
                f"{long_date(first.recorded_on)}, at or above the {threshold:,.0f} N threshold: "
                "inspect the part"
            )
            if due is None or first.recorded_on < due:
                due, basis = first.recorded_on, "overload"
            basis_text = inspection + "; " + basis_text
    events = sorted((on, what) for on, what in flag_events if on >= placed_on)
    if events:
        on, what = events[0]
        text = f"{what} on {long_date(on)}, not yet cleared by an inspection: inspect the part"
        inspection = f"{inspection}; {text}" if inspection else text
        if due is None or on < due:
            due, basis = on, "overload"
        basis_text = text + "; " + basis_text
    notes.append(CAVEAT)
    if not policy.validated:
        notes.insert(0, "The service policy is not validated.")
    return Result(
        due_on=due,
        basis=basis,
        basis_text=basis_text[0].upper() + basis_text[1:],
        time_due_on=time_due,
        activity_due_on=activity_due,
        cumulative_cycles=cumulative,
        limit_cycles=limit,
        daily_cycles=daily_cycles,
        daily_steps=rate,
        inspection=inspection,
        notes=notes,
    )
