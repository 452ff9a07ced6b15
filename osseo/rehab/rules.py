"""Pure rehabilitation rules: protocol checks, the day's prescription, log flags, follow-up dates.

Plain functions over plain values (house style habit 7); the ORM layer calls them, tests call them
directly. The clinical numbers come in as arguments (protocol rows, clinic settings), never from
constants here.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from osseo.interop.systems import FUNCTION_TEST

MAX_DAY = 3650  # a protocol spans at most ten years: a plausibility bound, not a clinical one
MAX_KG = Decimal(400)  # plausibility bound on any load in kg (a scale's range), not clinical

# Function tests and their codes. Only LOINC 64098-7 is verified (docs/sources.md#verified-codes);
# the others use the project's local code system until a terminologist confirms a code.
LOINC = "http://loinc.org"
LOCAL_SYSTEM = FUNCTION_TEST  # osseo/interop/systems.py defines every FHIR system URL


@dataclass(frozen=True)
class TestSpec:
    system: str
    code: str
    display: str
    unit: str  # UCUM
    low: Decimal  # plausibility bounds of the value (units, not clinical norms)
    high: Decimal
    whole: bool = False

    @property
    def shown_unit(self) -> str:
        """The unit as a reader sees it: a UCUM annotation ("{score}", "{level}") names what is
        counted, not a unit, and is not shown."""
        return "" if self.unit.startswith("{") else UNIT_WORDS.get(self.unit, self.unit)


# UCUM units that read better in words on a screen ("h/d" is hours a day).
UNIT_WORDS = {"h/d": "hours a day"}


FUNCTION_TESTS: dict[str, TestSpec] = {
    "six_minute_walk": TestSpec(
        LOINC, "64098-7", "Walking distance 6 minutes", "m", Decimal(0), Decimal(2000)
    ),
    "timed_up_and_go": TestSpec(
        LOCAL_SYSTEM, "timed-up-and-go", "Timed up-and-go", "s", Decimal(0), Decimal(600)
    ),
    "amp_pro": TestSpec(
        LOCAL_SYSTEM, "amp-pro", "AMP score with prosthesis", "{score}", Decimal(0), Decimal(100)
    ),
    "amp_nopro": TestSpec(
        LOCAL_SYSTEM,
        "amp-nopro",
        "AMP score without prosthesis",
        "{score}",
        Decimal(0),
        Decimal(100),
    ),
    # K0-K4 (Medicare Functional Classification Level): stored as 0..4.
    "k_level": TestSpec(
        LOCAL_SYSTEM, "k-level", "K-level", "{level}", Decimal(0), Decimal(4), True
    ),
    "wear_hours": TestSpec(
        LOCAL_SYSTEM,
        "prosthesis-wear-hours",
        "Daily prosthesis wear",
        "h/d",
        Decimal(0),
        Decimal(24),
    ),
}


def function_test_problem(kind: str, value: Decimal) -> str | None:
    spec = FUNCTION_TESTS.get(kind)
    if spec is None:
        return f"Unknown test {kind!r}; tests are: {', '.join(FUNCTION_TESTS)}."
    if value < spec.low or value > spec.high:
        return f"Enter a value from {spec.low} to {spec.high} {spec.shown_unit}".rstrip() + "."
    if spec.whole and value != value.to_integral_value():
        return "Enter a whole number (K0 to K4 are 0 to 4)."
    return None


# --- Protocols -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    start_day: int
    end_day: int
    target_percent_body_weight: Decimal | None
    target_kg: Decimal | None
    sessions_per_day: int | None
    minutes_per_session: int | None
    walking_aid: bool
    pain_gate_nrs: int | None
    description: str = ""
    validated: bool = False
    # A ramp ("up to 50 % BW, increase according to pain", docs/sources.md#radboud-loading): the
    # target is a ceiling reached progressively, not the day's load; the floor (optional, same unit
    # as the target) is the least load that is not under-loading.
    ramp: bool = False
    floor_percent_body_weight: Decimal | None = None
    floor_kg: Decimal | None = None
    # A programme in wear hours or minutes a day (a clinic's own upper-limb or head-and-neck
    # programme): its target and a ramp's floor, in that unit.
    target_amount: Decimal | None = None
    floor_amount: Decimal | None = None

    @property
    def empty(self) -> bool:
        """A phase without a prescription (no target): it keeps the earlier phase's limits."""
        return (
            self.target_percent_body_weight is None
            and self.target_kg is None
            and self.target_amount is None
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "start_day": self.start_day,
            "end_day": self.end_day,
            "target_percent_body_weight": _str(self.target_percent_body_weight),
            "target_kg": _str(self.target_kg),
            "sessions_per_day": self.sessions_per_day,
            "minutes_per_session": self.minutes_per_session,
            "walking_aid": self.walking_aid,
            "pain_gate_nrs": self.pain_gate_nrs,
            "description": self.description,
            "validated": self.validated,
            "ramp": self.ramp,
            "floor_percent_body_weight": _str(self.floor_percent_body_weight),
            "floor_kg": _str(self.floor_kg),
            "target_amount": _str(self.target_amount),
            "floor_amount": _str(self.floor_amount),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Phase:
        return cls(
            start_day=int(d["start_day"]),
            end_day=int(d["end_day"]),
            target_percent_body_weight=_dec(d.get("target_percent_body_weight")),
            target_kg=_dec(d.get("target_kg")),
            sessions_per_day=d.get("sessions_per_day"),
            minutes_per_session=d.get("minutes_per_session"),
            walking_aid=bool(d.get("walking_aid", True)),
            pain_gate_nrs=d.get("pain_gate_nrs"),
            description=d.get("description", "") or "",
            validated=bool(d.get("validated", False)),
            ramp=bool(d.get("ramp", False)),
            floor_percent_body_weight=_dec(d.get("floor_percent_body_weight")),
            floor_kg=_dec(d.get("floor_kg")),
            target_amount=_dec(d.get("target_amount")),
            floor_amount=_dec(d.get("floor_amount")),
        )


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _dec(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


# The measures a programme may prescribe (rehab.models.Measure), their units and upper bounds
# (plausibility bounds of a day's amount, not clinical ones).
MEASURE_UNITS = {"load": "kg", "wear_hours": "h", "minutes": "min"}
MEASURE_MAX = {"load": MAX_KG, "wear_hours": Decimal(24), "minutes": Decimal(1440)}
MEASURE_WORDS = {"load": "kg", "wear_hours": "hours a day", "minutes": "minutes a day"}


def phase_problems(phases: list[Phase], measure: str = "load") -> dict[str, str]:
    """{field: message} for each problem with a protocol's phases (fields are `phases.N.name`).
    A load programme gives its targets in % body weight or kg; a programme in wear hours or
    minutes gives them as amounts in that unit."""
    problems: dict[str, str] = {}
    if not phases:
        return {"phases": "A protocol needs at least one phase."}
    previous: Phase | None = None
    for n, p in enumerate(phases, start=1):
        at = f"phases.{n}"
        if measure != "load":
            words, top = MEASURE_WORDS[measure], MEASURE_MAX[measure]
            if any(
                v is not None
                for v in (
                    p.target_percent_body_weight,
                    p.target_kg,
                    p.floor_percent_body_weight,
                    p.floor_kg,
                )
            ):
                problems[f"{at}.target_amount"] = (
                    f"Phase {n}: this programme is in {words}; give its target in {words}, "
                    "not as a load."
                )
            amount, floor = p.target_amount, p.floor_amount
            if amount is not None and not Decimal(0) < amount <= top:
                problems[f"{at}.target_amount"] = (
                    f"Phase {n}: a target is above 0 and at most {top} {words}."
                )
            if amount is None and (p.validated or p.ramp):
                problems[f"{at}.target_amount"] = (
                    f"Phase {n}: a {'ramp' if p.ramp else 'validated phase'} needs its target "
                    f"in {words}."
                )
            if floor is not None and not p.ramp:
                problems[f"{at}.floor_amount"] = (
                    f"Phase {n}: only a ramp has a floor below its target."
                )
            elif floor is not None and (amount is None or not Decimal(0) <= floor <= amount):
                problems[f"{at}.floor_amount"] = (
                    f"Phase {n}: a floor is from 0 up to the target in {words}."
                )
        elif p.target_amount is not None or p.floor_amount is not None:
            problems[f"{at}.target_amount"] = (
                f"Phase {n}: this programme is in load; give its target in % body weight or kg."
            )
        if not 1 <= p.start_day <= MAX_DAY:
            problems[f"{at}.start_day"] = f"Phase {n}: the start day must be 1 to {MAX_DAY}."
        if not p.start_day <= p.end_day <= MAX_DAY:
            problems[f"{at}.end_day"] = (
                f"Phase {n}: the end day must be on or after the start day (and at most {MAX_DAY})."
            )
        pct, kg = p.target_percent_body_weight, p.target_kg
        if pct is not None and kg is not None:
            problems[f"{at}.target_kg"] = (
                f"Phase {n}: give the target in % body weight or in kg, not both."
            )
        elif pct is None and kg is None and p.validated and measure == "load":
            problems[f"{at}.target_percent_body_weight"] = (
                f"Phase {n}: a validated phase needs a target (% body weight or kg)."
            )
        if pct is not None and not Decimal(0) < pct <= Decimal(100):
            problems[f"{at}.target_percent_body_weight"] = (
                f"Phase {n}: a target in % body weight is above 0 and at most 100."
            )
        if kg is not None and not Decimal(0) < kg <= MAX_KG:
            problems[f"{at}.target_kg"] = f"Phase {n}: a target in kg is above 0 and at most 400."
        floor_pct, floor_kg = p.floor_percent_body_weight, p.floor_kg
        if (floor_pct is not None or floor_kg is not None) and not p.ramp:
            problems[f"{at}.floor_kg"] = f"Phase {n}: only a ramp has a floor below its target."
        elif floor_pct is not None and (pct is None or not Decimal(0) <= floor_pct <= pct):
            problems[f"{at}.floor_percent_body_weight"] = (
                f"Phase {n}: a floor in % body weight is from 0 up to the target in % body weight."
            )
        elif floor_kg is not None and (kg is None or not Decimal(0) <= floor_kg <= kg):
            problems[f"{at}.floor_kg"] = (
                f"Phase {n}: a floor in kg is from 0 up to the target in kg."
            )
        if p.ramp and pct is None and kg is None and measure == "load":
            problems[f"{at}.ramp"] = f"Phase {n}: a ramp needs its ceiling (the target)."
        if p.sessions_per_day is not None and not 1 <= p.sessions_per_day <= 24:
            problems[f"{at}.sessions_per_day"] = f"Phase {n}: sessions per day are 1 to 24."
        if p.minutes_per_session is not None and not 1 <= p.minutes_per_session <= 600:
            problems[f"{at}.minutes_per_session"] = f"Phase {n}: minutes per session are 1 to 600."
        if p.pain_gate_nrs is not None and not 1 <= p.pain_gate_nrs <= 10:
            problems[f"{at}.pain_gate_nrs"] = (
                f"Phase {n}: the pain gate is an NRS value from 1 to 10."
            )
        if previous is not None and p.start_day < previous.end_day:
            problems[f"{at}.start_day"] = (
                f"Phase {n} starts on day {p.start_day}, before phase {n - 1} ends on day "
                f"{previous.end_day}; phases may share only their boundary day."
            )
        previous = p
    return problems


# --- The day's prescription ------------------------------------------------------------------


@dataclass(frozen=True)
class Prescription:
    date: dt.date
    day: int  # day 1 = the plan's start date
    status: str  # before_start | in_phase | between_phases | after_end
    phase: int | None  # 1-based phase number
    target_kg: Decimal | None
    target_percent_body_weight: Decimal | None
    sessions_per_day: int | None
    minutes_per_session: int | None
    walking_aid: bool | None
    pain_gate_nrs: int | None
    validated: bool
    held: bool = False  # pain was over the gate: the load stays at the earlier phase's target
    held_at_phase: int | None = None
    # The range the day's load is judged against: under-loading below the floor, over-loading
    # above the ceiling. A fixed target is both; a ramp's floor may be None (no under-loading).
    floor: Decimal | None = None  # in the plan's unit (kg, hours or minutes)
    ceiling: Decimal | None = None
    ramp: bool = False
    # An empty phase keeps the pain gate and the ceiling of the phase before it (that phase's
    # number here), so a day in it is still judged.
    limits_from_phase: int | None = None
    measure: str = "load"
    target: Decimal | None = None  # the day's target in the plan's unit

    @property
    def unit(self) -> str:
        return MEASURE_UNITS[self.measure]


def day_number(start: dt.date, on: dt.date) -> int:
    return (on - start).days + 1


def phase_on(phases: list[Phase], day: int) -> tuple[int, Phase] | None:
    """The phase in force on `day`. Where two phases share a boundary day (Radboud: "day 3-10",
    "day 10-35"), the later phase starts on that day."""
    found: tuple[int, Phase] | None = None
    for n, p in enumerate(phases, start=1):
        if p.start_day <= day <= p.end_day:
            found = (n, p)
    return found


def _kg(pct: Decimal | None, kg: Decimal | None, body_weight_kg: Decimal) -> Decimal | None:
    if kg is not None:
        return kg
    if pct is None:
        return None
    return (pct * body_weight_kg / Decimal(100)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def target_kg(phase: Phase, body_weight_kg: Decimal | None) -> Decimal | None:
    if body_weight_kg is None and phase.target_kg is None:
        return None
    return _kg(phase.target_percent_body_weight, phase.target_kg, body_weight_kg or Decimal(0))


def target_of(phase: Phase, body_weight_kg: Decimal | None) -> Decimal | None:
    """The phase's target in its programme's unit: kg (from % body weight), hours or minutes."""
    if phase.target_amount is not None:
        return phase.target_amount
    return target_kg(phase, body_weight_kg)


def load_range(
    phase: Phase, body_weight_kg: Decimal | None
) -> tuple[Decimal | None, Decimal | None]:
    """(floor, ceiling) in the programme's unit: a fixed target is both; a ramp runs from its
    floor (None: no floor given) up to its target."""
    ceiling = target_of(phase, body_weight_kg)
    if not phase.ramp:
        return ceiling, ceiling
    if phase.target_amount is not None:
        return phase.floor_amount, ceiling
    if phase.floor_percent_body_weight is not None and body_weight_kg is None:
        return None, ceiling
    floor = _kg(phase.floor_percent_body_weight, phase.floor_kg, body_weight_kg or Decimal(0))
    return floor, ceiling


def limits_before(phases: list[Phase], n: int) -> int | None:
    """The nearest phase before phase `n` (1-based) that has a prescription."""
    for m in range(n - 1, 0, -1):
        if not phases[m - 1].empty:
            return m
    return None


def prescription(
    phases: list[Phase],
    start: dt.date,
    body_weight_kg: Decimal | None,
    on: dt.date,
    *,
    held_at_phase: int | None = None,
    measure: str = "load",
) -> Prescription:
    """What the plan prescribes on date `on`. `held_at_phase`: the phase the patient is held at
    because pain went over the gate (see `hold_phase`); a later phase's load is not given.
    `measure`: what the programme prescribes (load, wear hours, minutes); the floor, ceiling and
    target are in its unit."""
    day = day_number(start, on)
    found = phase_on(phases, day)
    if found is None:
        if day < phases[0].start_day:
            status = "before_start"
        elif day > phases[-1].end_day:
            status = "after_end"
        else:
            status = "between_phases"
        return Prescription(
            on, day, status, None, None, None, None, None, None, None, True, measure=measure
        )
    n, phase = found
    held = held_at_phase is not None and held_at_phase < n
    shown = phases[held_at_phase - 1] if held and held_at_phase else phase
    floor, ceiling = load_range(shown, body_weight_kg)
    gate = phase.pain_gate_nrs
    source: int | None = None
    if shown.empty and (source := limits_before(phases, n)) is not None:
        before = phases[source - 1]
        floor, ceiling = None, load_range(before, body_weight_kg)[1]
        gate = gate if gate is not None else before.pain_gate_nrs
    return Prescription(
        date=on,
        day=day,
        status="in_phase",
        phase=n,
        target_kg=target_kg(shown, body_weight_kg),
        target_percent_body_weight=shown.target_percent_body_weight,
        sessions_per_day=phase.sessions_per_day,
        minutes_per_session=phase.minutes_per_session,
        walking_aid=phase.walking_aid,
        pain_gate_nrs=gate,
        validated=phase.validated and shown.validated,
        held=held,
        held_at_phase=held_at_phase if held else None,
        floor=floor,
        ceiling=ceiling,
        ramp=shown.ramp,
        limits_from_phase=source,
        measure=measure,
        target=target_of(shown, body_weight_kg),
    )


def hold_phase(
    phases: list[Phase], start: dt.date, logs: list[tuple[dt.date, int]], on: dt.date
) -> int | None:
    """The phase the patient is held at on `on`: the phase of the latest log before `on`, when
    that log's pain was at or over its phase's gate ("advance only while NRS stays below it")."""
    earlier = [(d, pain) for d, pain in logs if d < on]
    if not earlier:
        return None
    last_date, pain = max(earlier)
    found = phase_on(phases, day_number(start, last_date))
    if found is None:
        return None
    n, phase = found
    if phase.pain_gate_nrs is not None and pain >= phase.pain_gate_nrs:
        return n
    return None


# --- Flags -----------------------------------------------------------------------------------

UNDER_LOADING = "under_loading"
OVER_LOADING = "over_loading"
PAIN_OVER_GATE = "pain_over_gate"
MISSING_LOG = "missing_log"

FLAG_LABELS = {
    UNDER_LOADING: "Under-loading",
    OVER_LOADING: "Over-loading",
    PAIN_OVER_GATE: "Pain over the gate: hold, do not advance",
    MISSING_LOG: "No log",
}
# The same flags of a programme in wear hours or minutes a day: below or above its range.
MEASURE_FLAG_LABELS = {
    "wear_hours": {
        UNDER_LOADING: "Worn less than prescribed",
        OVER_LOADING: "Worn longer than prescribed",
    },
    "minutes": {
        UNDER_LOADING: "Less loading time than prescribed",
        OVER_LOADING: "More loading time than prescribed",
    },
}


def flag_label(flag: str, measure: str = "load") -> str:
    return MEASURE_FLAG_LABELS.get(measure, {}).get(flag) or FLAG_LABELS.get(flag, flag)


def log_flags(
    rx: Prescription,
    applied: Decimal,
    pain_nrs: int,
    *,
    under_share: Decimal,
    over_share: Decimal,
) -> list[str]:
    """The flags a day's log raises against its prescription's range; `applied` is the day's
    amount in the programme's unit (kg, wear hours or minutes).

    under_loading: applied below the floor by more than `under_share` (0-1) of it; patients are
    known to under-load (Vertriest et al. 2017, docs/sources.md#under-loading). A ramp without a
    floor ("up to 50 % BW, increase according to pain") has no under-loading.
    over_loading: applied above the ceiling by more than `over_share` of it (in an empty phase,
    the ceiling of the phase before), or any load on a day before the first loading phase.
    pain_over_gate: pain NRS at or over the phase's gate (Radboud: "keeping NRS < 5"), or, in an
    empty phase, the gate of the phase before.
    """
    flags: list[str] = []
    floor, ceiling = rx.floor, rx.ceiling
    if floor is not None and applied < floor * (Decimal(1) - under_share):
        flags.append(UNDER_LOADING)
    if ceiling is not None:
        if applied > ceiling * (Decimal(1) + over_share):
            flags.append(OVER_LOADING)
    elif rx.status == "before_start" and applied > 0:
        flags.append(OVER_LOADING)
    if rx.pain_gate_nrs is not None and pain_nrs >= rx.pain_gate_nrs:
        flags.append(PAIN_OVER_GATE)
    return flags


def _plus_days(day: dt.date, days: int) -> dt.date:
    """`day + days`, clamped to the calendar: a plan stored with a start near year 9999 (before
    dates were checked, osseo/plausible.py) must not break the pages showing it."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def plan_end(start: dt.date, phases: list[Phase]) -> dt.date:
    """The plan's last day: the last phase's end."""
    return _plus_days(start, phases[-1].end_day - 1)


def missing_days(
    phases: list[Phase], start: dt.date, logged: set[dt.date], today: dt.date
) -> list[dt.date]:
    """Days of a loading phase, up to yesterday, with no log (today may still be logged)."""
    first = _plus_days(start, phases[0].start_day - 1)
    last = min(_plus_days(start, phases[-1].end_day - 1), today - dt.timedelta(days=1))
    days: list[dt.date] = []
    d = first
    while d <= last:
        if d not in logged and phase_on(phases, day_number(start, d)) is not None:
            days.append(d)
        d += dt.timedelta(days=1)
    return days


# --- Follow-up -------------------------------------------------------------------------------


def add_months(start: dt.date, months: int) -> dt.date:
    """Calendar months later; the 31st becomes the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:  # a stored date near the calendar's end
        return dt.date.max if months > 0 else dt.date.min
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Visit:
    label: str
    months: int
    due: dt.date


def follow_up_schedule(
    surgery: dt.date, months: list[int], then_every_months: int, *, until: dt.date
) -> list[Visit]:
    """Visits from the surgery date: the listed months, then every `then_every_months` months,
    up to `until` (OGA: 3, 6 and 12 months, then yearly; a clinic setting)."""
    offsets = sorted({m for m in months if m > 0})
    visits = [Visit(_months_label(m), m, add_months(surgery, m)) for m in offsets]
    if then_every_months > 0:
        m = (offsets[-1] if offsets else 0) + then_every_months
        while (due := add_months(surgery, m)) <= until and due != dt.date.max:
            visits.append(Visit(_months_label(m), m, due))
            m += then_every_months
    return [v for v in visits if v.due <= until] if visits else []


def _months_label(m: int) -> str:
    if m % 12 == 0:
        years = m // 12
        return f"{years} year" + ("s" if years > 1 else "")
    return f"{m} months"


def next_visit(schedule: list[Visit], held: set[dt.date]) -> Visit | None:
    """The earliest scheduled visit not held yet."""
    return next((v for v in schedule if v.due not in held), None)
