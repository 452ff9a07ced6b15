"""Osseo's counter against an independent oracle: the `rainflow` 3.2.0 package from PyPI."""

from __future__ import annotations

import math

import numpy as np
import rainflow as oracle
from conftest import as_tuples, gait_like, oracle_cycles, quantised_walks, signals, small_ints
from hypothesis import given, settings

from osseo.fatigue import equivalent_cycles, miner_damage, rainflow, reversals
from osseo.fatigue.synthetic import gait_signal


@settings(max_examples=400, deadline=None)
@given(signals)
def test_cycles_equal_the_oracles_in_order_with_their_indices(x):
    assert as_tuples(rainflow(x)) == oracle_cycles(x)


@settings(max_examples=300, deadline=None)
@given(signals)
def test_the_multiset_of_range_mean_count_equals_the_oracles(x):
    mine = sorted((r, m, n) for r, m, n, _, _ in as_tuples(rainflow(x)))
    theirs = sorted((r, m, n) for r, m, n, _, _ in oracle_cycles(x))
    assert mine == theirs


@settings(max_examples=300, deadline=None)
@given(signals)
def test_reversals_equal_the_oracles(x):
    r = reversals(x)
    assert list(zip(r.indices.tolist(), r.values.tolist(), strict=True)) == [
        (int(i), float(v)) for i, v in oracle.reversals(x.tolist())
    ]


@settings(max_examples=200, deadline=None)
@given(gait_like() | quantised_walks | small_ints)
def test_damage_equals_the_oracles_to_1e_12_relative(x):
    for m in (3.0, 3.5, 4.2, 8.0):
        ref = math.fsum(n * (r / 250.0) ** m for r, _, n, _, _ in oracle.extract_cycles(x.tolist()))
        got = equivalent_cycles(rainflow(x), m=m, reference_range=250.0)
        assert abs(got - ref) <= 1e-12 * abs(ref)
        d = miner_damage(rainflow(x), m=m, reference_range=250.0, cycles_at_reference=2e6)
        assert abs(d - ref / 2e6) <= 1e-12 * abs(ref / 2e6)


def test_a_long_gait_signal_counts_like_the_oracle():
    x = gait_signal(200_000, seed=11)
    assert as_tuples(rainflow(x)) == oracle_cycles(x)


def test_integer_input_counts_like_float_input():
    x = np.array([0, 3, 1, 4, -2, 2, 0], dtype=np.int16)
    assert as_tuples(rainflow(x)) == oracle_cycles(x.astype(float))
