"""Edge cases of the counter: tiny, flat and invalid signals."""

from __future__ import annotations

import numpy as np
import pytest

from osseo.fatigue import FatigueInputError, RainflowCounter, miner_damage, rainflow, reversals


def test_an_empty_signal_has_no_cycles_and_no_damage():
    c = rainflow([])
    assert len(c) == 0
    assert c.range.dtype == np.float64 and c.start.dtype == np.int64
    assert miner_damage(c, m=4, reference_range=1, cycles_at_reference=1) == 0.0
    assert len(reversals([]).indices) == 0


def test_one_sample_has_no_reversals_and_no_cycles():
    assert len(rainflow([5.0])) == 0
    assert reversals([5.0]).indices.tolist() == []


def test_two_samples_have_only_the_first_as_a_reversal_and_no_cycles_like_the_oracle():
    assert len(rainflow([0.0, 10.0])) == 0
    r = reversals([0.0, 10.0])
    assert r.indices.tolist() == [0] and r.values.tolist() == [0.0]


def test_three_samples_give_half_cycles():
    c = rainflow([0.0, 10.0, 4.0])
    assert c.range.tolist() == [10.0, 6.0]
    assert c.count.tolist() == [0.5, 0.5]


def test_a_constant_signal_has_one_zero_range_half_cycle_and_no_damage():
    c = rainflow(np.full(100, 7.5))
    assert c.range.tolist() == [0.0]
    assert c.mean.tolist() == [7.5]
    assert (c.start.tolist(), c.end.tolist()) == ([0], [99])
    assert miner_damage(c, m=3, reference_range=1, cycles_at_reference=1) == 0.0


def test_a_plateau_turns_at_its_last_sample():
    r = reversals([0.0, 5.0, 5.0, 5.0, 1.0, 1.0, 3.0])
    assert r.indices.tolist() == [0, 3, 5, 6]


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_non_finite_sample_is_a_clear_error_naming_its_index(bad):
    x = np.array([0.0, 1.0, 2.0, bad, 1.0])
    with pytest.raises(FatigueInputError, match="sample 3 is") as err:
        rainflow(x)
    assert err.value.sample == 3
    with pytest.raises(FatigueInputError, match="sample 3"):
        reversals(x)
    with pytest.raises(FatigueInputError, match="sample 3"):
        rainflow(x, hysteresis=0.5)


def test_a_nan_as_the_first_sample_is_reported():
    with pytest.raises(FatigueInputError, match="sample 0 is nan"):
        rainflow([np.nan, 1.0, 2.0])
    with pytest.raises(FatigueInputError, match="sample 0 is nan"):
        RainflowCounter().feed([np.nan])


def test_a_signal_must_be_one_dimensional_and_numeric():
    with pytest.raises(FatigueInputError, match="one-dimensional"):
        rainflow(np.zeros((3, 3)))
    with pytest.raises(FatigueInputError, match="numeric"):
        rainflow(np.array(["a", "b"]))


@pytest.mark.parametrize("h", [-1.0, np.nan, np.inf])
def test_the_hysteresis_must_be_a_finite_non_negative_number(h):
    with pytest.raises(FatigueInputError, match="hysteresis"):
        rainflow([0.0, 1.0, 0.0], hysteresis=h)


def test_extreme_but_finite_values_are_counted():
    c = rainflow([-1e308, 1e308, -1e308, 1e308])
    assert np.isinf(c.range).all()
