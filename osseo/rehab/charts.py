"""What the rehabilitation charts draw, on the shared frame (osseo/charts.py owns the geometry:
round ticks, margins measured from the labels, the clinic's dates, role="img" with title and
desc). The page beside each chart carries the same numbers in a table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.safestring import SafeString

from osseo import charts

from . import rules

PRESCRIBED, APPLIED, PAIN, FLAG = "#0b5394", "#b35900", "#6f42c1", charts.DANGER
_TRIANGLE_DOWN = f'<polygon points="3,-5 15,-5 9,5" fill="{FLAG}"/>'
_TRIANGLE_UP = f'<polygon points="3,5 15,5 9,-5" fill="{FLAG}"/>'
_RING = f'<circle cx="9" cy="0" r="6" fill="none" stroke="{FLAG}" stroke-width="2"/>'
_CROSS = f'<path d="M4,-5 L14,5 M4,5 L14,-5" stroke="{charts.MUTED}" stroke-width="2"/>'
# What the chart's value axis says for each measure (rehab.models.Measure).
AXIS_TITLES = {"load": "Load (kg)", "wear_hours": "Wear (hours a day)", "minutes": "Minutes a day"}
WHAT = {"load": "load", "wear_hours": "wear time", "minutes": "loading time"}


@dataclass(frozen=True)
class ChartWords:
    """What the load chart says: the clinicians' words by default; the patient's own diary
    passes its lay words (osseo/me/diary.py)."""

    prescribed: str = "Prescribed"
    logged: dict[str, str] = field(default_factory=lambda: {"load": "Applied"})
    logged_default: str = "Logged"
    pain: str = "Pain NRS"
    flags: dict[str, dict[str, str]] = field(default_factory=dict)  # by measure, then flag
    pain_over_gate: str = "Pain over gate"
    missing: str = "No log"
    x_title: str = "Day of the plan"
    y_titles: dict[str, str] = field(default_factory=lambda: dict(AXIS_TITLES))
    pain_title: str = "Pain (NRS)"
    what: dict[str, str] = field(default_factory=lambda: dict(WHAT))
    title: str = "{What} and pain, {protocol}"
    desc: str = (
        "Days {first} to {last} from {start}: the prescribed {what} (blue steps), the logged "
        "{what} (orange), and pain NRS 0-10 (purple, right axis). {flagged} days are flagged. "
        "The table below lists every day."
    )
    no_days: str = "No days yet."

    def flag(self, flag: str, measure: str) -> str:
        return self.flags.get(measure, {}).get(flag) or rules.flag_label(flag, measure)


STAFF_WORDS = ChartWords()


def legend(measure: str = "load", words: ChartWords = STAFF_WORDS) -> list[charts.Key]:
    return [
        charts.Key(words.prescribed, PRESCRIBED),
        charts.Key(words.logged.get(measure, words.logged_default), APPLIED, "dot"),
        charts.Key(words.pain, PAIN, "square"),
        charts.Key(words.flag(rules.UNDER_LOADING, measure), FLAG, mark=_TRIANGLE_DOWN),
        charts.Key(words.flag(rules.OVER_LOADING, measure), FLAG, mark=_TRIANGLE_UP),
        charts.Key(words.pain_over_gate, FLAG, mark=_RING),
        charts.Key(words.missing, charts.MUTED, mark=_CROSS),
    ]


LEGEND = legend()


def load_chart(
    progress: Any,
    *,
    chart_id: str = "load",
    words: ChartWords = STAFF_WORDS,
    size: tuple[int, int] = (760, 360),
) -> SafeString:
    """Prescribed (step line) against the logged amount in the plan's measure (load, wear hours
    or minutes; line with points), pain NRS on the right axis, and the flags marked on their
    day; its legend, axes, title and description in `words`; `size` its frame (a phone's page
    asks a narrow one, so that its words are not shrunk past reading)."""
    days = progress.days
    measure = progress.plan.measure
    logged = [d for d in days if d.log and d.log.amount is not None]
    values = [float(d.prescribed) for d in days if d.prescribed is not None]
    values += [float(d.log.amount) for d in logged]
    first, last = (days[0].day, days[-1].day) if days else (1, 2)
    x_axis = charts.number_axis(first - 0.5, max(last, first + 1) + 0.5, title=words.x_title)
    top = {"load": 10.0, "wear_hours": 4.0, "minutes": 10.0}[measure]
    y_axis = charts.number_axis(0, max([*values, top]), title=words.y_titles[measure])
    pain_axis = charts.number_axis(0, 10, title=words.pain_title, most=6)
    plot = charts.Plot(
        x_axis,
        y_axis,
        width=size[0],
        height=size[1],
        y2_axis=pain_axis,
        legend=legend(measure, words),
    )
    # Prescribed: a step line, one step a day; gaps where nothing is prescribed.
    segment: list[tuple[float, float]] = []
    for d in [*days, None]:
        if d is None or d.prescribed is None:
            plot.line(segment, PRESCRIBED, width=3)
            segment = []
            continue
        value = float(d.prescribed)
        segment += [(d.day - 0.5, value), (d.day + 0.5, value)]
    applied = [(d.day, float(d.log.amount)) for d in logged]
    pain = [(d.day, float(d.log.pain_nrs)) for d in days if d.log]
    plot.line(applied, APPLIED, width=2)
    plot.line(pain, PAIN, width=1.5, dash="4 3", secondary=True)
    plot.dots(applied, APPLIED)
    plot.dots(pain, PAIN, radius=2.5, square=True, secondary=True)
    for d in days:
        amount = d.log.amount if d.log else None
        base = plot.y(float(amount)) if amount is not None else plot.floor
        for flag in d.flags:
            plot.raw(_flag_mark(flag, plot.x(d.day), base, plot.floor))
    what = words.what[measure]
    title = words.title.format(
        What=what[:1].upper() + what[1:], what=what, protocol=progress.plan.protocol_name
    )
    flagged = sum(1 for d in days if d.flags)
    desc = (
        words.desc.format(
            first=days[0].day,
            last=days[-1].day,
            start=charts.date_format(days[0].date, charts.DAY),
            what=what,
            flagged=flagged,
        )
        if days
        else words.no_days
    )
    return plot.svg(chart_id=chart_id, title=title, desc=desc)


def _flag_mark(flag: str, cx: float, cy: float, floor: float) -> str:
    if flag == rules.UNDER_LOADING:  # a downward triangle under the point
        return (
            f'<polygon points="{cx - 6:.1f},{cy + 8:.1f} {cx + 6:.1f},{cy + 8:.1f} '
            f'{cx:.1f},{cy + 18:.1f}" fill="{FLAG}"/>'
        )
    if flag == rules.OVER_LOADING:  # an upward triangle above the point
        return (
            f'<polygon points="{cx - 6:.1f},{cy - 8:.1f} {cx + 6:.1f},{cy - 8:.1f} '
            f'{cx:.1f},{cy - 18:.1f}" fill="{FLAG}"/>'
        )
    if flag == rules.PAIN_OVER_GATE:  # a ring around the point
        return (
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="8" fill="none" stroke="{FLAG}" '
            'stroke-width="2"/>'
        )
    # missing log: a cross on the axis
    return (
        f'<path d="M{cx - 5:.1f},{floor - 5:.1f} L{cx + 5:.1f},{floor + 5:.1f} '
        f'M{cx - 5:.1f},{floor + 5:.1f} L{cx + 5:.1f},{floor - 5:.1f}" '
        f'stroke="{charts.MUTED}" stroke-width="2"/>'
    )


def trend_chart(
    points: list[tuple[dt.date, Decimal]], *, title: str, unit: str, chart_id: str
) -> SafeString:
    """A small trend of one function test over time."""
    values = [float(v) for _, v in points]
    start, end = points[0][0], points[-1][0]
    if start == end:  # one result: a month either side
        start, end = start - dt.timedelta(days=30), end + dt.timedelta(days=30)
    x_axis = charts.date_axis(start, end, most=3)
    y_axis = charts.number_axis(0, max([*values, 1.0]), most=5)
    plot = charts.Plot(x_axis, y_axis, width=360, height=190)
    series = [(charts.day(d), v) for (d, _), v in zip(points, values, strict=True)]
    plot.line(series, PRESCRIBED, width=2)
    plot.dots(series, PRESCRIBED)
    desc = "; ".join(
        f"{charts.date_format(d, charts.DAY)}: {v:g}" + (f" {unit}" if unit else "")
        for d, v in zip([p[0] for p in points], values, strict=True)
    )
    return plot.svg(chart_id=chart_id, title=title, desc=desc, css_class="chart small")
