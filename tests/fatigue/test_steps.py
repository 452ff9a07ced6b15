"""The gait-event detector on synthetic axial-load traces with a known number of steps, with spikes,
standing and noise: a spike is never a step."""

import numpy as np
import pytest

from osseo.fatigue.steps import count_steps

RATE = 100.0


def walk(strides, *, stride_s=1.4, weight_n=800.0, seed=0, noise_n=3.0):
    """`strides` prosthetic-side stances (60 % of each stride, two humps), swing near zero."""
    rng = np.random.default_rng(seed)
    parts = []
    for _ in range(strides):
        n = round(stride_s * (1 + 0.04 * rng.standard_normal()) * RATE)
        phase = np.arange(n) / n
        s = np.where(phase < 0.6, phase / 0.6, 0.0)
        humps = np.exp(-(((s - 0.22) / 0.14) ** 2)) + np.exp(-(((s - 0.78) / 0.14) ** 2))
        stance = np.sin(np.pi * s) * (0.62 + 0.5 * humps)
        swing = -0.05 * np.sin(np.pi * (phase - 0.6) / 0.4)
        parts.append(weight_n * np.where(phase < 0.6, stance, swing))
    x = np.concatenate(parts)
    return x + noise_n * rng.standard_normal(x.shape[0])


def times(x):
    return np.arange(x.shape[0]) / RATE


@pytest.mark.parametrize(
    ("strides", "stride_s", "seed"), [(40, 1.4, 0), (125, 1.3, 1), (7, 1.7, 2)]
)
def test_it_counts_the_known_steps_of_a_walk(strides, stride_s, seed):
    x = np.concatenate([np.zeros(50), walk(strides, stride_s=stride_s, seed=seed), np.zeros(50)])
    assert count_steps(x, times(x)).steps == strides


def test_a_spike_is_not_a_step_and_moves_neither_level():
    x = np.concatenate([np.zeros(50), walk(40), np.zeros(50)])
    plain = count_steps(x, times(x))
    swing = int(np.argmin(x[1000:1200])) + 1000  # a sample in a swing
    x[swing] = 2100.0  # one 2,100 N sample
    spiked = count_steps(x, times(x))
    assert (spiked.steps, spiked.rejected_short) == (40, 1)
    assert spiked.unloaded_n == pytest.approx(plain.unloaded_n, abs=1.0)
    assert spiked.loaded_n == pytest.approx(plain.loaded_n, abs=1.0)


def test_a_recording_of_one_spike_and_no_walking_has_no_steps():
    rng = np.random.default_rng(3)
    x = 3.0 * rng.standard_normal(3000)
    x[1500:1503] = 2100.0
    result = count_steps(x, times(x))
    assert result.steps == 0


def test_spikes_in_quiet_standing_between_walks_are_rejected_as_too_short():
    stand = 400.0 + 3.0 * np.random.default_rng(4).standard_normal(1000)
    stand[300:302] = 2100.0
    stand[700:703] = 1900.0
    mixed = np.concatenate(
        [walk(30, seed=5), np.zeros(300), stand, np.zeros(300), walk(30, seed=6)]
    )
    result = count_steps(mixed, times(mixed))
    assert result.steps == 60


def test_standing_still_for_minutes_is_not_a_step():
    stand = 800.0 + 3.0 * np.random.default_rng(7).standard_normal(12000)
    x = np.concatenate([np.zeros(500), stand, np.zeros(500), walk(20, seed=8), np.zeros(100)])
    result = count_steps(x, times(x))
    assert (result.steps, result.rejected_long) == (20, 1)


def test_noise_alone_has_no_steps():
    x = 3.0 * np.random.default_rng(9).standard_normal(5000)
    assert count_steps(x, times(x)).steps == 0


def test_it_reads_uneven_sample_times():
    x = np.concatenate([np.zeros(50), walk(25, seed=10), np.zeros(50)])
    t = np.cumsum(np.random.default_rng(11).uniform(0.008, 0.012, x.shape[0]))
    assert count_steps(x, t).steps == 25
