"""Shared strategies and helpers for the fatigue engine's tests (no Django needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rainflow as oracle
from hypothesis import strategies as st

from osseo.fatigue import Cycles
from osseo.fatigue.synthetic import GaitProfile, gait_signal

RECORDINGS = Path(__file__).resolve().parent.parent / "data" / "recordings"


def as_tuples(c: Cycles) -> list[tuple[float, float, float, int, int]]:
    return list(
        zip(
            c.range.tolist(),
            c.mean.tolist(),
            c.count.tolist(),
            c.start.tolist(),
            c.end.tolist(),
            strict=True,
        )
    )


def oracle_cycles(x: np.ndarray) -> list[tuple[float, float, float, int, int]]:
    return [
        (float(r), float(m), float(n), int(s), int(e))
        for r, m, n, s, e in oracle.extract_cycles(x.tolist())
    ]


def same_cycles(a: Cycles, b: Cycles) -> bool:
    return all(
        np.array_equal(x, y)
        for x, y in zip(
            (a.range, a.mean, a.count, a.start, a.end),
            (b.range, b.mean, b.count, b.start, b.end),
            strict=True,
        )
    )


# Small integers give many ties and plateaus, the cases where rainflow variants differ.
small_ints = st.lists(st.integers(-4, 4), max_size=60).map(lambda v: np.asarray(v, float))
reals = st.lists(st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False), max_size=80).map(
    lambda v: np.asarray(v, float)
)
quantised_walks = st.builds(
    lambda seed, n, step: (
        np.round(np.cumsum(np.random.default_rng(seed).normal(size=n)) / step) * step
    ),
    st.integers(0, 2**32 - 1),
    st.integers(0, 400),
    st.sampled_from([0.1, 0.5, 1.0]),
)


@st.composite
def gait_like(draw: st.DrawFn) -> np.ndarray:
    """A short synthetic gait load signal: strides, standing, sitting, noise, quantisation."""
    profile = GaitProfile(
        body_weight_n=draw(st.floats(400, 1200)),
        noise_n=draw(st.sampled_from([0.0, 1.0, 3.0, 10.0])),
        resolution_n=draw(st.sampled_from([0.0, 0.5, 2.0])),
        bout_median_s=(5.0, 3.0, 4.0),
    )
    n = draw(st.integers(0, 3000))
    return gait_signal(n, seed=draw(st.integers(0, 2**31)), profile=profile)


signals = st.one_of(small_ints, reals, quantised_walks, gait_like())
