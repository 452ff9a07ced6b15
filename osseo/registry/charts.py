"""Server-rendered SVG step charts with confidence bands (no JavaScript; CSP-safe attributes)."""

from __future__ import annotations

from html import escape

import numpy as np

from .cohort import Curve

# Okabe-Ito colours: distinguishable with colour-vision deficiency.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40


def _x(t: float, horizon: float) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * min(t, horizon) / horizon


def _y(v: float, top_value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - v / top_value)


def _steps(
    times: list[float], values: list[float], until: float, horizon: float, top: float
) -> list[tuple[float, float]]:
    """The step function's vertices, at most one step per horizontal pixel (a 100,000-implant
    curve has thousands of steps that a 600-pixel-wide chart cannot show apart)."""
    t = np.asarray(times, dtype=float)
    v = np.asarray(values, dtype=float)
    keep = t <= until
    t, v = t[keep], v[keep]
    if t.size == 0:
        return []
    x = np.round(LEFT + (WIDTH - LEFT - RIGHT) * np.minimum(t, horizon) / horizon)
    last_in_pixel = np.append(x[1:] != x[:-1], True)
    x, v = x[last_in_pixel], v[last_in_pixel]
    y = TOP + (HEIGHT - TOP - BOTTOM) * (1 - v / top)
    points: list[tuple[float, float]] = [(float(x[0]), float(y[0]))]
    for xi, yi in zip(x[1:].tolist(), y[1:].tolist(), strict=True):
        points.append((xi, points[-1][1]))
        points.append((xi, yi))
    points.append((_x(until, horizon), points[-1][1]))
    return points


def step_chart(
    chart_id: str, title: str, curves: list[Curve], *, incidence: bool, horizon: float
) -> str:
    horizon = max(horizon, 1.0)
    top = 1.0
    if incidence:
        highest = max((max(c.upper[: len(c.time)] or [0]) for c in curves if c.enough), default=0.2)
        top = min(1.0, max(0.1, round(highest + 0.05, 1)))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">Step curves with 95% confidence bands; the table below gives '
        "the numbers at risk and the values.</desc>",
    ]
    for i in range(6):
        v = top * i / 5
        y = _y(v, top)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d7de" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#1b1f24">{v * 100:.0f}%</text>'
        )
    step = 1 if horizon <= 6 else 2 if horizon <= 12 else 5
    year = 0
    while year <= horizon + 1e-9:
        x = _x(year, horizon)
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="11" fill="#1b1f24">{year}</text>'
        )
        year += step
    parts.append(
        f'<text x="{(LEFT + WIDTH) / 2:.0f}" y="{HEIGHT - 6}" text-anchor="middle" font-size="12" fill="#1b1f24">Years since implantation</text>'
    )
    for i, curve in enumerate(c for c in curves if c.enough):
        colour = COLOURS[i % len(COLOURS)]
        upper = _steps(curve.time, curve.upper, curve.shown_until, horizon, top)
        lower = _steps(curve.time, curve.lower, curve.shown_until, horizon, top)
        if upper and lower:
            band = " ".join(f"{x:.1f},{y:.1f}" for x, y in upper + lower[::-1])
            parts.append(
                f'<polygon points="{band}" fill="{colour}" fill-opacity="0.15" stroke="none"/>'
            )
        line = _steps(curve.time, curve.estimate, curve.shown_until, horizon, top)
        if line:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in line)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
            )
    parts.append(
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="#1b1f24"/>'
    )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}" stroke="#1b1f24"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def legend_colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]
