"""Rainflow counting (ASTM E1049-85 §5.4.4), whole-signal and streaming.

The counting rules, including how plateaus and the two end points are treated, are those of the
`rainflow` 3.2.0 package (https://pypi.org/project/rainflow/), which the tests use as the oracle:

- the first and the last sample are turning points; a run of equal samples is one turning point,
  at its last index (the first run: its first index);
- a signal of fewer than three samples has no cycles (the package yields only the first point of
  a two-sample signal);
- full cycles count 1.0; the residue is counted as half cycles of 0.5 between neighbours.

A hysteresis gate h > 0 (not in ASTM E1049, an Osseo extension used to ignore sensor noise)
keeps only turning points that the signal leaves by at least h: every counted range is then at
least h. The signal's last move, if smaller than h, is dropped like any other.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from osseo.fatigue import _kernels as K
from osseo.fatigue.errors import FatigueInputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Cycles:
    """Rainflow cycles: equal-length arrays, in the order the rule closes them.

    `range` and `mean` are in the signal's unit; `count` is 1.0 (full) or 0.5 (half);
    `start` and `end` are the sample indices of the cycle's two turning points.
    """

    range: FloatArray
    mean: FloatArray
    count: FloatArray
    start: IntArray
    end: IntArray

    def __len__(self) -> int:
        return int(self.range.shape[0])

    @property
    def total(self) -> float:
        """The number of cycles, half cycles counting one half."""
        return float(self.count.sum())

    @classmethod
    def empty(cls) -> Cycles:
        f = np.empty(0, np.float64)
        i = np.empty(0, np.int64)
        return cls(f, f.copy(), f.copy(), i, i.copy())

    @classmethod
    def concatenate(cls, parts: list[Cycles]) -> Cycles:
        if not parts:
            return cls.empty()
        return cls(
            np.concatenate([p.range for p in parts]),
            np.concatenate([p.mean for p in parts]),
            np.concatenate([p.count for p in parts]),
            np.concatenate([p.start for p in parts]),
            np.concatenate([p.end for p in parts]),
        )

    def take(self, which: npt.ArrayLike) -> Cycles:
        """The cycles at the given positions (an index array or a boolean mask)."""
        w = np.asarray(which)
        return Cycles(self.range[w], self.mean[w], self.count[w], self.start[w], self.end[w])

    def largest(self, k: int) -> Cycles:
        """The k largest cycles by range, largest first (ties: earliest start first)."""
        order = np.lexsort((self.start, -self.range))[: max(k, 0)]
        return self.take(order)


class Reversals(NamedTuple):
    """Turning points: their sample indices and values."""

    indices: IntArray
    values: FloatArray


def _as_signal(x: npt.ArrayLike) -> FloatArray:
    a = np.asarray(x)
    if a.ndim != 1:
        raise FatigueInputError(f"a signal must be one-dimensional, got shape {a.shape}")
    if a.dtype.kind not in "iufb":
        raise FatigueInputError(f"a signal must be numeric, got dtype {a.dtype}")
    return np.ascontiguousarray(a, dtype=np.float64)


def _check_hysteresis(hysteresis: float) -> float:
    h = float(hysteresis)
    if not (h >= 0.0 and np.isfinite(h)):
        raise FatigueInputError(f"hysteresis must be a finite number >= 0, got {hysteresis!r}")
    return h


def _fresh_state() -> tuple[FloatArray, IntArray]:
    sf = np.zeros(K.F_SIZE, np.float64)
    si = np.zeros(K.I_SIZE, np.int64)
    si[K.I_BAD] = -1
    return sf, si


def _raise_non_finite(x: FloatArray, local: int, offset: int) -> None:
    raise FatigueInputError(
        f"sample {offset + local} is {float(x[local])!r}: signals must be finite numbers "
        "(remove or interpolate missing samples first)",
        sample=offset + local,
    )


def reversals(x: npt.ArrayLike, hysteresis: float = 0.0) -> Reversals:
    """The turning points of a 1-D signal, with the first and last sample as end points.

    With `hysteresis` h > 0, turning points that the signal leaves by less than h are dropped
    (sensor noise): consecutive turning points then differ by at least h.
    """
    a = _as_signal(x)
    h = _check_hysteresis(hysteresis)
    if a.shape[0] <= 2:
        # rainflow 3.2.0 yields nothing for one sample and only the first of two.
        return Reversals(np.zeros(a.shape[0] // 2, np.int64), a[: a.shape[0] // 2].copy())
    sf, si = _fresh_state()
    out_i = np.empty(a.shape[0] + 1, np.int64)
    out_v = np.empty(a.shape[0] + 1, np.float64)
    n = K.turning_points(a, h, sf, si, out_i, out_v)
    if si[K.I_BAD] >= 0:
        _raise_non_finite(a, int(si[K.I_BAD]), 0)
    return Reversals(out_i[:n].copy(), out_v[:n].copy())


_POOL: ThreadPoolExecutor | None = None


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


_SETTING = os.environ.get("OSSEO_FATIGUE_THREADS", "").strip()
_PARALLEL = _SETTING != "1" and _cpus() > 1  # two threads allowed at all


def _two_threads(n: int, block: int) -> bool:
    """Whether to count a signal of n samples with two threads.

    Only for more than one block, and (unless OSSEO_FATIGUE_THREADS=2) only while a second core
    looks idle: on a busy machine the helper thread waits for the scheduler at every block, and
    one thread is faster. The results are the same either way.
    """
    if not (_PARALLEL and n > block):
        return False
    if _SETTING == "2" or not hasattr(os, "getloadavg"):
        return True
    return os.getloadavg()[0] < _cpus() - 0.5


BLOCK = 1 << 16  # samples per pipeline block


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="osseo-fatigue")
    return _POOL


def _forget_pool() -> None:
    # A forked child (a web server's worker) inherits the pool but not its thread: start afresh.
    global _POOL
    _POOL = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _point_blocks(
    a: FloatArray,
    h: float,
    sf: FloatArray,
    si: IntArray,
    block: int,
    threads: bool,
) -> Iterator[tuple[IntArray, FloatArray, int]]:
    """Yield the turning points of a, block by block, as (indices, values, how many).

    With `threads`, the next block's points are found in a worker thread while the
    caller counts the current block (the compiled kernels release the GIL): the detector and the
    rainflow stack run side by side. The order and the results are those of a sequential run.
    Stops after the block that holds a non-finite sample (si[I_BAD] >= 0 then).
    """
    n = a.shape[0]
    size = min(block, max(n, 1)) + 1
    buffers = [(np.empty(size, np.int64), np.empty(size, np.float64)) for _ in range(2)]
    if not threads:
        pi, pv = buffers[0]
        for lo in range(0, n, block):
            npts = K.detect(a, lo, min(lo + block, n), h, sf, si, pi, pv)
            yield pi, pv, npts
            if si[K.I_BAD] >= 0:
                return
        return
    pool = _pool()

    def detect(lo: int, pi: IntArray, pv: FloatArray) -> int:
        return int(K.detect(a, lo, min(lo + block, n), h, sf, si, pi, pv))

    future: Future[int] | None = pool.submit(detect, 0, *buffers[0])
    try:
        for number, lo in enumerate(range(0, n, block)):
            assert future is not None
            npts = future.result()
            future = None
            bad = si[K.I_BAD] >= 0
            following = lo + block
            if following < n and not bad:
                future = pool.submit(detect, following, *buffers[(number + 1) % 2])
            pi, pv = buffers[number % 2]
            yield pi, pv, npts
            if bad:
                return
    finally:
        if future is not None:
            future.result()


def rainflow(x: npt.ArrayLike, hysteresis: float = 0.0) -> Cycles:
    """The rainflow cycles of a whole 1-D signal (ASTM E1049-85 §5.4.4).

    Raises FatigueInputError for a NaN or infinite sample (naming its index).
    """
    a = _as_signal(x)
    h = _check_hysteresis(hysteresis)
    n = a.shape[0]
    sf, si = _fresh_state()
    cap = n + 2
    st_i = np.empty(cap, np.int64)
    st_v = np.empty(cap, np.float64)
    rng = np.empty(cap, np.float64)
    mean = np.empty(cap, np.float64)
    count = np.empty(cap, np.float64)
    start = np.empty(cap, np.int64)
    end = np.empty(cap, np.int64)
    k = 0
    threads = _two_threads(n, BLOCK)
    for pi, pv, npts in _point_blocks(a, h, sf, si, BLOCK, threads):
        k = K.stack(pi, pv, npts, si, st_i, st_v, rng, mean, count, start, end, k)
    if si[K.I_BAD] >= 0:
        _raise_non_finite(a, int(si[K.I_BAD]), 0)
    k = K.close_residue(h, sf, si, st_i, st_v, rng, mean, count, start, end, k)
    del st_i, st_v
    for arr in (rng, mean, count, start, end):
        # Shrinking in place gives the unused tail back without copying the cycles.
        arr.resize(k, refcheck=False)
    return Cycles(rng, mean, count, start, end)


CycleSink = Callable[[Cycles], None]


class RainflowCounter:
    """Rainflow counting of a signal that arrives in chunks.

    `feed(chunk)` any number of times, then `result()` for the cycles: for any chunking they are
    exactly those of `rainflow()` on the whole signal. Memory is bounded by `block` samples plus
    the unclosed residue (a few dozen points for real loads), plus the cycles themselves when
    `keep_cycles` is true. With `keep_cycles=False`, give `sinks` (for example a
    `DamageAccumulator` and a `HistogramAccumulator`) that receive the cycles as they close.
    `result()` does not end the stream: more chunks may follow.
    """

    def __init__(
        self,
        hysteresis: float = 0.0,
        *,
        keep_cycles: bool = True,
        sinks: tuple[CycleSink, ...] = (),
        block: int = BLOCK,
    ) -> None:
        self.hysteresis = _check_hysteresis(hysteresis)
        self.keep_cycles = keep_cycles
        self.sinks = tuple(sinks)
        self._block = int(block)
        if self._block < 1:
            raise FatigueInputError("block must be at least 1 sample")
        self._sf, self._si = _fresh_state()
        self._st_i = np.empty(self._block + 64, np.int64)
        self._st_v = np.empty(self._block + 64, np.float64)
        self._out: tuple[FloatArray, FloatArray, FloatArray, IntArray, IntArray] = (
            np.empty(0, np.float64),
            np.empty(0, np.float64),
            np.empty(0, np.float64),
            np.empty(0, np.int64),
            np.empty(0, np.int64),
        )
        self._parts: list[Cycles] = []

    @property
    def samples(self) -> int:
        """Samples fed so far."""
        return int(self._si[K.I_SEEN])

    def _ensure(self, n: int) -> None:
        top = int(self._si[K.I_TOP])
        need = top + n + 2
        if self._st_i.shape[0] < need:
            cap = max(need, 2 * self._st_i.shape[0])
            st_i = np.empty(cap, np.int64)
            st_v = np.empty(cap, np.float64)
            st_i[:top] = self._st_i[:top]
            st_v[:top] = self._st_v[:top]
            self._st_i, self._st_v = st_i, st_v
        if self._out[0].shape[0] < need:
            cap = max(need, self._block + 64)
            self._out = (
                np.empty(cap, np.float64),
                np.empty(cap, np.float64),
                np.empty(cap, np.float64),
                np.empty(cap, np.int64),
                np.empty(cap, np.int64),
            )

    def _emit(self, k: int) -> None:
        if k == 0:
            return
        r, m, c, s, e = self._out
        cycles = Cycles(r[:k], m[:k], c[:k], s[:k], e[:k])
        for sink in self.sinks:
            sink(cycles)
        if self.keep_cycles:
            self._parts.append(
                Cycles(r[:k].copy(), m[:k].copy(), c[:k].copy(), s[:k].copy(), e[:k].copy())
            )

    def feed(self, chunk: npt.ArrayLike) -> None:
        """Count the next samples of the signal. A NaN or infinite sample raises
        FatigueInputError naming its index in the whole signal; the samples before it count."""
        a = _as_signal(chunk)
        offset = self.samples
        self._ensure(min(a.shape[0], self._block))
        threads = _two_threads(a.shape[0], self._block)
        blocks = _point_blocks(a, self.hysteresis, self._sf, self._si, self._block, threads)
        for pi, pv, npts in blocks:
            self._ensure(npts)
            k = K.stack(pi, pv, npts, self._si, self._st_i, self._st_v, *self._out, 0)
            self._emit(k)
        if self._si[K.I_BAD] >= 0:
            local = int(self._si[K.I_BAD])
            self._si[K.I_BAD] = -1
            _raise_non_finite(a, local, offset)

    def residue(self) -> Cycles:
        """The half cycles the signal would end with if it ended now (the stream goes on)."""
        sf, si = self._sf.copy(), self._si.copy()
        top = int(si[K.I_TOP])
        st_i, st_v = self._st_i[: top + 1].copy(), self._st_v[: top + 1].copy()
        r, m, c = (np.empty(top + 2, np.float64) for _ in range(3))
        s, e = np.empty(top + 2, np.int64), np.empty(top + 2, np.int64)
        k = K.close_residue(self.hysteresis, sf, si, st_i, st_v, r, m, c, s, e, 0)
        return Cycles(r[:k], m[:k], c[:k], s[:k], e[:k])

    def result(self) -> Cycles:
        """All cycles so far, the residue included: those of `rainflow()` on the whole signal."""
        if not self.keep_cycles:
            raise FatigueInputError("this counter does not keep cycles (keep_cycles=False)")
        return Cycles.concatenate([*self._parts, self.residue()])
