"""The slow, exact CSV check: re-read a file line by line and name its first problem.

Only used after the fast reader (pyarrow) has met a problem, so it favours clear messages over
speed. Problems: text that is not UTF-8, a row with the wrong number of fields, a missing,
non-numeric or non-finite value in a column being read, a time that does not increase.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from datetime import datetime
from typing import IO

# The longest line a CSV recording may have (its header is read with the same bound). A header of
# 1,000 channels named in 60 characters each fits; a longer line is not a recording, and a field
# over Python's csv limit (128 KiB) could not be read anyway.
MAX_LINE_BYTES = 64 * 1024

_DECIMAL_COMMA = re.compile(rb"(^|[;\t])\s*[-+]?\d+,\d+\s*($|[;\t\r\n])")


def looks_like_decimal_comma(first_row: bytes) -> bool:
    """True if a `;`- or tab-separated row writes numbers with a decimal comma (12,5)."""
    return bool(_DECIMAL_COMMA.search(first_row))


def parse_number(text: str, decimal: str) -> float:
    t = text.strip()
    if decimal == ",":
        t = t.replace(",", ".")
    return float(t)


def parse_time(text: str, decimal: str) -> tuple[float | None, str | None]:
    """(seconds, kind) of a time cell: kind "float" for numbers, "UTC" or "naive" for ISO
    date-times with or without a zone; (None, None) if it is neither."""
    try:
        return parse_number(text, decimal), "float"
    except ValueError:
        pass
    try:
        stamp = datetime.fromisoformat(text.strip())
    except ValueError:
        return None, None
    if stamp.tzinfo is not None:
        return stamp.timestamp(), "UTC"
    return (stamp - datetime(1970, 1, 1)).total_seconds(), "naive"  # noqa: DTZ001


def first_csv_problem(
    handle: IO[bytes],
    header_line: int,
    names: list[str],
    delimiter: str,
    decimal: str,
    channels: list[str],
    time_header: str | None,
) -> tuple[int, str] | None:
    """(line, reason) of the first problem in the data rows, or None if there is none."""
    line = 0
    decode_error: int | None = None
    long_line: int | None = None

    def lines() -> Iterator[str]:
        nonlocal line, decode_error, long_line
        # At most MAX_LINE_BYTES at a time: a line without end never fills the memory.
        while raw := handle.readline(MAX_LINE_BYTES + 1):
            line += 1
            if len(raw) > MAX_LINE_BYTES:
                long_line = line
                return
            try:
                yield raw.decode("utf-8-sig" if line == 1 else "utf-8")
            except UnicodeDecodeError:
                decode_error = line
                return

    reader = csv.reader(lines(), delimiter=delimiter)
    wanted = [(names.index(c), c) for c in channels]
    t_index = names.index(time_header) if time_header else None
    previous: float | None = None
    try:
        for row in reader:
            if line <= header_line:
                continue
            if not any(f.strip() for f in row):
                continue
            if len(row) != len(names):
                return line, f"expected {len(names)} fields as in the header, found {len(row)}"
            for i, name in wanted:
                cell = row[i].strip()
                if not cell:
                    return line, f"no value in column {name!r}"
                try:
                    v = parse_number(cell, decimal)
                except ValueError:
                    return line, f"{cell!r} in column {name!r} is not a number"
                if not math.isfinite(v):
                    return line, (
                        f"{cell!r} in column {name!r} is not a finite number "
                        "(remove or fill in missing samples first)"
                    )
            if t_index is not None:
                cell = row[t_index].strip()
                t, _ = parse_time(cell, decimal) if cell else (None, None)
                if t is None or not math.isfinite(t):
                    return line, f"the time {cell!r} is not a number or an ISO date-time"
                if previous is not None and not t > previous:
                    return line, f"the time {cell} is not after the previous sample's"
                previous = t
    except csv.Error as exc:
        return line, f"the row cannot be read as CSV ({exc})"
    if decode_error is not None:
        return decode_error, "the text is not UTF-8 (save the file as UTF-8)"
    if long_line is not None:
        return long_line, f"the line is longer than {MAX_LINE_BYTES // 1024} KiB"
    return None
