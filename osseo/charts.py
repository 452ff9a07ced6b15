"""One small SVG chart module for every screen (server-rendered, no script, strict-CSP safe).

A chart is an `<svg role="img">` named by its `<title>` and `<desc>`; the page puts the same
figures in a table right after it, which is the accessible alternative. The apps say what to
draw (lines, steps, bands, rules, marks) in data units; this module owns the geometry:

- **round ticks**: steps of 1, 2, 2.5 or 5 x 10^n, so an axis reads 0, 1 M, 2 M ... and a limit
  of 5 M is written "5 M" in the same format as the ticks beside it;
- **labels never clipped**: the margins are measured from the longest label on each side;
- **dates in the clinic's format** on time axes (`DAY`, `MONTH`: the formats the screens use).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe

DAY = "j M Y"  # the screens' short date, e.g. 4 Dec 2026
MONTH = "M Y"  # a month on a time axis, e.g. Dec 2026


def day_text(value: dt.date | dt.datetime | None) -> str:
    """A date (or the local date of a moment) as the screens write it; "—" for none."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return date_format(value, DAY)


INK, MUTED, GRID, DANGER = "#1b1f24", "#4a5561", "#d0d7de", "#a4161a"
# Okabe-Ito colours: distinguishable with colour-vision deficiency.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
FONT = 12  # px in the viewBox
CHAR_EM = 0.62  # the widest average advance of a sans-serif glyph, in em (DejaVu Sans digits 0.64)
PAD = 8


def text_width(text: str, size: float = FONT) -> float:
    """A safe over-estimate of a label's width, used to size the margins."""
    return len(text) * size * CHAR_EM


def colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


# ---- ticks -------------------------------------------------------------------------------


def nice_step(raw: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^n that is at least `raw`."""
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    for mantissa in (1.0, 2.0, 2.5, 5.0, 10.0):
        if mantissa * power >= raw * (1 - 1e-9):
            return mantissa * power
    return 10.0 * power  # pragma: no cover - the loop ends at 10


def nice_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round ticks covering [low, high] with at most `most` ticks."""
    if high <= low:
        high = low + 1.0
    step = nice_step((high - low) / max(most - 1, 1))
    while True:
        first = math.floor(low / step + 1e-9) * step
        last = math.ceil(high / step - 1e-9) * step
        count = round((last - first) / step) + 1
        if count <= most:
            return [round(first + i * step, 10) for i in range(count)]
        step = nice_step(step * 1.0001)


def number_format(ticks: Sequence[float]) -> Callable[[float], str]:
    """One formatter for an axis and everything drawn against it: 2.5 M, 750 k, 0.25."""
    biggest = max((abs(t) for t in ticks), default=0.0)
    step = min((b - a for a, b in itertools.pairwise(ticks)), default=1.0) or 1.0
    scale, suffix = (1e6, " M") if biggest >= 1e6 else (1e3, " k") if biggest >= 1e4 else (1, "")
    decimals = 0
    while decimals < 6 and abs(round(step / scale, decimals) - step / scale) > 1e-9:
        decimals += 1

    def fmt(value: float) -> str:
        if value == 0:
            return "0"
        scaled = value / scale
        # A value between ticks (a limit of 5.12 M) keeps the digits it needs, up to three.
        own = decimals
        while own < decimals + 2 and abs(round(scaled, own) - scaled) > 1e-9:
            own += 1
        text = f"{scaled:,.{own}f}"
        if "." in text and own > decimals:
            text = text.rstrip("0").rstrip(".")
        return text + suffix

    return fmt


def percent_format(value: float) -> str:
    return f"{value * 100:g}%"


# ---- axes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Axis:
    low: float
    high: float
    ticks: list[float]
    labels: list[str]
    title: str = ""
    fmt: Callable[[float], str] = str  # formats a value drawn against this axis (a limit)


def number_axis(
    low: float,
    high: float,
    *,
    title: str = "",
    most: int = 6,
    fmt: Callable[[float], str] | None = None,
) -> Axis:
    ticks = nice_ticks(low, high, most)
    f = fmt or number_format(ticks)
    return Axis(ticks[0], ticks[-1], ticks, [f(t) for t in ticks], title, f)


def _months_after(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if year > dt.MAXYEAR:
        return dt.date.max
    return dt.date(year, month + 1, 1)


def date_axis(start: dt.date, end: dt.date, *, title: str = "", most: int = 6) -> Axis:
    """A time axis from `start` to `end` (values are ordinal days), ticked on the first of round
    months (1, 2, 3, 6 months, 1, 2, 5, 10 years) or on days for spans under two months."""
    if end <= start:
        # A single day still needs a span; at the calendar's last day the span runs backwards.
        if start == dt.date.max:
            start, end = start - dt.timedelta(days=1), start
        else:
            end = start + dt.timedelta(days=1)
    span = (end - start).days
    ticks: list[dt.date] = []
    if span <= 60:
        step = next((s for s in (1, 2, 7, 14, 30) if span / s < most), 30)
        ticks = [start + dt.timedelta(days=i) for i in range(0, span + 1, step)]
        fmt = "j M"
    else:
        fmt = MONTH
        for months in (1, 2, 3, 6, 12, 24, 60, 120, 600, 1200):
            ticks = []
            first = _months_after(dt.date(start.year, start.month, 1), 0)
            day = first if first >= start else _months_after(first, 1)
            while day <= end and len(ticks) <= most:
                if (day.year * 12 + day.month - 1) % months == 0:
                    ticks.append(day)
                if day == dt.date.max:
                    break
                day = _months_after(day, 1)
            if len(ticks) <= most:
                break
        if all(t.month == 1 for t in ticks):
            fmt = "Y"
    labels = [date_format(t, fmt) for t in ticks]
    return Axis(
        float(start.toordinal()),
        float(end.toordinal()),
        [float(t.toordinal()) for t in ticks],
        labels,
        title,
        lambda v: date_format(dt.date.fromordinal(int(v)), DAY),
    )


def day(value: dt.date) -> float:
    """A date as a value on a date axis."""
    return float(value.toordinal())


# ---- the plot ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One entry of the legend: a swatch (line, dashed, dot, square, band) and its words."""

    label: str
    colour: str
    swatch: str = "line"
    mark: str = ""  # an app's own swatch, drawn around (9, 0)


@dataclass
class Plot:
    """A frame whose margins fit its labels; `x()`/`y()`/`y2()` map data to the viewBox."""

    x_axis: Axis
    y_axis: Axis
    width: int = 640
    height: int = 300
    y2_axis: Axis | None = None
    legend: list[Key] = field(default_factory=list)
    body: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.left = max((text_width(t) for t in self.y_axis.labels), default=0) + PAD
        if self.y_axis.title:
            self.left += FONT + PAD
        first_x = text_width(self.x_axis.labels[0]) / 2 if self.x_axis.labels else 0
        self.left = max(self.left, first_x + 2)
        last_x = text_width(self.x_axis.labels[-1]) / 2 if self.x_axis.labels else 0
        self.right = max(last_x + 2, PAD)
        if self.y2_axis is not None:
            self.right = max(
                self.right,
                max((text_width(t) for t in self.y2_axis.labels), default=0)
                + PAD
                + (FONT + PAD if self.y2_axis.title else 0),
            )
        self.top = PAD + FONT  # room for a rule's label above the plot's top line
        self._legend_rows = self._layout_legend()
        self.bottom = FONT + PAD + 4
        if self.x_axis.title:
            self.bottom += FONT + PAD
        self.bottom += len({row for row, _ in self._legend_rows}) * (FONT + PAD)
        self.inner_width = self.width - self.left - self.right
        self.inner_height = self.height - self.top - self.bottom

    # scales
    def x(self, value: float) -> float:
        a = self.x_axis
        return self.left + self.inner_width * (value - a.low) / ((a.high - a.low) or 1)

    def y(self, value: float) -> float:
        a = self.y_axis
        return self.top + self.inner_height * (1 - (value - a.low) / ((a.high - a.low) or 1))

    def y2(self, value: float) -> float:
        a = self.y2_axis or self.y_axis
        return self.top + self.inner_height * (1 - (value - a.low) / ((a.high - a.low) or 1))

    @property
    def floor(self) -> float:
        return self.top + self.inner_height

    @property
    def ceiling(self) -> float:
        return self.top

    @property
    def right_edge(self) -> float:
        return self.left + self.inner_width

    # drawing, in data units
    def line(
        self,
        points: Sequence[tuple[float, float]],
        stroke: str,
        *,
        width: float = 2.5,
        dash: str = "",
        secondary: bool = False,
    ) -> None:
        if not points:
            return
        scale_y = self.y2 if secondary else self.y
        coords = " ".join(f"{self.x(a):.1f},{scale_y(b):.1f}" for a, b in points)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        self.body.append(
            f'<polyline points="{coords}" fill="none" stroke="{stroke}" '
            f'stroke-width="{width}"{dashed}/>'
        )

    def pixels(
        self, points: Sequence[tuple[float, float]], stroke: str, *, width: float = 2.5
    ) -> None:
        """A polyline already in viewBox units (a step curve thinned to one step a pixel)."""
        if points:
            coords = " ".join(f"{a:.1f},{b:.1f}" for a, b in points)
            self.body.append(
                f'<polyline points="{coords}" fill="none" stroke="{stroke}" '
                f'stroke-width="{width}"/>'
            )

    def area(self, points: Sequence[tuple[float, float]], fill: str, opacity: float = 0.15) -> None:
        """A filled polygon in viewBox units (a confidence band)."""
        if points:
            coords = " ".join(f"{a:.1f},{b:.1f}" for a, b in points)
            self.body.append(
                f'<polygon points="{coords}" fill="{fill}" fill-opacity="{opacity}" stroke="none"/>'
            )

    def dots(
        self,
        points: Sequence[tuple[float, float]],
        fill: str,
        *,
        radius: float = 3.5,
        square: bool = False,
        secondary: bool = False,
    ) -> None:
        scale_y = self.y2 if secondary else self.y
        for a, b in points:
            cx, cy = self.x(a), scale_y(b)
            if square:
                self.body.append(
                    f'<rect x="{cx - radius:.1f}" y="{cy - radius:.1f}" width="{2 * radius:.1f}" '
                    f'height="{2 * radius:.1f}" fill="{fill}"/>'
                )
            else:
                self.body.append(
                    f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius}" fill="{fill}"/>'
                )

    def _rule(
        self, x1: float, y1: float, x2: float, y2: float, stroke: str, width: float, dash: str
    ) -> None:
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        self.body.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{stroke}" stroke-width="{width}"{dashed}/>'
        )

    def hrule(
        self, value: float, label: str, stroke: str, *, width: float = 1.5, dash: str = ""
    ) -> None:
        """A horizontal reference line (a limit) labelled at its right end, inside the frame."""
        yy = self.y(value)
        self._rule(self.left, yy, self.right_edge, yy, stroke, width, dash)
        self.body.append(self._text(self.right_edge - 2, yy - 4, label, anchor="end", fill=stroke))

    def vrule(
        self, value: float, label: str, stroke: str, *, width: float = 1.5, dash: str = ""
    ) -> None:
        """A vertical reference line (a date limit) labelled above the frame, kept inside it."""
        xx = self.x(value)
        self._rule(xx, self.ceiling, xx, self.floor, stroke, width, dash)
        w = text_width(label)
        anchor = "end" if xx + w / 2 > self.width - 2 else "start" if xx - w / 2 < 2 else "middle"
        self.body.append(self._text(xx, self.ceiling - 4, label, anchor=anchor, fill=stroke))

    def raw(self, fragment: str) -> None:
        """An app's own mark, built from this plot's scales (escape any text in it)."""
        self.body.append(fragment)

    # text and frame
    def _text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        anchor: str = "start",
        fill: str = INK,
        size: int = FONT,
        extra: str = "",
    ) -> str:
        return (
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{fill}"{extra}>{escape(text)}</text>'
        )

    def _layout_legend(self) -> list[tuple[int, tuple[float, Key]]]:
        rows: list[tuple[int, tuple[float, Key]]] = []
        row, x = 0, 4.0
        for key in self.legend:
            w = 24 + text_width(key.label) + 14
            if x + w > self.width - 4 and x > 4:
                row, x = row + 1, 4.0
            rows.append((row, (x, key)))
            x += w
        return rows

    def _frame(self) -> list[str]:
        out = []
        for tick, label in zip(self.y_axis.ticks, self.y_axis.labels, strict=True):
            yy = self.y(tick)
            out.append(
                f'<line x1="{self.left:.1f}" y1="{yy:.1f}" x2="{self.right_edge:.1f}" '
                f'y2="{yy:.1f}" stroke="{GRID}" stroke-width="1"/>'
            )
            out.append(self._text(self.left - 6, yy + 4, label, anchor="end"))
        if self.y2_axis is not None:
            for tick, label in zip(self.y2_axis.ticks, self.y2_axis.labels, strict=True):
                out.append(self._text(self.right_edge + 6, self.y2(tick) + 4, label, fill=MUTED))
        for tick, label in zip(self.x_axis.ticks, self.x_axis.labels, strict=True):
            xx = self.x(tick)
            out.append(
                f'<line x1="{xx:.1f}" y1="{self.floor:.1f}" x2="{xx:.1f}" '
                f'y2="{self.floor + 4:.1f}" stroke="{INK}"/>'
            )
            out.append(self._text(xx, self.floor + FONT + 6, label, anchor="middle"))
        out.append(
            f'<line x1="{self.left:.1f}" y1="{self.ceiling:.1f}" x2="{self.left:.1f}" '
            f'y2="{self.floor:.1f}" stroke="{INK}"/>'
            f'<line x1="{self.left:.1f}" y1="{self.floor:.1f}" x2="{self.right_edge:.1f}" '
            f'y2="{self.floor:.1f}" stroke="{INK}"/>'
        )
        below = self.floor + FONT + 6
        if self.x_axis.title:
            below += FONT + PAD
            out.append(
                self._text(
                    self.left + self.inner_width / 2, below, self.x_axis.title, anchor="middle"
                )
            )
        mid = self.top + self.inner_height / 2
        if self.y_axis.title:
            out.append(
                self._text(
                    FONT,
                    mid,
                    self.y_axis.title,
                    anchor="middle",
                    extra=f' transform="rotate(-90 {FONT} {mid:.1f})"',
                )
            )
        if self.y2_axis is not None and self.y2_axis.title:
            x2 = self.width - FONT - 2  # rotated clockwise: the glyphs rise to the right
            out.append(
                self._text(
                    x2,
                    mid,
                    self.y2_axis.title,
                    anchor="middle",
                    fill=MUTED,
                    extra=f' transform="rotate(90 {x2:.1f} {mid:.1f})"',
                )
            )
        for row, (x, key) in self._legend_rows:
            yy = below + (row + 1) * (FONT + PAD)
            out.append(f'<g transform="translate({x:.0f} {yy - 4:.0f})">{_swatch(key)}</g>')
            out.append(self._text(x + 24, yy, key.label))
        return out

    def svg(self, *, chart_id: str, title: str, desc: str, css_class: str = "chart") -> SafeString:
        parts = [
            f'<svg class="{escape(css_class)}" viewBox="0 0 {self.width} {self.height}" '
            f'role="img" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
            'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">',
            f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
            f'<desc id="{escape(chart_id)}-d">{escape(desc)}</desc>',
            f'<rect x="0" y="0" width="{self.width}" height="{self.height}" fill="#ffffff"/>',
            *self._frame(),
            *self.body,
            "</svg>",
        ]
        return mark_safe("".join(parts))  # noqa: S308  every text above is escaped


def _swatch(key: Key) -> str:
    if key.mark:
        return key.mark
    if key.swatch == "dot":
        return f'<circle cx="9" cy="0" r="4" fill="{key.colour}"/>'
    if key.swatch == "square":
        return f'<rect x="5" y="-4" width="8" height="8" fill="{key.colour}"/>'
    if key.swatch == "band":
        return (
            f'<rect x="0" y="-5" width="18" height="10" fill="{key.colour}" fill-opacity="0.25"/>'
        )
    dash = ' stroke-dasharray="5 3"' if key.swatch == "dashed" else ""
    return f'<line x1="0" y1="0" x2="18" y2="0" stroke="{key.colour}" stroke-width="3"{dash}/>'
