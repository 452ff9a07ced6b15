"""Score trends as server-rendered SVG geometry (no JavaScript): one small chart per scale.

Pure functions over plain values; the template draws the SVG with role="img", a title, a
description and a data table beside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WIDTH, HEIGHT = 320, 150
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 12, 28  # margins for the axis labels


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float
    on: dt.date


@dataclass(frozen=True)
class Chart:
    code: str
    label: str
    higher_is_better: bool
    points: list[Point]
    polyline: str  # the SVG polyline's "points" attribute
    gridlines: list[tuple[float, int]]  # (y, score) for 0, 50 and 100
    first: str
    last: str
    description: str


def _x(on: dt.date, start: dt.date, end: dt.date) -> float:
    span = (end - start).days
    inner = WIDTH - LEFT - RIGHT
    return LEFT + (inner / 2 if span == 0 else inner * (on - start).days / span)


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / 100)


def chart(
    code: str,
    label: str,
    higher_is_better: bool,
    dates: list[dt.date],
    values: list[float | None],
) -> Chart:
    """A scale's scores (0-100) over dates; a missing score leaves a gap in the points."""
    pairs = [(on, v) for on, v in zip(dates, values, strict=True) if v is not None]
    start, end = (dates[0], dates[-1]) if dates else (dt.date.min, dt.date.min)
    points = [Point(round(_x(on, start, end), 1), round(_y(v), 1), v, on) for on, v in pairs]
    direction = "higher is better" if higher_is_better else "higher is worse"
    if points:
        steps = ", ".join(f"{p.value:.0f} on {p.on:%d %b %Y}" for p in points)
        description = f"{label} (0 to 100, {direction}): {steps}."
    else:
        description = f"{label}: no score yet."
    return Chart(
        code=code,
        label=label,
        higher_is_better=higher_is_better,
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        gridlines=[(round(_y(v), 1), v) for v in (0, 50, 100)],
        first=f"{start:%b %Y}" if dates else "",
        last=f"{end:%b %Y}" if dates else "",
        description=description,
    )
