"""The worked example of ASTM E1049-85 (2011) §5.4.4, Fig. 6: rainflow counting."""

from __future__ import annotations

import numpy as np

from osseo.fatigue import rainflow, reversals

# Fig. 6(a): the load history, points A to I.
HISTORY = [-2, 1, -3, 5, -1, 3, -4, 4, -2]
# Fig. 6(c): range (units) → cycle counts.
TABLE = {3: 0.5, 4: 1.5, 6: 0.5, 8: 1.0, 9: 0.5}


def test_the_counts_by_range_are_those_of_the_standards_table():
    c = rainflow(HISTORY)
    counted: dict[float, float] = {}
    for r, n in zip(c.range, c.count, strict=True):
        counted[float(r)] = counted.get(float(r), 0.0) + float(n)
    assert counted == TABLE


def test_each_cycle_is_the_event_the_standard_names():
    c = rainflow(HISTORY)
    events = {(int(s), int(e)): float(n) for s, e, n in zip(c.start, c.end, c.count, strict=True)}
    a, b, c_, d, e, f, g, h, i = range(9)
    assert events == {
        (a, b): 0.5,  # A-B, range 3, half: Y contains the starting point
        (b, c_): 0.5,  # B-C, range 4, half
        (e, f): 1.0,  # E-F, range 4, a full cycle
        (c_, d): 0.5,  # C-D, range 8, half
        (d, g): 0.5,  # D-G, range 9, residue
        (g, h): 0.5,  # G-H, range 8, residue
        (h, i): 0.5,  # H-I, range 6, residue
    }


def test_the_means_are_the_midpoints_of_each_cycle():
    c = rainflow(HISTORY)
    x = np.asarray(HISTORY, float)
    assert np.array_equal(c.mean, 0.5 * (x[c.start] + x[c.end]))
    assert np.array_equal(c.range, np.abs(x[c.start] - x[c.end]))


def test_every_point_of_the_example_is_a_reversal():
    r = reversals(HISTORY)
    assert r.indices.tolist() == list(range(9))
    assert r.values.tolist() == HISTORY
