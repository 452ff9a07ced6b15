"""Surgical planning rules: plain functions over plain values (house style habit 7).

Nothing here imports Django; the ORM layer maps its rows to these values and calls the functions,
and the tests call them directly. Every rule cites its source beside the code:

- "guide" is the clinic's patient guide, "Understanding the Osseointegration Procedure: A Guide
  for Amputees" (docs/sources.md#clinic-guide);
- "[V]" (verified) facts come from docs/sources.md, cited by anchor with the reference given
  there.

Rules inform and the clinician decides: where the surgeon goes against a recommendation, the
`*_problem` functions ask for a recorded reason rather than refusing. The MDT's eligibility
flags live beside this module, in eligibility.py.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, get_args

# --- Sites and sides ---------------------------------------------------------------------------

# The same codes as osseo.patients.models.Site and Side (a test keeps the two in step).
Site = Literal["femur", "tibia", "humerus", "radius_ulna", "hand", "craniofacial"]
Side = Literal["left", "right", "not_applicable"]
SITES: tuple[Site, ...] = get_args(Site)
SIDES: tuple[Side, ...] = get_args(Side)

# guide, "The Surgery": "For lower limb patients ... For upper limb patients ..."
LOWER_LIMB_SITES: frozenset[Site] = frozenset({"femur", "tibia"})
UPPER_LIMB_SITES: frozenset[Site] = frozenset({"humerus", "radius_ulna", "hand"})
LIMB_SITES: frozenset[Site] = LOWER_LIMB_SITES | UPPER_LIMB_SITES

GUIDE_PROCEDURE = "Clinic patient guide, 'The Osseointegration Procedure'"
GUIDE_SURGERY = "Clinic patient guide, 'The Surgery'"
GUIDE_IMPLANT = "Clinic patient guide, 'The Surgery', Implant Insertion"


def site_problem(site: str) -> str | None:
    """Why `site` is not a site code, or None when it is one."""
    if site in SITES:
        return None
    return f"Unknown site {site!r}; sites are: {', '.join(SITES)}."


def side_problem(site: str, side: str) -> str | None:
    """Why `side` does not fit `site`: a limb is left or right; only craniofacial may be midline."""
    if side not in SIDES:
        return f"Unknown side {side!r}; sides are: {', '.join(SIDES)}."
    # osseo.patients.models.Side: "not_applicable" is for "midline craniofacial sites only".
    if side == "not_applicable" and site != "craniofacial":
        return "A limb implant is on the left or the right side."
    return None


def _check_site(site: str) -> None:
    if problem := site_problem(site):
        raise ValueError(problem)


# --- Staging -----------------------------------------------------------------------------------

Strategy = Literal["single_stage", "staged"]
STRATEGIES: tuple[Strategy, ...] = get_args(Strategy)
STRATEGY_LABELS: dict[Strategy, str] = {
    "single_stage": "Single-stage",
    "staged": "Staged (two or more operations)",
}

# guide, "The Osseointegration Procedure": "some patients, especially those needing implants in
# the head, neck, or hand, may still require multiple, staged procedures."
STAGED_BY_DEFAULT_SITES: frozenset[Site] = frozenset({"craniofacial", "hand"})


def recommended_strategy(site: str) -> Strategy:
    """Single-stage for the long-bone limb sites, staged for head, neck and hand."""
    _check_site(site)
    if site in STAGED_BY_DEFAULT_SITES:
        return "staged"
    # guide, "The Osseointegration Procedure": "a single-stage procedure can lead to faster
    # patient recovery and reduce the risk of complications, such as infections."
    return "single_stage"


def strategy_rationale(site: str) -> str:
    """One plain-English sentence saying why the strategy is recommended for `site`."""
    if recommended_strategy(site) == "staged":
        return (
            "Staged surgery is recommended: the guide says patients needing implants in the "
            "head, neck or hand may still require multiple, staged procedures."
        )
    return (
        "Single-stage surgery is recommended: the guide says it can lead to faster recovery "
        "and reduce the risk of complications such as infections."
    )


def strategy_problem(site: str, chosen: str, reason: str) -> str | None:
    """Why the surgeon's choice cannot be recorded yet, or None.

    The surgeon decides: a choice against the recommendation is allowed with a non-blank reason.
    """
    if problem := site_problem(site):
        return problem
    if chosen not in STRATEGIES:
        return f"Unknown strategy {chosen!r}; strategies are: {', '.join(STRATEGIES)}."
    recommended = recommended_strategy(site)
    if chosen != recommended and not reason.strip():
        return (
            f"{STRATEGY_LABELS[recommended]} is recommended for this site; "
            f"record a reason for choosing {STRATEGY_LABELS[chosen].lower()}."
        )
    return None


# --- Stage window ------------------------------------------------------------------------------

WindowUnit = Literal["months", "weeks"]


@dataclass(frozen=True)
class Window:
    """When the next stage of a staged plan is due: `minimum` to `maximum` units after the last.

    A clinic setting, since centres differ; months are calendar months.
    """

    minimum: int
    maximum: int
    unit: WindowUnit
    source: str = ""

    def __post_init__(self) -> None:
        if self.unit not in get_args(WindowUnit):
            raise ValueError(f"Unknown window unit {self.unit!r}; use 'months' or 'weeks'.")
        if not 0 <= self.minimum <= self.maximum or self.maximum < 1:
            raise ValueError(
                f"A window runs from a minimum to a larger maximum, got "
                f"{self.minimum} to {self.maximum} {self.unit}."
            )

    @property
    def label(self) -> str:
        return f"{self.minimum} to {self.maximum} {self.unit}"


# guide, "The Osseointegration Procedure": staged surgery was performed "with a gap of 4 to 6
# months between each stage".
DEFAULT_STAGE_WINDOW = Window(4, 6, "months", source=GUIDE_PROCEDURE)

# [V] docs/sources.md#stage-intervals Stages and intervals: Radboudumc (NL) S1 to S2 "6-8 weeks; no
# socket prosthesis allowed in between" — https://www.radboudumc.nl/en/patientenzorg/behandelingen/osseointegration/the-treatment
RADBOUD_STAGE_WINDOW = Window(
    6,
    8,
    "weeks",
    source="Radboudumc treatment page (docs/sources.md#stage-intervals, verified)",
)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole calendar months, clamped to the month's end (31 Aug + 6 = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:  # a stored date near the calendar's end
        return dt.date.max if months > 0 else dt.date.min
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _after(previous: dt.date, count: int, unit: WindowUnit) -> dt.date:
    if unit == "weeks":
        return previous + dt.timedelta(weeks=count)
    return add_months(previous, count)


def window_dates(
    previous: dt.date, window: Window = DEFAULT_STAGE_WINDOW
) -> tuple[dt.date, dt.date]:
    """(earliest, latest) date for the next stage after the stage done on `previous`."""
    return _after(previous, window.minimum, window.unit), _after(
        previous, window.maximum, window.unit
    )


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def date_problem(planned: dt.date, previous: dt.date, window: Window, reason: str) -> str | None:
    """Why the next stage cannot be planned on `planned`, or None.

    A date on or before the previous stage is always refused; a date outside the window needs a
    recorded reason.
    """
    if planned <= previous:
        return f"The next stage must be after the previous one on {_day(previous)}."
    earliest, latest = window_dates(previous, window)
    if earliest <= planned <= latest or reason.strip():
        return None
    timing = "earlier" if planned < earliest else "later"
    return (
        f"{_day(planned)} is {timing} than the {window.label} window after the previous stage "
        f"({_day(earliest)} to {_day(latest)}); record a reason to plan it then."
    )


# --- Anaesthesia -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """A coded choice with its plain-English label and where it comes from."""

    code: str
    label: str
    source: str


ANAESTHESIA_LABELS: dict[str, str] = {
    "general": "General anaesthesia",
    "general_spinal": "General anaesthesia with a spinal block",
    "general_epidural": "General anaesthesia with an epidural block",
    "general_brachial_plexus": "General anaesthesia with a brachial plexus nerve block",
    "regional_iv_sedation": "Regional anaesthesia alone, with intravenous sedation",
}


def _anaesthesia_codes(site: str) -> list[str]:
    # guide, "The Surgery": "Surgery is typically performed under general anesthesia."
    codes = ["general"]
    if site in LOWER_LIMB_SITES:
        # guide: "For lower limb patients, this may be combined with a spinal or epidural block."
        codes += ["general_spinal", "general_epidural"]
    if site in UPPER_LIMB_SITES:
        # guide: "For upper limb patients, a brachial plexus nerve block may be used."
        codes += ["general_brachial_plexus"]
    if site in LIMB_SITES:
        # guide: "In some cases, surgery might be done under regional anesthesia alone, with
        # additional intravenous sedation." (a limb block; the guide says nothing more for
        # craniofacial sites, so further options there are the anaesthetist's clinic data)
        codes += ["regional_iv_sedation"]
    return codes


def anaesthesia_options(site: str, *, clinic_options: Sequence[Option] = ()) -> list[Option]:
    """The guide's anaesthesia options for `site`, then any the clinic has added as data.

    docs/sources.md#anaesthesia: the guide's options "were not independently confirmed in other
    sources" [U]; they are the clinic's own practice, and "further options are clinic data".
    """
    _check_site(site)
    options = [
        Option(code, ANAESTHESIA_LABELS[code], GUIDE_SURGERY) for code in _anaesthesia_codes(site)
    ]
    known = {option.code for option in options}
    return options + [option for option in clinic_options if option.code not in known]


def anaesthesia_problem(
    site: str, code: str, *, clinic_options: Sequence[Option] = ()
) -> str | None:
    """Why `code` is not an anaesthesia option for `site`, or None when it is one."""
    if problem := site_problem(site):
        return problem
    options = anaesthesia_options(site, clinic_options=clinic_options)
    if code in {option.code for option in options}:
        return None
    named = ", ".join(option.label.lower() for option in options)
    label = ANAESTHESIA_LABELS.get(code)
    if label is None:
        return f"Unknown anaesthesia {code!r}; for this site the options are: {named}."
    return f"{label} is not an option for this site; the options are: {named}."


# --- Fixation ----------------------------------------------------------------------------------

Fixation = Literal["press_fit", "threaded"]
FIXATIONS: tuple[Fixation, ...] = get_args(Fixation)
# [V] docs/sources.md#implant-fixation: "Two main ways to fix the implant in bone: threaded (screw)
# and press-fit" (doi 10.15674/0030-59872024386-97).
FIXATION_LABELS: dict[Fixation, str] = {"press_fit": "Press-fit", "threaded": "Threaded (screw)"}


def default_fixation(site: str) -> Fixation:
    """Press-fit for every site, the clinic's implant."""
    _check_site(site)
    # guide, "Implant Insertion": "The implants we use at Relimb are 'press fit' which have been
    # shown to have fewer complications, particularly in the lower limb."
    return "press_fit"


# --- Implant sizes -----------------------------------------------------------------------------

Millimetres = Decimal | int | float | str


def _mm(value: Millimetres, name: str) -> Decimal:
    # Through str(), so that a float 14.1 stays 14.1 rather than 14.0999999999999996...
    number = Decimal(str(value))
    if not number.is_finite() or number < 0:
        raise ValueError(f"{name} must be a finite, non-negative number of millimetres.")
    return number


@dataclass(frozen=True)
class CatalogueSize:
    """One implant size from the catalogue; the caller maps its rows to these.

    [V] docs/sources.md#implant-components: "no human implant size tables were found ... Model
    implant size as free data (diameter_mm, length_mm, catalogue/ref no., lot no.), not as an enum."
    """

    key: str
    site: str
    fixation: str
    diameter_mm: Decimal
    length_mm: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "diameter_mm", _mm(self.diameter_mm, "diameter_mm"))
        object.__setattr__(self, "length_mm", _mm(self.length_mm, "length_mm"))


def fitting_sizes(
    catalogue: Iterable[CatalogueSize],
    *,
    site: str,
    canal_diameter_mm: Millimetres,
    usable_length_mm: Millimetres,
    fixation: str | None = None,
    diameter_clearance_mm: Millimetres = 0,
    length_clearance_mm: Millimetres = 0,
) -> list[CatalogueSize]:
    """The sizes that fit the measured bone, best fit (widest, then longest) first.

    A size fits when it is for the same site (and fixation, when given), its diameter is at most
    the measured canal diameter and its length at most the usable bone length.

    `diameter_clearance_mm` and `length_clearance_mm` are clinic settings, NOT VALIDATED: no
    published margin was found (docs/sources.md#implant-components), so they default to 0 and a
    clinic that sets one owns the number.
    """
    canal = _mm(canal_diameter_mm, "canal_diameter_mm")
    usable = _mm(usable_length_mm, "usable_length_mm")
    max_diameter = canal - _mm(diameter_clearance_mm, "diameter_clearance_mm")
    max_length = usable - _mm(length_clearance_mm, "length_clearance_mm")
    fits = [
        size
        for size in catalogue
        if size.site == site
        and (fixation is None or size.fixation == fixation)
        and size.diameter_mm <= max_diameter
        and size.length_mm <= max_length
    ]
    return sorted(fits, key=lambda size: (-size.diameter_mm, -size.length_mm, size.key))


# --- Plan preview ------------------------------------------------------------------------------


def plan_preview(
    site: str,
    side: str,
    *,
    strategy: str | None = None,
    previous_stage: dt.date | None = None,
    stage_window: Window = DEFAULT_STAGE_WINDOW,
) -> dict[str, Any]:
    """What the rules suggest for a new plan, JSON-ready (dates as ISO strings).

    `strategy` is the surgeon's choice when made (else the recommendation); `previous_stage`
    gives the stage window its dates. Raises ValueError for an unknown site, side or strategy.
    """
    for problem in (site_problem(site), side_problem(site, side)):
        if problem:
            raise ValueError(problem)
    recommended = recommended_strategy(site)
    if strategy is not None and strategy not in STRATEGIES:
        raise ValueError(f"Unknown strategy {strategy!r}; strategies are: {', '.join(STRATEGIES)}.")
    chosen = strategy or recommended
    options = anaesthesia_options(site)
    rationale = [
        {"text": strategy_rationale(site), "source": GUIDE_PROCEDURE},
        {
            "text": "Anaesthesia options follow the guide; further options are clinic data.",
            "source": GUIDE_SURGERY,
        },
        {
            "text": "Press-fit implants have been shown to have fewer complications, "
            "particularly in the lower limb.",
            "source": GUIDE_IMPLANT,
        },
    ]
    preview: dict[str, Any] = {
        "site": site,
        "side": side,
        "strategy": chosen,
        "recommended_strategy": recommended,
        "anaesthesia_options": [{"code": o.code, "label": o.label} for o in options],
        "default_fixation": default_fixation(site),
        "rationale": rationale,
    }
    if chosen == "staged":
        window: dict[str, Any] = {
            "minimum": stage_window.minimum,
            "maximum": stage_window.maximum,
            "unit": stage_window.unit,
            "label": stage_window.label,
            "source": stage_window.source,
        }
        if previous_stage is not None:
            earliest, latest = window_dates(previous_stage, stage_window)
            window |= {"earliest": earliest.isoformat(), "latest": latest.isoformat()}
        preview["stage_window"] = window
        rationale.append(
            {
                "text": f"The next stage is due {stage_window.label} after the previous one.",
                "source": stage_window.source,
            }
        )
    return preview
