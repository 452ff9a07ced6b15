"""The registry's tables give each estimate with its 95% interval at each time, and its curves
say where and why they stop."""

import xml.etree.ElementTree as ET

import numpy as np

from osseo.registry.cohort import km_curve
from osseo.registry.views import estimate_row, step_chart, stop_note


def _curve():
    # 40 implants followed 0.5 to 8 years, one failure in ten: at 3 years fewer than 20 remain.
    years = np.linspace(0.5, 8.0, 40)
    events = np.array([i % 10 == 3 for i in range(40)])
    return km_curve("All implants", years, events, 20, 8.0)


def test_each_time_has_the_estimate_with_its_interval_and_the_numbers_at_risk():
    curve = _curve()
    row = estimate_row(curve, 20)
    first, two_years = row["cells"][0], row["cells"][1]  # an 8-year axis: every 2 years
    assert (first["time"], first["estimate"], first["at_risk"]) == (0.0, "100%", 40)
    assert first["interval"] == "100% to 100%"
    assert two_years["time"] == 2.0
    assert two_years["estimate"] == "97%"  # one failure at 1.1 years among 37 at risk
    low, high = (int(p.rstrip("%")) for p in two_years["interval"].split(" to "))
    assert low < 97 <= high
    late = row["cells"][-1]
    assert late["estimate"] is None
    assert late["why_none"] == "fewer than 20 at risk"


def test_a_curve_that_stops_early_says_where_and_why():
    curve = _curve()
    assert stop_note(curve, 8.0, 20) == (
        f"stops at {curve.shown_until:.1f} years: fewer than 20 at risk after that"
    )
    svg = str(step_chart("c", "Survival", [curve], incidence=False, horizon=8.0, min_at_risk=20))
    desc = ET.fromstring(svg).find("{http://www.w3.org/2000/svg}desc").text  # noqa: S314
    assert f"All implants stops at {curve.shown_until:.1f} years: fewer than 20 at risk" in desc
