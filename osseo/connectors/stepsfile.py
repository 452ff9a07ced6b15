"""Daily step files: parse and check a whole file before anything is saved.

A file is refused whole when any line is bad, with one message per bad line (up to
`MAX_PROBLEMS`) as `line N: reason`, N counted as an editor shows it (the header is line 1 when it
is the file's first line). Pure but for the patient's own window (their date of birth and death),
read when a patient is given.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from osseo.plausible import check_date

MAX_PROBLEMS = 20
# A sanity bound on one day's count, to catch a wrong column (e.g. a cumulative total). Not a
# clinical figure: a day of 200,000 steps would be some 30 hours of brisk walking.
MAX_STEPS_A_DAY = 200_000
_GROUPED = re.compile(r"^\d{1,3}(?:[, _\u00a0\u202f]\d{3})+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Problems:
    """Collected `line N: reason` messages, at most MAX_PROBLEMS of them, and how many in all."""

    messages: list[str]
    total: int = 0

    def add(self, message: str) -> None:
        self.total += 1
        if len(self.messages) < MAX_PROBLEMS:
            self.messages.append(message)

    def summary(self) -> list[str]:
        hidden = self.total - len(self.messages)
        more = [f"... and {hidden} more bad lines (fix these first)"] if hidden > 0 else []
        return self.messages + more

    def __bool__(self) -> bool:
        return self.total > 0


class StepsFileError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def parse_steps_value(text: str) -> int:
    """A whole number of steps: 9800, 9,800, 9 800 or 9800.0; ValueError with the reason."""
    t = text.strip()
    if t.isdigit() and len(t) < 6:  # the common case (under 100,000), quickly
        return int(t)
    if not t:
        raise ValueError("no step count")
    if t.startswith("-") and t[1:].replace(".", "", 1).isdigit():
        raise ValueError(f"the step count {t} is negative")
    if _GROUPED.match(t):
        t = re.sub(r"\D", "", t)
    elif re.fullmatch(r"\d+\.0*", t):
        t = t.split(".")[0]
    if not t.isdigit():
        raise ValueError(f"{text.strip()!r} is not a whole number of steps")
    value = int(t)
    if value > MAX_STEPS_A_DAY:
        raise ValueError(
            f"{value:,} steps in one day is more than {MAX_STEPS_A_DAY:,}: is it the right column?"
        )
    return value


def parse_day(text: str, today: dt.date) -> dt.date:
    t = text.strip()
    if len(t) != 10 or t[4] != "-" or t[7] != "-" or not _ISO_DATE.match(t):
        raise ValueError(f"{t!r} is not a date written as YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(t)
    except ValueError:
        raise ValueError(f"{t!r} is not a real date") from None
    if day > today:
        raise ValueError(f"{t} is in the future")
    return day


def check_days(
    rows: Iterable[tuple[str, object, object]], today: dt.date, *, patient: Any = None
) -> tuple[dict[dt.date, int], Problems]:
    """(days, problems) from (where, date, steps) rows; `where` prefixes each message. With
    `patient`, each day is also held to the patient's window (osseo/plausible.py: not before
    their date of birth, not after a recorded death), named by its line, not only refused by
    the import as a whole."""
    days: dict[dt.date, int] = {}
    first_seen: dict[dt.date, str] = {}
    problems = Problems([])
    for where, raw_date, raw_steps in rows:
        reasons = []
        day = steps = None
        try:
            day = (
                raw_date
                if isinstance(raw_date, dt.date) and raw_date <= today
                else parse_day(str(raw_date), today)
            )
        except ValueError as exc:
            reasons.append(str(exc))
        if day is not None and patient is not None:
            found: dict[str, list[str]] = {}
            if check_date(found, "day", day, patient=patient) is None:
                reasons += [m[:1].lower() + m[1:].rstrip(".") for m in found["day"]]
                day = None
        try:
            if isinstance(raw_steps, bool):
                raise ValueError("the step count is not a number")
            if isinstance(raw_steps, int):
                if raw_steps < 0:
                    raise ValueError(f"the step count {raw_steps} is negative")
                steps = parse_steps_value(str(raw_steps))
            else:
                steps = parse_steps_value(str(raw_steps if raw_steps is not None else ""))
        except ValueError as exc:
            reasons.append(str(exc))
        if not reasons and day is not None and steps is not None:
            if day in days and days[day] != steps:
                reasons.append(
                    f"{day} appears again with another count ({steps:,}, first "
                    f"{days[day]:,} on {first_seen[day]})"
                )
            else:
                days[day] = steps
                first_seen.setdefault(day, where)
        if reasons:
            problems.add(f"{where}: " + "; ".join(reasons))
    return days, problems


# The longest line a steps file may have: a date, a count and a few other columns fit many
# times over; a longer line is not a steps export (and Python's csv refuses fields over 128 KiB).
MAX_LINE_CHARACTERS = 4096


def _lines(data: bytes) -> list[tuple[int, str | None]]:
    """(line number, text or None if not UTF-8) for each line, as an editor numbers them."""
    out: list[tuple[int, str | None]] = []
    for number, raw in enumerate(data.splitlines(), start=1):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        try:
            out.append((number, raw.decode("utf-8")))
        except UnicodeDecodeError:
            out.append((number, None))
    return out


def parse_steps_csv(data: bytes, *, today: dt.date, patient: Any = None) -> dict[dt.date, int]:
    """The days of a `date,steps` CSV file, or StepsFileError with every bad line named (with
    `patient`, a day outside their window too: check_days).

    The header names a `date` and a `steps` column (any case and order; other columns are
    ignored); the delimiter is `,`, `;` or tab. Blank lines and `#` comment lines are skipped.
    """
    lines = _lines(data)
    header_at = next(
        (
            i
            for i, (_, text) in enumerate(lines)
            if text is None or (text.strip() and not text.lstrip().startswith("#"))
        ),
        None,
    )
    if header_at is None:
        where = len(lines) or 1
        raise StepsFileError([f"line {where}: the file has no date,steps header"])
    number, header = lines[header_at]
    if header is None:
        raise StepsFileError([f"line {number}: the header is not UTF-8 text"])
    if len(header) > MAX_LINE_CHARACTERS:
        raise StepsFileError(
            [f"line {number}: the header is longer than {MAX_LINE_CHARACTERS} characters"]
        )
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    names = [n.strip().lower() for n in next(csv.reader([header], delimiter=delimiter))]
    missing = [c for c in ("date", "steps") if c not in names]
    if missing:
        raise StepsFileError(
            [
                f"line {number}: the header must name a date and a steps column "
                f"(date,steps), not {header.strip()!r}"
            ]
        )
    if len(set(names)) != len(names):
        raise StepsFileError([f"line {number}: a column appears twice in the header"])
    i_date, i_steps = names.index("date"), names.index("steps")
    rows: list[tuple[str, object, object]] = []
    problems = Problems([])
    for line_no, text in lines[header_at + 1 :]:
        if text is None:
            problems.add(f"line {line_no}: the text is not UTF-8 (save the file as UTF-8)")
            continue
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if len(text) > MAX_LINE_CHARACTERS:
            problems.add(
                f"line {line_no}: the line is longer than {MAX_LINE_CHARACTERS} characters"
            )
            continue
        try:
            fields = next(csv.reader([text], delimiter=delimiter))
        except csv.Error as exc:
            problems.add(f"line {line_no}: the row cannot be read as CSV ({exc})")
            continue
        if len(fields) != len(names):
            problems.add(
                f"line {line_no}: expected {len(names)} fields as in the header, "
                f"found {len(fields)}"
            )
            continue
        rows.append((f"line {line_no}", fields[i_date], fields[i_steps]))
    days, row_problems = check_days(rows, today, patient=patient)
    merged = Problems([])
    for message in sorted(
        problems.messages + row_problems.messages, key=lambda m: int(m.split()[1].rstrip(":"))
    ):
        merged.add(message)
    merged.total = problems.total + row_problems.total
    if merged:
        raise StepsFileError(merged.summary())
    if not days:
        raise StepsFileError([f"line {number + 1}: there are no days after the header"])
    return days
