"""Every bad line of a CSV load recording, for the message a refused recording shows.

The wear engine stops at a recording's first problem (osseo/fatigue/csvcheck.py); a refused
import here names each bad line, up to MAX_PROBLEMS, with the engine's own parsing rules.
"""

from __future__ import annotations

import csv
import math
from typing import IO

from osseo.fatigue.csvcheck import parse_number, parse_time
from osseo.fatigue.recordings import Recording

from .stepsfile import Problems


def csv_problems(handle: IO[bytes], rec: Recording, channel: str) -> list[str]:
    """`line N: reason` for every bad data line of an open CSV recording's file (rewound)."""
    names = [c.header for c in rec.columns]
    delimiter = getattr(rec, "delimiter", ",")
    decimal = getattr(rec, "decimal", ".")
    header_line = int(getattr(rec, "header_line", 1))
    wanted = rec.channel(channel).header
    i_value = names.index(wanted)
    i_time = names.index(rec.time_column.header) if rec.time_column else None
    problems = Problems([])
    previous: float | None = None
    handle.seek(0)
    for line, raw in enumerate(handle, start=1):
        if line <= header_line:
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.add(f"line {line}: the text is not UTF-8 (save the file as UTF-8)")
            continue
        if not text.strip():
            continue
        try:
            row = next(csv.reader([text], delimiter=delimiter))
        except csv.Error as exc:
            problems.add(f"line {line}: the row cannot be read as CSV ({exc})")
            continue
        if len(row) != len(names):
            problems.add(
                f"line {line}: expected {len(names)} fields as in the header, found {len(row)}"
            )
            continue
        reasons = []
        cell = row[i_value].strip()
        if not cell:
            reasons.append(f"no value in column {wanted!r}")
        else:
            try:
                value = parse_number(cell, decimal)
                if not math.isfinite(value):
                    reasons.append(f"{cell!r} in column {wanted!r} is not a finite number")
            except ValueError:
                reasons.append(f"{cell!r} in column {wanted!r} is not a number")
        if i_time is not None:
            tcell = row[i_time].strip()
            t, _ = parse_time(tcell, decimal) if tcell else (None, None)
            if t is None or not math.isfinite(t):
                reasons.append(f"the time {tcell!r} is not a number or an ISO date-time")
            else:
                if previous is not None and not t > previous:
                    reasons.append(f"the time {tcell} is not after the previous sample's")
                previous = t
        if reasons:
            problems.add(f"line {line}: " + "; ".join(reasons))
    return problems.summary()
