"""Steps in an axial load recording: a gait-event (load-cycle) detector.

One step on the prosthetic side is one stance: the axial force rises from the unloaded level to
the loaded one (heel strike), stays loaded for a stance, and falls back (toe off). The detector
finds these by hysteresis on two thresholds set between the recording's own unloaded and loaded
levels (its 10th and 90th percentiles, so one spike moves neither), and keeps a loaded stretch
as a step only when it lasts as long as a stance does: a spike (too short) or standing still
(too long) is not a step.

The stance bounds follow reported gait: cadence 36-47 strides a minute in level walking, ramps
and stairs with press-fit transfemoral implants (Frossard et al. 2021, doi
10.1016/j.clinbiomech.2021.105457; docs/sources.md#implant-loads), so a stride of 1.3-1.7 s of
which a stance is a part; the bounds below are wide around that. They are detector settings, not
clinical limits. Pure numpy: no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

MIN_STANCE_S = 0.2  # shorter loaded stretches are spikes or noise
MAX_STANCE_S = 2.5  # longer ones are standing, not a step
ON_FRACTION = 0.5  # heel strike: half-way from the unloaded to the loaded level
OFF_FRACTION = 0.25  # toe off: a quarter of the way
MIN_SWING_N = 50.0  # below this spread between the levels there is no gait to count (noise)


@dataclass(frozen=True)
class StepCount:
    steps: int
    unloaded_n: float  # the recording's unloaded level (10th percentile)
    loaded_n: float  # its loaded level (90th percentile)
    rejected_short: int  # loaded stretches too short for a stance (spikes)
    rejected_long: int  # loaded stretches too long for a stance (standing)


def count_steps(
    force: npt.ArrayLike,
    times_s: npt.ArrayLike,
    *,
    min_stance_s: float = MIN_STANCE_S,
    max_stance_s: float = MAX_STANCE_S,
    min_swing_n: float = MIN_SWING_N,
) -> StepCount:
    """The steps (stances) in an axial force trace sampled at `times_s` (seconds)."""
    x = np.asarray(force, dtype=np.float64)
    t = np.asarray(times_s, dtype=np.float64)
    if x.shape != t.shape:
        raise ValueError("force and times must have the same length")
    if x.shape[0] < 3:
        return StepCount(0, 0.0, 0.0, 0, 0)
    low, high = (float(v) for v in np.percentile(x, [10.0, 90.0]))
    if high - low < min_swing_n:
        return StepCount(0, low, high, 0, 0)
    on = low + ON_FRACTION * (high - low)
    off = low + OFF_FRACTION * (high - low)
    # Hysteresis without a Python loop: 1 at or above `on`, 0 below `off`, -1 in between
    # (keeps the state before it), forward-filled.
    state = np.where(x >= on, 1, np.where(x < off, 0, -1))
    state[0] = 1 if state[0] == 1 else 0
    known = np.where(state >= 0, np.arange(state.shape[0]), 0)
    np.maximum.accumulate(known, out=known)
    state = state[known]
    change = np.diff(state)
    rises = np.flatnonzero(change == 1) + 1
    falls = np.flatnonzero(change == -1) + 1
    if state[0] == 1:  # loaded at the start: a stance cut by the recording, not counted
        falls = falls[1:]
    rises = rises[: falls.shape[0]]  # a stance still open at the end is not counted
    durations = t[falls] - t[rises]
    short = int(np.count_nonzero(durations < min_stance_s))
    long = int(np.count_nonzero(durations > max_stance_s))
    return StepCount(int(durations.shape[0]) - short - long, low, high, short, long)


def count_recording_steps(
    source: Any,
    *,
    channel: str,
    rate_hz: float | None = None,
    units: Mapping[str, str] | None = None,
    format: str | None = None,
) -> StepCount:
    """The steps in one channel of a CSV or Parquet recording (see `count_steps`). The channel
    is held in memory as 32-bit floats while it is counted."""
    from .recordings import open_recording

    with open_recording(source, rate_hz=rate_hz, units=units, format=format) as rec:
        column = rec.channel(channel)
        parts = [
            np.asarray(block.values[column.header], dtype=np.float32)
            for block in rec.blocks([column.header])
        ]
        x = np.concatenate(parts) if parts else np.empty(0, np.float32)
        t = rec.times.at(np.arange(x.shape[0]))
    return count_steps(x, t)
