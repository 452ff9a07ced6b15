"""Column names with units (`axial_force_N`, `Mx [Nm]`, `time (ms)`), and conversion to SI.

Loads are converted to newtons and newton-metres and times to seconds, so that clinic-set
parameters (a reference range in N or N·m) mean the same for every device. A unit that is not
known here is kept as it is (scale 1) and shown with the results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from osseo.fatigue.errors import FatigueInputError

# unit as written (case-sensitive first, then lower-case) → (SI unit, factor to SI)
_UNITS: dict[str, tuple[str, float]] = {
    "N": ("N", 1.0),
    "kN": ("N", 1e3),
    "lbf": ("N", 4.4482216152605),
    "Nm": ("N·m", 1.0),
    "N.m": ("N·m", 1.0),
    "N·m": ("N·m", 1.0),
    "N*m": ("N·m", 1.0),
    "N-m": ("N·m", 1.0),
    "kNm": ("N·m", 1e3),
    "kN.m": ("N·m", 1e3),
    "kN·m": ("N·m", 1e3),
    "Nmm": ("N·m", 1e-3),
    "N.mm": ("N·m", 1e-3),
    "N·mm": ("N·m", 1e-3),
    "lbf.ft": ("N·m", 1.3558179483314004),
    "lbf.in": ("N·m", 0.1129848290276167),
    "s": ("s", 1.0),
    "sec": ("s", 1.0),
    "ms": ("s", 1e-3),
    "us": ("s", 1e-6),
    "µs": ("s", 1e-6),
    "min": ("s", 60.0),
}
_LOWER = {k.lower(): v for k, v in _UNITS.items()}
_BRACKETED = re.compile(r"^(?P<name>.*?)\s*[\[(](?P<unit>[^\[\]()]+)[\])]\s*$")
# Time column names, also in the languages of the clinics using bone-anchored prostheses.
TIME_NAMES = frozenset(
    {"time", "t", "timestamp", "time_stamp", "elapsed", "elapsed_time", "seconds"}
    | {"zeit", "tid", "tijd", "temps", "tiempo", "tempo", "aika"}
)


def _known(unit: str) -> tuple[str, float] | None:
    return _UNITS.get(unit) or _LOWER.get(unit.lower())


@dataclass(frozen=True)
class Column:
    """A column of a recording: its header, base name and unit (SI after `scale`)."""

    header: str  # as written in the file
    name: str  # the header without its unit: what users call the channel
    unit: str | None  # the unit of the values after scaling (SI when known)
    source_unit: str | None  # the unit in the file (header, metadata or given)
    scale: float  # file value * scale = value in `unit`

    @property
    def is_time(self) -> bool:
        return self.name.lower() in TIME_NAMES

    def describe(self) -> str:
        if self.source_unit and self.scale != 1.0:
            return f"{self.name} ({self.unit}, converted from {self.source_unit})"
        return f"{self.name} ({self.unit})" if self.unit else f"{self.name} (no unit given)"


def split_header(header: str) -> tuple[str, str | None]:
    """(name, unit) of a header: `force [kN]`, `force (kN)`, `force_kN`; unit None if none."""
    h = header.strip()
    m = _BRACKETED.match(h)
    if m and m.group("name"):
        return m.group("name").strip(), m.group("unit").strip()
    if "_" in h:
        base, _, suffix = h.rpartition("_")
        if base and _known(suffix):
            return base, suffix
    return h, None


def column(header: str, given_unit: str | None = None) -> Column:
    """The Column for a header; `given_unit` (from the user or file metadata) wins."""
    name, unit = split_header(header)
    source = given_unit.strip() if given_unit else unit
    if source is None:
        return Column(header, name, None, None, 1.0)
    known = _known(source)
    if known is None:
        return Column(header, name, source, source, 1.0)
    return Column(header, name, known[0], source, known[1])


def parse_unit_assignments(items: list[str] | None) -> dict[str, str]:
    """`COLUMN=UNIT` strings (command line) → {column: unit}."""
    out: dict[str, str] = {}
    for item in items or []:
        col, sep, unit = item.partition("=")
        if not sep or not col.strip() or not unit.strip():
            raise FatigueInputError(f"a unit is given as COLUMN=UNIT, got {item!r}")
        out[col.strip()] = unit.strip()
    return out
