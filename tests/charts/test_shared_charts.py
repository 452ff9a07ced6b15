"""The shared SVG chart module: round ticks, one number format per axis, labels inside the frame,
and the connector chart drawing both of a part's limits."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import xml.etree.ElementTree as ET

import pytest

from osseo import charts
from osseo.connectors.forecasts import cycles_chart

SVG = "{http://www.w3.org/2000/svg}"


def _round(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5, 10))


@pytest.mark.parametrize(
    ("low", "high"), [(0, 5.1e6), (0, 5e6), (0, 0.23), (0, 12), (0, 97), (3, 8.2), (0, 1)]
)
def test_ticks_are_round_and_cover_the_range(low, high):
    ticks = charts.nice_ticks(low, high)
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    assert _round(steps.pop())
    assert ticks[0] <= low and ticks[-1] >= high
    assert len(ticks) <= 6


def test_a_limit_is_written_in_the_format_of_the_ticks_beside_it():
    axis = charts.number_axis(0, 5.1e6)
    assert axis.labels == ["0", "2 M", "4 M", "6 M"]
    assert axis.fmt(5e6) == "5 M"
    assert axis.fmt(5.12e6) == "5.12 M"
    assert charts.number_axis(0, 5e6).labels[-1] == "5 M"


def test_a_time_axis_reads_months_in_the_clinics_format():
    axis = charts.date_axis(dt.date(2025, 1, 14), dt.date(2025, 9, 1))
    assert axis.labels == ["Mar 2025", "May 2025", "Jul 2025", "Sep 2025"]


def _texts_inside(svg: str) -> list[str]:
    """Every label's estimated extent lies inside the viewBox; returns the labels."""
    root = ET.fromstring(svg)  # noqa: S314  our own output
    width = float(root.get("viewBox").split()[2])
    labels = []
    for text in root.iter(f"{SVG}text"):
        if text.get("transform"):
            continue  # a rotated axis title sits in the margin measured for it
        x, w = float(text.get("x")), charts.text_width(text.text or "")
        left = {"start": x, "middle": x - w / 2, "end": x - w}[text.get("text-anchor")]
        assert left >= 0, text.text
        assert left + w <= width, text.text
        labels.append(text.text)
    return labels


def _red_rules(svg: str) -> list[str]:
    """The red lines drawn on the plot (not the legend's 18-pixel swatches)."""
    out = []
    for el in ET.fromstring(svg).iter(f"{SVG}line"):  # noqa: S314  our own output
        if el.get("stroke") != charts.DANGER:
            continue
        x1, x2 = float(el.get("x1")), float(el.get("x2"))
        if x1 == x2:
            out.append("vertical")
        elif x2 - x1 > 18:
            out.append("horizontal")
    return out


def _chart(**over):
    args = {
        "chart_id": "c",
        "part": "Dualcone adaptor",
        "placed_on": dt.date(2025, 1, 14),
        "days": [(dt.date(2025, 1, 14) + dt.timedelta(days=i), 9000) for i in range(200)],
        "per_step": 1.0,
        "limit": 5e6,
        "time_due_on": dt.date(2026, 1, 14),
        "activity_due_on": dt.date(2026, 7, 20),
        "basis": "time",
    }
    return cycles_chart(**(args | over))


def test_the_connector_chart_draws_both_limits_and_names_the_time_limit_as_the_one_due():
    chart = _chart()
    labels = _texts_inside(chart["svg"])
    assert "time limit 14 Jan 2026 (due)" in labels
    assert "activity limit 5 M" in labels
    assert "Time limit (makes it due)" in labels
    assert "Activity limit" in labels
    assert _red_rules(chart["svg"]) == ["vertical"]
    assert "time limit on 14 Jan 2026 (red: it makes the part due)" in chart["caption"]
    assert "projection" in chart["caption"]  # 1.8 M of 5 M: the dashed projection is drawn


def test_the_connector_chart_marks_the_activity_limit_and_mentions_no_absent_projection():
    days = [(dt.date(2025, 1, 14) + dt.timedelta(days=i), 30000) for i in range(200)]
    chart = _chart(days=days, activity_due_on=dt.date(2025, 6, 30), basis="activity")
    labels = _texts_inside(chart["svg"])
    assert "activity limit 5 M (due)" in labels
    assert "Activity limit (makes it due)" in labels
    assert _red_rules(chart["svg"]) == ["horizontal"]
    assert "the activity limit of 5 M (red: it makes the part due)" in chart["caption"]
    assert "time limit on 14 Jan 2026 (grey)" in chart["caption"]
    assert "projection" not in chart["caption"].lower()  # 6 M is past the limit: none drawn
    assert 'stroke-dasharray="6 4"' in chart["svg"]  # only the time limit is dashed
    assert chart["svg"].count('stroke-dasharray="6 4"') == 1


def test_a_limit_far_beyond_the_other_is_named_in_the_caption_not_squeezed_on_the_axis():
    chart = _chart(activity_due_on=dt.date(2040, 1, 1))
    assert "The activity limit falls on 1 Jan 2040, beyond the chart's end." in chart["caption"]
    assert "2040" not in " ".join(_texts_inside(chart["svg"]))
