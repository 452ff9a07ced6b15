"""Server-rendered SVG charts (no script): geometry computed here, drawn by the templates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .rules import compact

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    label: str


def cumulative_chart(
    placed_on: dt.date,
    days: list[tuple[dt.date, int]],
    per_step: float | None,
    limit: float | None,
    due_on: dt.date | None,
) -> dict[str, Any] | None:
    """Cumulative equivalent cycles since the part was fitted, the limit, and the projection to
    the due date; with monthly rows for the data-table alternative."""
    if per_step is None or not days:
        return None
    points: list[tuple[dt.date, float]] = [(placed_on, 0.0)]
    total = 0.0
    for day, steps in days:
        if day >= placed_on:
            total += steps * per_step
            points.append((day, total))
    end = max(points[-1][0], due_on or points[-1][0])
    end = end + dt.timedelta(days=1) if end < dt.date.max else end  # a stored date at year 9999
    top = max(total, limit or 0.0) * 1.1 or 1.0
    span = (end - placed_on).days or 1
    w, h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: dt.date) -> float:
        return round(LEFT + w * (day - placed_on).days / span, 1)

    def y(value: float) -> float:
        return round(TOP + h * (1 - value / top), 1)

    line = " ".join(f"{x(d)},{y(v)}" for d, v in points)
    projection = None
    if due_on is not None and limit is not None and due_on > points[-1][0] and total < limit:
        projection = f"{x(points[-1][0])},{y(total)} {x(due_on)},{y(limit)}"
    y_ticks = [Tick(LEFT - 6, y(top * i / 4), compact(top * i / 4)) for i in range(5)]
    x_ticks = []
    month = dt.date(placed_on.year, placed_on.month, 1)
    step = max(1, span // 180)  # at most about six labels
    n = 0
    while month <= end:
        if month >= placed_on and n % step == 0:
            x_ticks.append(Tick(x(month), HEIGHT - BOTTOM + 16, f"{month:%b %Y}"))
        n += 1
        if month.year == dt.MAXYEAR and month.month == 12:
            break  # a stored date at the calendar's end (osseo check-dates reports it)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    rows: dict[str, float] = {}
    for d, v in points[1:]:
        rows[f"{d:%B %Y}"] = v
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "line": line,
        "projection": projection,
        "limit_y": y(limit) if limit is not None else None,
        "limit_label": compact(limit) if limit is not None else "",
        "due_x": x(due_on) if due_on is not None else None,
        "x_ticks": x_ticks,
        "y_ticks": y_ticks,
        "axis_left": LEFT,
        "axis_bottom": HEIGHT - BOTTOM,
        "axis_right": WIDTH - RIGHT,
        "rows": [(month, compact(v)) for month, v in rows.items()],
        "total": compact(total),
    }


def matrix_chart(matrix: dict[str, Any]) -> dict[str, Any] | None:
    """The rainflow matrix as a grid of cells (range across, mean up), shaded by log count."""
    import math

    counts = matrix.get("counts") or []
    ranges, means = matrix.get("range_edges") or [], matrix.get("mean_edges") or []
    if not counts:
        return None
    nr, nm = len(counts), len(counts[0])
    biggest = max((c for row in counts for c in row), default=0.0)
    if biggest <= 0:
        return None
    w, h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    cw, ch = w / nr, h / nm
    cells = []
    for i, row in enumerate(counts):
        for j, c in enumerate(row):
            if c > 0:
                shade = 0.15 + 0.85 * math.log1p(c) / math.log1p(biggest)
                cells.append(
                    {
                        "x": round(LEFT + i * cw, 1),
                        "y": round(TOP + (nm - 1 - j) * ch, 1),
                        "w": round(cw, 1),
                        "h": round(ch, 1),
                        "opacity": round(shade, 2),
                    }
                )

    def edge(values: list[float], k: int) -> str:
        v = values[k]
        return "∞" if abs(v) >= 1e14 else f"{v:,.0f}"

    table = [
        (f"{edge(ranges, i)} to {edge(ranges, i + 1)}", f"{sum(row):,.1f}")
        for i, row in enumerate(counts)
        if sum(row) > 0
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "cells": cells,
        "axis_left": LEFT,
        "axis_bottom": HEIGHT - BOTTOM,
        "axis_right": WIDTH - RIGHT,
        "x_first": edge(ranges, 0),
        "x_last": edge(ranges, nr - 1),
        "y_first": edge(means, 1),
        "y_last": edge(means, nm - 1),
        "table": table,
    }
