"""The life table every estimator starts from: distinct times, numbers at risk and removed.

The timeline is the one lifelines' `KaplanMeierFitter` uses: 0 followed by every distinct
observed time (event or censoring). The number at risk at time t counts every subject whose
follow-up time is >= t, so a subject censored at t is still at risk for events at t.
"""

from dataclasses import dataclass

import numpy as np

from osseo.survival.inputs import BoolArray, FloatArray, IntArray


@dataclass(frozen=True, eq=False)
class LifeTable:
    time: FloatArray
    at_risk: IntArray
    removed: IntArray
    counts: tuple[IntArray, ...]  # per time, how many of each flagged kind left at that time


def tabulate(durations: FloatArray, *flags: BoolArray) -> LifeTable:
    """Count, per distinct time, the subjects leaving and those of each flagged kind."""
    times, inverse = np.unique(durations, return_inverse=True)
    if times.size == 0 or times[0] > 0:
        times = np.concatenate(([0.0], times))
        inverse = inverse + 1
    size = times.size
    removed = np.bincount(inverse, minlength=size).astype(np.int64)
    counts = tuple(np.bincount(inverse[flag], minlength=size).astype(np.int64) for flag in flags)
    left_before = np.concatenate(([0], np.cumsum(removed)[:-1]))
    at_risk = durations.size - left_before
    return LifeTable(time=times, at_risk=at_risk, removed=removed, counts=counts)


def step_index(time: FloatArray, query: FloatArray) -> IntArray:
    """For each queried time, the index of the last timeline point at or before it (-1 if none)."""
    return np.searchsorted(time, query, side="right") - 1


def frozen(array: np.ndarray) -> np.ndarray:
    """Make an array read-only so that a frozen result cannot be changed through it."""
    array.setflags(write=False)
    return array
