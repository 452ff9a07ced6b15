"""Synthetic axial-load signals that look like a day with a transfemoral bone-anchored prosthesis.

For tests, benchmarks and demonstrations only: not a model of any patient. The shapes follow the
published ranges in docs/sources.md#implant-loads: stance forces around one body weight with two
humps (peaks up to ~1.6 BW in Frossard et al. 2021), strides of 1.3-1.7 s (36-47 strides/min),
light tension from the prosthesis' weight in swing and when sitting. Sensor noise and the
transducer's finite resolution (quantisation) are added on top.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

WALKING, STANDING, SITTING = 0, 1, 2


@dataclass(frozen=True)
class GaitProfile:
    """Parameters of the synthetic wearer and sensor (illustrative values, not clinical ones)."""

    body_weight_n: float = 800.0
    stride_s: float = 1.4  # mean stride duration
    stride_variation: float = 0.04  # relative SD of stride duration, per stride
    peak_variation: float = 0.06  # relative SD of the stance peaks, per stride
    noise_n: float = 3.0  # SD of the sensor noise
    resolution_n: float = 0.5  # quantisation step of the transducer
    share: tuple[float, float, float] = (0.3, 0.3, 0.4)  # walking, standing, sitting (by bouts)
    bout_median_s: tuple[float, float, float] = (60.0, 45.0, 240.0)


def _bump(s: FloatArray, centre: float, width: float) -> FloatArray:
    return np.exp(-(((s - centre) / width) ** 2))


def _walking(n: int, rate: float, p: GaitProfile, rng: np.random.Generator) -> FloatArray:
    strides = []
    total = 0
    while total < n:
        d = max(round(p.stride_s * (1 + p.stride_variation * rng.standard_normal()) * rate), 8)
        strides.append(d)
        total += d
    lengths = np.asarray(strides)
    first = 1 + p.peak_variation * rng.standard_normal(lengths.shape[0])
    second = 1 + p.peak_variation * rng.standard_normal(lengths.shape[0])
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    phase = (np.arange(total) - starts) / np.repeat(lengths, lengths)
    a1 = np.repeat(first, lengths)
    a2 = np.repeat(second, lengths)
    stance = phase < 0.6
    s = np.where(stance, phase / 0.6, 0.0)
    loading = np.sin(np.pi * s) * (
        0.62 + 0.5 * (a1 * _bump(s, 0.22, 0.14) + a2 * _bump(s, 0.78, 0.14))
    )
    swing = -0.05 * np.sin(np.pi * (phase - 0.6) / 0.4)
    return (p.body_weight_n * np.where(stance, loading, swing))[:n]


def _standing(n: int, rate: float, p: GaitProfile, rng: np.random.Generator) -> FloatArray:
    t = np.arange(n) / rate
    sway = 0.08 * np.sin(2 * np.pi * t / rng.uniform(4, 12) + rng.uniform(0, 2 * np.pi))
    shift = 0.1 * np.sin(2 * np.pi * t / rng.uniform(20, 60) + rng.uniform(0, 2 * np.pi))
    return p.body_weight_n * (0.45 + sway + shift)


def _sitting(n: int, rate: float, p: GaitProfile, rng: np.random.Generator) -> FloatArray:
    t = np.arange(n) / rate
    return p.body_weight_n * (-0.02 + 0.01 * np.sin(2 * np.pi * t / rng.uniform(30, 90)))


_MAKERS = (_walking, _standing, _sitting)


def gait_chunks(
    samples: int,
    *,
    rate_hz: float = 100.0,
    seed: int = 0,
    profile: GaitProfile | None = None,
) -> Iterator[FloatArray]:
    """Yield an axial force signal (N) of `samples` samples, one activity bout per chunk."""
    p = profile or GaitProfile()
    rng = np.random.default_rng(seed)
    left = int(samples)
    while left > 0:
        activity = int(rng.choice(3, p=np.asarray(p.share) / sum(p.share)))
        seconds = p.bout_median_s[activity] * float(rng.lognormal(0.0, 0.7))
        n = min(max(int(seconds * rate_hz), 1), left)
        x = _MAKERS[activity](n, rate_hz, p, rng)
        x = x + p.noise_n * rng.standard_normal(n)
        if p.resolution_n > 0:
            x = np.round(x / p.resolution_n) * p.resolution_n
        left -= n
        yield x


def gait_signal(
    samples: int, *, rate_hz: float = 100.0, seed: int = 0, profile: GaitProfile | None = None
) -> FloatArray:
    """An axial force signal (N) of `samples` samples: see `gait_chunks`."""
    parts = list(gait_chunks(samples, rate_hz=rate_hz, seed=seed, profile=profile))
    return np.concatenate(parts) if parts else np.empty(0, np.float64)


def gait_channels(
    samples: int, *, rate_hz: float = 100.0, seed: int = 0, profile: GaitProfile | None = None
) -> dict[str, FloatArray]:
    """Axial force (N) with plausible bending moments and torsion (N·m) derived from it.

    The moments follow the force with a lever arm that changes over stance (peaks of about
    30-40 N·m for 800 N, torsion a few N·m, as in the ranges of docs/sources.md#implant-loads).
    """
    p = profile or GaitProfile()
    force = gait_signal(samples, rate_hz=rate_hz, seed=seed, profile=p)
    rng = np.random.default_rng(seed + 1)
    lag = max(int(0.15 * rate_hz), 1)
    later = np.concatenate([np.full(lag, force[0] if samples else 0.0), force])[:samples]
    noise = rng.standard_normal((3, samples))
    return {
        "axial_force_N": force,
        "bending_moment_ap_Nm": 0.05 * later - 0.035 * force + 0.3 * noise[0],
        "bending_moment_ml_Nm": 0.03 * force + 0.3 * noise[1],
        "torsion_Nm": 0.005 * (later - force) + 0.004 * force + 0.1 * noise[2],
    }
