"""Palmgren-Miner damage with a Basquin S-N curve, equivalent cycles and the rainflow matrix."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import gait_like
from hypothesis import given, settings

from osseo.fatigue import (
    Cycles,
    FatigueInputError,
    SNCurve,
    equivalent_cycles,
    histogram,
    miner_damage,
    rainflow,
)


def cycles(ranges, counts, means=None) -> Cycles:
    n = len(ranges)
    return Cycles(
        np.asarray(ranges, float),
        np.asarray(means if means is not None else [0.0] * n, float),
        np.asarray(counts, float),
        np.zeros(n, np.int64),
        np.zeros(n, np.int64),
    )


def test_damage_is_the_sum_of_count_times_relative_range_to_the_m_over_the_reference_life():
    c = cycles([1000.0, 500.0, 2000.0], [1.0, 0.5, 1.0])
    # (1)^3 + 0.5 (0.5)^3 + (2)^3 = 9.0625 cycles at 1000 N; life 1e6 cycles there.
    assert equivalent_cycles(c, m=3, reference_range=1000) == 9.0625
    assert miner_damage(c, m=3, reference_range=1000, cycles_at_reference=1e6) == 9.0625e-6


def test_one_cycle_at_the_reference_range_uses_one_reference_life():
    c = cycles([800.0], [1.0])
    assert miner_damage(c, m=5.3, reference_range=800, cycles_at_reference=2e6) == 1 / 2e6


@pytest.mark.parametrize("m", [1.0, 2.0, 3.0, 3.5, 4.0, 5.0, 6.0, 7.0, 9.5, 4.37, 12.0])
def test_every_exponent_path_agrees_with_pow(m):
    rng = np.random.default_rng(int(m * 100))
    c = cycles(rng.uniform(0, 3000, 1001), rng.choice([0.5, 1.0], 1001))
    expected = sum(n * (r / 700.0) ** m for r, n in zip(c.range, c.count, strict=True))
    assert equivalent_cycles(c, m=m, reference_range=700.0) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize(
    ("field", "value"),
    [("m", 0), ("m", -3), ("reference_range", 0), ("cycles_at_reference", np.inf), ("m", np.nan)],
)
def test_s_n_parameters_must_be_finite_and_positive(field, value):
    params = {"m": 3.0, "reference_range": 1.0, "cycles_at_reference": 1.0, field: value}
    with pytest.raises(FatigueInputError, match=field):
        SNCurve(**params)
    with pytest.raises(FatigueInputError, match=field):
        miner_damage(cycles([1.0], [1.0]), **params)


@settings(max_examples=100, deadline=None)
@given(gait_like())
def test_the_rainflow_matrix_equals_numpys_weighted_histogram(x):
    c = rainflow(x)
    edges_r, edges_m = np.linspace(0, 1200, 25), np.linspace(-100, 1100, 13)
    mine = histogram(c, edges_r, edges_m)
    ref, _, _ = np.histogram2d(c.range, c.mean, bins=[edges_r, edges_m], weights=c.count)
    assert np.array_equal(mine.counts, ref)
    if len(c):
        auto = histogram(c, 8, 6)
        ref, er, em = np.histogram2d(c.range, c.mean, bins=[8, 6], weights=c.count)
        assert np.array_equal(auto.counts, ref)
        assert np.allclose(auto.range_edges, er) and np.allclose(auto.mean_edges, em)
        assert auto.counts.sum() == pytest.approx(c.total)


def test_bin_edges_must_increase():
    with pytest.raises(FatigueInputError, match="strictly increasing"):
        histogram(cycles([1.0], [1.0]), [0, 2, 1], [0, 1])


def test_the_largest_cycles_come_first_with_ties_by_start():
    c = Cycles(
        np.array([5.0, 9.0, 9.0, 1.0]),
        np.zeros(4),
        np.ones(4),
        np.array([0, 7, 3, 1]),
        np.array([1, 8, 4, 2]),
    )
    top = c.largest(3)
    assert top.range.tolist() == [9.0, 9.0, 5.0]
    assert top.start.tolist() == [3, 7, 0]
