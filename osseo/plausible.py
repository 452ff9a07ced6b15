"""Plausible input, in one place: the window every clinical date must fall in, and the characters
text may hold. The actions call these (so the forms and the API refuse alike, as field errors);
the API's body parser and every form's text fields use the same text check.

Dates. A clinical date is refused outside its window, with a message naming the bound:
- never before the events the record comes after (the date of birth, the amputation, the
  operation, the plan's start: each action names its own, `After(...)`);
- an event that has happened (an operation, a measurement, a visit) is not after today;
- a planned date (a surgical plan, a rehab plan's start) is not more than the clinic's
  `date_years_ahead` setting ahead of today. No source fixes that number: it is a clinic setting,
  shown as "not validated" until the clinic sets it (osseo/accounts/clinic_settings.py);
- the bounds of the calendar (year 1 to 9999) are never reached: whatever the window, arithmetic on
  an accepted date (schedules, "due in N days") cannot overflow. `safe_add` guards the pages that
  show rows stored before these checks existed (`osseo check_dates` reports those rows).

Text. NUL (which PostgreSQL cannot store in text at all) and the Unicode bidirectional embedding,
override and isolate controls (U+202A-U+202E, U+2066-U+2069: they make "Smith" display as another
name, the "Trojan Source" trick, CVE-2021-42574) are refused with a field error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

# The widest span of years a planned date may lie ahead, whatever a clinic sets: far inside the
# calendar's end (9999-12-31), so that adding any schedule to an accepted date cannot overflow.
MAX_YEARS_AHEAD = 50
# How old a record may be at most when nothing earlier bounds it: the oldest documented human
# lifespan is 122 years (Jeanne Calment); the date of birth itself is bounded at 120 years ago
# (osseo/patients/validation.py), so every patient's records already fall inside this.
MAX_YEARS_BACK = 130

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class After:
    """An event a date cannot precede: its date (None when unknown: no bound) and its name
    as a sentence says it ("the date of birth")."""

    on: dt.date | None
    what: str


def today() -> dt.date:
    return timezone.localdate()


def _fmt(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def years_from(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (or earlier, when negative), 28 Feb for 29 Feb in a common
    year, clamped to the calendar's bounds."""
    year = min(max(day.year + years, dt.MINYEAR), dt.MAXYEAR)
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


def safe_add(day: dt.date, days: int | float) -> dt.date:
    """`day + days` clamped to the calendar, for pages that show stored rows: a date stored before
    the windows were checked must not turn a page into a server error (OverflowError)."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def years_ahead_for(patient: Any) -> tuple[int, bool]:
    """The clinic's `date_years_ahead` setting for the patient's clinic, and whether the clinic
    validated it."""
    from osseo.accounts.clinic_settings import resolve

    team = (
        patient.care_teams.filter(organisation__kind="oi_clinic").select_related("organisation")
        if patient is not None
        else None
    )
    first = team.first() if team is not None else None
    setting = resolve(first.organisation if first else None, "date_years_ahead")
    years = min(max(int(setting.value), 0), MAX_YEARS_AHEAD)
    return years, setting.validated


def date_problem(
    value: Any,
    *,
    after: Iterable[After] = (),
    planned: bool = False,
    years_ahead: int = 0,
    not_after: Iterable[After] = (),
    on: dt.date | None = None,
) -> str | None:
    """Why `value` is not a plausible date for the record, or None. `planned`: a date to come,
    up to `years_ahead` years from today; otherwise an event that has happened (not after today).
    `not_after`: events it cannot follow (a death)."""
    now = on or today()
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        return "Enter a date as YYYY-MM-DD."
    for bound in after:
        if bound.on is not None and value < bound.on:
            return f"The date cannot be before {bound.what} ({_fmt(bound.on)})."
    earliest = years_from(now, -MAX_YEARS_BACK)
    if value < earliest:
        return f"The date cannot be more than {MAX_YEARS_BACK} years ago (before {_fmt(earliest)})."
    if planned:
        latest = years_from(now, min(years_ahead, MAX_YEARS_AHEAD))
        if value > latest:
            return (
                f"The date cannot be more than {years_ahead} years ahead (after {_fmt(latest)}), "
                "the clinic's setting for planned dates."
            )
    elif value > now:
        return f"The date cannot be after today ({_fmt(now)})."
    for bound in not_after:
        if bound.on is not None and value > bound.on:
            return f"The date cannot be after {bound.what} ({_fmt(bound.on)})."
    return None


def check_date(
    errors: Errors,
    field: str,
    value: Any,
    *,
    patient: Any = None,
    after: Iterable[After] = (),
    planned: bool = False,
    years_ahead: int | None = None,
    required: bool = True,
) -> dt.date | None:
    """Add a field error when `value` lies outside its window; the date when it is inside.

    With `patient`, the date of birth is a bound, and (for events that have happened) the date of
    death is another; a planned date reads the patient's clinic's `date_years_ahead` unless
    `years_ahead` is given."""
    if value is None or value == "":
        if required:
            errors.setdefault(field, []).append("Enter a date.")
        return None
    bounds = list(after)
    not_after: list[After] = []
    years = years_ahead or 0
    if patient is not None:
        bounds.insert(0, After(patient.birth_date, "the date of birth"))
        # The reverse one-to-one raises RelatedObjectDoesNotExist (an AttributeError) when none.
        death = getattr(patient, "death", None)
        if death is not None and not planned:
            not_after.append(After(death.died_on, "the date of death"))
        if planned and years_ahead is None:
            years, _validated = years_ahead_for(patient)
    problem = date_problem(
        value, after=bounds, planned=planned, years_ahead=years, not_after=not_after
    )
    if problem:
        errors.setdefault(field, []).append(problem)
        return None
    return value  # type: ignore[no-any-return]


def require_date(field: str, value: Any, **window: Any) -> dt.date:
    """`check_date` for an action with one date: raise the field error at once."""
    errors: Errors = {}
    day = check_date(errors, field, value, **window)
    if errors:
        raise ValidationError(errors)
    assert day is not None
    return day


# --- Text ----------------------------------------------------------------------------------------

# NUL and the bidirectional embedding, override and isolate controls (Unicode UAX #9: LRE RLE PDF
# LRO RLO, LRI RLI FSI PDI). Other control characters are data in some inputs (a GS1 barcode's
# group separator, U+001D) and are left to each field's own rules.
_REFUSED = re.compile("[\x00\u202a-\u202e\u2066-\u2069]")
# The same rule as a JSON Schema pattern (ECMA 262), for the API document: text without them.
TEXT_PATTERN = "^[^\\u0000\\u202a-\\u202e\\u2066-\\u2069]*$"


def text_problem(value: str) -> str | None:
    """Why the text cannot be taken, or None."""
    found = _REFUSED.search(value)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "The text contains a NUL character, which cannot be stored."
    return (
        f"The text contains the invisible direction control U+{ord(char):04X}, "
        "which can make it display as something else; remove it."
    )


def validate_text(value: Any) -> None:
    """A Django validator (forms, models) for the text rule above."""
    if isinstance(value, str) and (problem := text_problem(value)):
        raise ValidationError(problem, code="control_character")


def text_problems(data: Any, path: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(field path, problem) for every string in a parsed JSON value (keys included) that the
    text rule refuses."""
    found: list[tuple[str, str]] = []
    stack: list[tuple[tuple[str, ...], Any]] = [(path, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if problem := text_problem(value):
                found.append((".".join(where) or "body", problem))
        elif isinstance(value, dict):
            for key, item in value.items():
                if problem := text_problem(str(key)):
                    found.append((".".join((*where, str(key))), problem))
                stack.append(((*where, str(key)), item))
        elif isinstance(value, list):
            stack.extend(((*where, str(i)), item) for i, item in enumerate(value))
    return sorted(found)


# --- Stored rows ---------------------------------------------------------------------------------

# Dates that may lie ahead of today (plans, schedules, a device's expiry); every other clinical
# date records an event that has happened.
AHEAD_FIELDS = {
    ("surgery", "SurgicalPlan", "planned_date"),
    ("surgery", "PlannedStage", "planned_date"),
    ("surgery", "Device", "expiry"),
    ("rehab", "RehabPlan", "start_date"),
    ("rehab", "FollowUp", "due_date"),
    ("connectors", "Forecast", "due_on"),
    ("connectors", "Forecast", "time_due_on"),
    ("connectors", "Forecast", "activity_due_on"),
}
# Dates not bound by the patient's birth (a device's label dates come from its manufacturer).
UNBORN_FIELDS = {("surgery", "Device", "expiry"), ("surgery", "Device", "production_date")}


@dataclass(frozen=True)
class StoredProblem:
    model: str  # "rehab.RehabPlan"
    pk: Any
    field: str
    value: dt.date
    problem: str

    def __str__(self) -> str:
        return f"{self.model} #{self.pk}: {self.field} {self.value.isoformat()}: {self.problem}"


def implausible_rows(on: dt.date | None = None) -> list[StoredProblem]:
    """Every stored clinical date (a DateField of an Osseo model) outside its window: more than
    MAX_YEARS_BACK years ago, after today (an event) or more than MAX_YEARS_AHEAD years ahead (a
    planned date), or before the patient's date of birth. Used by `osseo check-dates`."""
    from django.apps import apps
    from django.db import models
    from django.db.models import F, Q

    now = on or today()
    earliest, latest = years_from(now, -MAX_YEARS_BACK), years_from(now, MAX_YEARS_AHEAD)
    found: list[StoredProblem] = []
    for model in apps.get_models():
        if not model.__module__.startswith("osseo."):
            continue
        label = f"{model._meta.app_label}.{model.__name__}"
        patient_path = _patient_path(model)
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.DateField) or isinstance(field, models.DateTimeField):
                continue
            key = (model._meta.app_label, model.__name__, field.name)
            ahead = key in AHEAD_FIELDS
            name = field.name
            bad = Q(**{f"{name}__lt": earliest}) | Q(**{f"{name}__gt": latest if ahead else now})
            if patient_path and key not in UNBORN_FIELDS and name != "birth_date":
                bad |= Q(**{f"{name}__lt": F(f"{patient_path}__birth_date")})
            for pk, value in model._default_manager.filter(bad).values_list("pk", name):
                found.append(
                    StoredProblem(label, pk, name, value, _stored_problem(value, now, ahead))
                )
    return sorted(found, key=lambda p: (p.model, str(p.pk), p.field))


def _patient_path(model: Any) -> str:
    names = {f.name for f in model._meta.concrete_fields}
    if "patient" in names:
        return "patient"
    for via in ("plan", "episode", "event", "limb", "procedure"):
        if via in names:
            target = model._meta.get_field(via).related_model
            if "patient" in {f.name for f in target._meta.concrete_fields}:
                return f"{via}__patient"
    return ""


def _stored_problem(value: dt.date, now: dt.date, ahead: bool) -> str:
    if value < years_from(now, -MAX_YEARS_BACK):
        return f"more than {MAX_YEARS_BACK} years ago"
    if ahead and value > years_from(now, MAX_YEARS_AHEAD):
        return f"more than {MAX_YEARS_AHEAD} years ahead"
    if not ahead and value > now:
        return "after today"
    return "before the date of birth"


def check_text_in_every_form() -> None:
    """Every text field of every form refuses what `text_problem` refuses, with a field error.

    Django's form CharField takes its validators from the class's `default_validators` when a
    field is made (and already adds its own NUL check); setting them here, as the apps load and
    before any form class is defined, covers the forms of every app, those added later included,
    with the same rule the API's body parser applies (osseo/api.py)."""
    from django import forms

    if validate_text not in forms.CharField.default_validators:
        forms.CharField.default_validators = [*forms.CharField.default_validators, validate_text]


# --- JSON ----------------------------------------------------------------------------------------

# The deepest nesting a JSON body or setting may have. Osseo's deepest documented body (an
# operative record's sections) nests three levels; far deeper is an attack on the parsers
# (Python's own json and pydantic recurse, RecursionError), refused before they run.
MAX_JSON_DEPTH = 32
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_INNERMOST = re.compile(r"\[\]|\{\}|\[\}|\{\]")


class BodyError(ValueError):
    """JSON that cannot be taken: not JSON, not UTF-8, or nested too deep."""


def json_depth(text: str, *, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep the brackets of JSON text nest, counted up to `limit + 1`, in linear time per
    level and without recursion (strings, which may hold brackets, are skipped)."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    depth = 0
    while brackets and depth <= limit:
        reduced = _INNERMOST.sub("", brackets)
        if reduced == brackets:  # unbalanced: not JSON, which the parser then says
            break
        brackets, depth = reduced, depth + 1
    return depth


def read_json(raw: bytes | str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON from a request or a settings box, refusing nesting deeper than `max_depth`
    (BodyError, with words for people) before the parser could recurse into it."""
    import json

    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise BodyError("The body is not UTF-8 text.") from exc
    if json_depth(text, limit=max_depth) > max_depth:
        raise BodyError(f"The JSON nests deeper than {max_depth} levels.")
    try:
        return json.loads(text)
    except RecursionError as exc:  # a backstop: the depth check above comes first
        raise BodyError(f"The JSON nests deeper than {max_depth} levels.") from exc
    except ValueError as exc:
        raise BodyError(f"The body is not valid JSON ({exc}).") from exc
