"""Server-rendered SVG charts (strict CSP: no scripts or inline styles; presentation attributes).

Each chart is an `<svg role="img">` with a <title> and <desc>; the page beside it carries the same
numbers in a table, which is the accessible alternative.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from . import rules

INK, MUTED, GRID = "#1b1f24", "#4a5561", "#d0d7de"
PRESCRIBED, APPLIED, PAIN, FLAG = "#0b5394", "#b35900", "#6f42c1", "#a4161a"


def _f(x: float) -> str:
    return f"{x:.1f}"


def _nice_max(value: float) -> float:
    for step in (10, 20, 25, 50, 100):
        top = step * (int(value // step) + 1)
        if top / step <= 10:
            return float(top)
    return float(value) or 10.0


def load_chart(progress: Any, *, chart_id: str = "load") -> SafeString:
    """Prescribed (step line) against applied load (line with points), pain NRS on the right
    axis, and the flags marked on their day."""
    days = progress.days
    w, h = 760, 340
    left, right, top, bottom = 56, 56, 24, 84
    pw, ph = w - left - right, h - top - bottom
    n = max(len(days), 2)
    kgs = [float(d.prescribed_kg) for d in days if d.prescribed_kg is not None]
    kgs += [float(d.log.applied_kg) for d in days if d.log]
    kg_max = _nice_max(max([*kgs, 10.0]))

    def x(i: int) -> float:
        return left + pw * i / (n - 1)

    def y(kg: float) -> float:
        return top + ph * (1 - kg / kg_max)

    def yp(nrs: float) -> float:
        return top + ph * (1 - nrs / 10)

    title = f"Load and pain, {progress.plan.protocol_name}"
    flagged = sum(1 for d in days if d.flags)
    desc = (
        f"Days {days[0].day} to {days[-1].day} from {days[0].date:%d %b %Y}: the prescribed load "
        f"(blue steps), the applied load (orange), and pain NRS 0-10 (purple, right axis). "
        f"{flagged} days are flagged. The table below lists every day."
        if days
        else "No days yet."
    )
    out: list[str] = [
        f'<svg class="chart" viewBox="0 0 {w} {h}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>',
    ]
    for k in range(6):
        kg = kg_max * k / 5
        yy = y(kg)
        out.append(
            f'<line x1="{left}" y1="{_f(yy)}" x2="{w - right}" y2="{_f(yy)}" stroke="{GRID}"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{_f(yy + 4)}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{kg:g}</text>'
        )
        out.append(
            f'<text x="{w - right + 6}" y="{_f(yy + 4)}" font-size="12" fill="{PAIN}">'
            f"{10 * k // 5}</text>"
        )
    out.append(
        f'<text x="14" y="{top + ph / 2:.1f}" font-size="12" fill="{INK}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + ph / 2:.1f})">Load (kg)</text>'
    )
    out.append(
        f'<text x="{w - 12}" y="{top + ph / 2:.1f}" font-size="12" fill="{PAIN}" '
        f'text-anchor="middle" transform="rotate(90 {w - 12} {top + ph / 2:.1f})">Pain (NRS)</text>'
    )
    step = max(1, len(days) // 12)
    for i, d in enumerate(days):
        if i % step == 0 or i == len(days) - 1:
            out.append(
                f'<line x1="{_f(x(i))}" y1="{top + ph}" x2="{_f(x(i))}" y2="{top + ph + 4}" '
                f'stroke="{INK}"/>'
            )
            out.append(
                f'<text x="{_f(x(i))}" y="{top + ph + 17}" font-size="11" text-anchor="middle" '
                f'fill="{INK}">{d.day}</text>'
            )
    out.append(
        f'<text x="{left + pw / 2:.1f}" y="{top + ph + 32}" font-size="12" text-anchor="middle" '
        f'fill="{INK}">Day of the plan</text>'
    )
    # Prescribed: a step line; gaps where nothing is prescribed.
    segment: list[str] = []
    for i, d in enumerate(days):
        if d.prescribed_kg is None:
            if segment:
                out.append(_path(segment, PRESCRIBED, 3))
            segment = []
            continue
        yy = y(float(d.prescribed_kg))
        x0 = x(i) - (pw / (n - 1)) / 2 if i else x(i)
        x1 = x(i) + (pw / (n - 1)) / 2 if i < len(days) - 1 else x(i)
        segment += [f"{_f(x0)},{_f(yy)}", f"{_f(x1)},{_f(yy)}"]
    if segment:
        out.append(_path(segment, PRESCRIBED, 3))
    applied = [(i, d) for i, d in enumerate(days) if d.log]
    if applied:
        out.append(
            _path([f"{_f(x(i))},{_f(y(float(d.log.applied_kg)))}" for i, d in applied], APPLIED, 2)
        )
        pain_points = [f"{_f(x(i))},{_f(yp(d.log.pain_nrs))}" for i, d in applied]
        out.append(_path(pain_points, PAIN, 1.5, dash="4 3"))
        for i, d in applied:
            out.append(
                f'<circle cx="{_f(x(i))}" cy="{_f(y(float(d.log.applied_kg)))}" r="3.5" '
                f'fill="{APPLIED}"/>'
            )
            out.append(
                f'<rect x="{_f(x(i) - 2.5)}" y="{_f(yp(d.log.pain_nrs) - 2.5)}" width="5" '
                f'height="5" fill="{PAIN}"/>'
            )
    for i, d in enumerate(days):
        base = y(float(d.log.applied_kg)) if d.log else top + ph
        for flag in d.flags:
            out.append(_flag_mark(flag, x(i), base, top + ph))
    out.append(_legend(left, h - 26))
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308  every interpolated text is escaped above


def _path(points: list[str], colour: str, width: float, dash: str = "") -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
        f'stroke-width="{width}"{dashed}/>'
    )


def _flag_mark(flag: str, cx: float, cy: float, floor: float) -> str:
    if flag == rules.UNDER_LOADING:  # a downward triangle under the point
        return (
            f'<polygon points="{_f(cx - 6)},{_f(cy + 8)} {_f(cx + 6)},{_f(cy + 8)} '
            f'{_f(cx)},{_f(cy + 18)}" fill="{FLAG}"/>'
        )
    if flag == rules.OVER_LOADING:  # an upward triangle above the point
        return (
            f'<polygon points="{_f(cx - 6)},{_f(cy - 8)} {_f(cx + 6)},{_f(cy - 8)} '
            f'{_f(cx)},{_f(cy - 18)}" fill="{FLAG}"/>'
        )
    if flag == rules.PAIN_OVER_GATE:  # a ring around the point
        return (
            f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="8" fill="none" stroke="{FLAG}" '
            'stroke-width="2"/>'
        )
    # missing log: a cross on the axis
    return (
        f'<path d="M{_f(cx - 5)},{_f(floor - 5)} L{_f(cx + 5)},{_f(floor + 5)} '
        f'M{_f(cx - 5)},{_f(floor + 5)} L{_f(cx + 5)},{_f(floor - 5)}" stroke="{MUTED}" '
        f'stroke-width="2"/>'
    )


def _legend(x0: float, y0: float) -> str:
    items = [
        (
            f'<line x1="0" y1="0" x2="18" y2="0" stroke="{PRESCRIBED}" stroke-width="3"/>',
            "Prescribed",
        ),
        (f'<circle cx="9" cy="0" r="3.5" fill="{APPLIED}"/>', "Applied"),
        (f'<rect x="6" y="-3" width="6" height="6" fill="{PAIN}"/>', "Pain NRS"),
        (f'<polygon points="3,-5 15,-5 9,5" fill="{FLAG}"/>', "Under-loading"),
        (f'<polygon points="3,5 15,5 9,-5" fill="{FLAG}"/>', "Over-loading"),
        (
            f'<circle cx="9" cy="0" r="6" fill="none" stroke="{FLAG}" stroke-width="2"/>',
            "Pain over gate",
        ),
        (f'<path d="M4,-5 L14,5 M4,5 L14,-5" stroke="{MUTED}" stroke-width="2"/>', "No log"),
    ]
    out, x = [], x0
    for mark, label in items:
        out.append(
            f'<g transform="translate({x:.0f} {y0:.0f})">{mark}'
            f'<text x="22" y="4" font-size="12" fill="{INK}">{label}</text></g>'
        )
        x += 30 + 7 * len(label)
    return "".join(out)


def trend_chart(
    points: list[tuple[dt.date, Decimal]], *, title: str, unit: str, chart_id: str
) -> SafeString:
    """A small trend of one function test over time."""
    w, h = 360, 180
    left, right, top, bottom = 48, 16, 16, 36
    pw, ph = w - left - right, h - top - bottom
    values = [float(v) for _, v in points]
    low, high = 0.0, _nice_max(max([*values, 1.0]))
    first, last = points[0][0], points[-1][0]
    span = max((last - first).days, 1)

    def x(d: dt.date) -> float:
        return left + pw * ((d - first).days / span if len(points) > 1 else 0.5)

    def y(v: float) -> float:
        return top + ph * (1 - (v - low) / (high - low))

    desc = "; ".join(
        f"{d:%d %b %Y}: {v:g} {unit}" for d, v in zip([p[0] for p in points], values, strict=True)
    )
    out = [
        f'<svg class="chart small" viewBox="0 0 {w} {h}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>',
    ]
    for k in range(6):
        v = high * k / 5
        out.append(
            f'<line x1="{left}" y1="{_f(y(v))}" x2="{w - right}" y2="{_f(y(v))}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{_f(y(v) + 4)}" font-size="11" text-anchor="end" '
            f'fill="{INK}">{v:g}</text>'
        )
    out.append(
        f'<text x="{left}" y="{h - 8}" font-size="11" fill="{INK}">{first:%d %b %Y}</text>'
        f'<text x="{w - right}" y="{h - 8}" font-size="11" text-anchor="end" fill="{INK}">'
        f"{last:%d %b %Y}</text>"
    )
    out.append(_path([f"{_f(x(d))},{_f(y(float(v)))}" for d, v in points], PRESCRIBED, 2))
    for d, value in points:
        out.append(
            f'<circle cx="{_f(x(d))}" cy="{_f(y(float(value)))}" r="3.5" fill="{PRESCRIBED}"/>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308  every interpolated text is escaped above
