"""Sample index → time, for recordings with a time column or a sample rate.

A long recording is streamed, so its time column cannot be kept. `SampleTimes` keeps an anchor
(index, time, step) at the start of every block and after every gap in the sampling (a step over
1.5 times the nominal one): the time of any sample is then exact at anchors and exact to within
the sampling jitter in between, in memory that grows with the number of blocks and gaps only.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt

from osseo.fatigue.errors import FatigueInputError

FloatArray = npt.NDArray[np.float64]


class SampleTimes:
    def __init__(self, rate_hz: float | None = None) -> None:
        self.given_rate_hz = rate_hz
        self.nominal_step: float | None = 1.0 / rate_hz if rate_hz else None
        self._index: list[int] = []
        self._time: list[float] = []
        self._step: list[float] = []
        self._last: tuple[int, float] | None = None
        self._estimated: float | None = None

    @property
    def rate_hz(self) -> float | None:
        # Nine significant digits: a rate estimated from a time column is no more exact.
        return float(f"{1.0 / self.nominal_step:.9g}") if self.nominal_step else None

    def add(self, first: int, t: FloatArray) -> int | None:
        """Record the times of samples first, first + 1, ...; return the offset (within t) of
        the first sample whose time is not after the previous one, or None if all are."""
        if t.shape[0] == 0:
            return None
        if self._last is not None and not t[0] > self._last[1]:
            return 0
        steps = np.diff(t)
        bad = np.flatnonzero(~(steps > 0))
        if bad.size:
            return int(bad[0]) + 1
        if self._estimated is None and steps.size:
            estimated = float(np.median(steps))
            given = self.given_rate_hz
            if given and abs(estimated * given - 1.0) > 0.01:
                raise FatigueInputError(
                    f"the time column gives {1.0 / estimated:.6g} Hz, "
                    f"but the sample rate given is {given:.6g} Hz"
                )
            self.nominal_step = self._estimated = estimated
        step = self.nominal_step or 0.0
        cuts = [0]
        if step > 0 and steps.size:
            cuts += (np.flatnonzero(steps > 1.5 * step) + 1).tolist()
        cuts.append(t.shape[0])
        for a, b in itertools.pairwise(cuts):
            seg = (t[b - 1] - t[a]) / (b - 1 - a) if b - 1 > a else step
            self._index.append(first + a)
            self._time.append(float(t[a]))
            self._step.append(float(seg))
        self._last = (first + t.shape[0] - 1, float(t[-1]))
        return None

    def at(self, indices: npt.ArrayLike) -> FloatArray:
        """Times (s) of the given sample indices."""
        i = np.asarray(indices, dtype=np.int64)
        if not self._index:
            if self.nominal_step is None:
                return np.full(i.shape, np.nan)
            return (i * self.nominal_step).astype(np.float64)
        anchors = np.asarray(self._index, dtype=np.int64)
        k = np.clip(np.searchsorted(anchors, i, side="right") - 1, 0, None)
        times = np.asarray(self._time)[k] + (i - anchors[k]) * np.asarray(self._step)[k]
        return times.astype(np.float64)

    def duration(self, samples: int) -> float:
        """Time from the first sample to one step after the last (the recording's length)."""
        if samples == 0:
            return 0.0
        if self._last is not None:
            return self._last[1] - self._time[0] + (self.nominal_step or 0.0)
        return samples * (self.nominal_step or float("nan"))
