"""The hysteresis gate: reversals smaller than the gate are dropped (sensor noise)."""

from __future__ import annotations

import numpy as np
from conftest import gait_like, quantised_walks, reals, small_ints
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from osseo.fatigue import rainflow, reversals


@settings(max_examples=300, deadline=None)
@given(gait_like() | quantised_walks | small_ints | reals, st.floats(0.01, 500))
def test_every_counted_range_is_at_least_the_gate(x, h):
    r = reversals(x, hysteresis=h)
    assert (np.abs(np.diff(r.values)) >= h).all()
    assert (rainflow(x, hysteresis=h).range >= h).all()


# Not on arbitrary reals: with slopes near 1e-240 the rainflow 3.2.0 test `d_last * d_next < 0`
# (which h = 0 reproduces exactly) underflows to -0.0 and misses a turning point the gate sees.
@settings(max_examples=300, deadline=None)
@given(quantised_walks | small_ints | gait_like())
def test_a_gate_below_every_reversal_changes_nothing(x):
    plain = reversals(x)
    steps = np.abs(np.diff(plain.values))
    assume(x.shape[0] >= 3 and steps.size and steps.min() > 0)
    gated = reversals(x, hysteresis=float(steps.min()))
    assert gated.indices.tolist() == plain.indices.tolist()


def test_noise_around_a_load_cycle_is_ignored():
    rng = np.random.default_rng(0)
    t = np.linspace(0, 4 * np.pi, 4000)
    x = 400 * np.sin(t) + rng.normal(0, 2, t.size)
    assert len(rainflow(x)) > 500
    gated = rainflow(x, hysteresis=30)
    # Two periods from 0: the turning points are 0, +400, -400, +400, -400 and the end near 0.
    assert len(gated) == 5
    assert np.allclose(np.sort(gated.range), [400, 400, 800, 800, 800], atol=20)


def test_a_signal_that_never_leaves_the_gate_has_no_cycles():
    assert len(rainflow([0.0, 0.4, -0.3, 0.2, 0.0], hysteresis=1.0)) == 0
    assert reversals([0.0, 0.4, -0.3], hysteresis=1.0).indices.tolist() == [0]


def test_a_final_move_smaller_than_the_gate_is_dropped():
    r = reversals([0.0, 10.0, 0.0, 0.5], hysteresis=1.0)
    assert r.indices.tolist() == [0, 1, 2]
