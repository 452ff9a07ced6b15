"""Cycles → damage: Palmgren-Miner with a Basquin S-N curve, the rainflow matrix, the peaks.

Basquin: N(S) = N_ref · (S / S_ref)^-m, so one cycle of range S uses 1/N(S) of the life and
D = Σ count · (S / S_ref)^m / N_ref (Palmgren-Miner linear accumulation). No published S-N curve
exists for a dualcone: m, S_ref and N_ref are clinic-set parameters and D is a model estimate,
not a measurement of wear.

Every function has a streaming twin (an accumulator you hand to `RainflowCounter(sinks=...)`),
and both give the same numbers: damage sums are sequential and compensated, so they do not depend
on how the cycles were chunked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from osseo.fatigue import _kernels as K
from osseo.fatigue.counting import Cycles, FloatArray
from osseo.fatigue.errors import FatigueInputError

BinsArg = int | npt.ArrayLike


@dataclass(frozen=True)
class SNCurve:
    """A Basquin S-N curve: `cycles_at_reference` cycles of `reference_range` to failure, slope m.

    The parameters are set by the clinic; none is a published value for a dualcone.
    """

    m: float
    reference_range: float
    cycles_at_reference: float = 1.0

    def __post_init__(self) -> None:
        for name in ("m", "reference_range", "cycles_at_reference"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
                raise FatigueInputError(f"{name} must be a finite number > 0, got {v!r}")


class DamageAccumulator:
    """Σ count · (range / reference_range)^m over cycles that arrive in pieces.

    Call it with `Cycles` (it is a `RainflowCounter` sink). `equivalent_cycles()` and `damage()`
    take the residue of an unfinished stream, so that the stream can go on.
    """

    def __init__(self, curve: SNCurve) -> None:
        self.curve = curve
        self._inverse = 1.0 / curve.reference_range
        self._m = float(curve.m)
        self._acc = np.zeros(2 * K.LANES + 1, np.float64)

    def __call__(self, cycles: Cycles) -> None:
        K.accumulate_damage(cycles.range, cycles.count, self._inverse, self._m, self._acc)

    def equivalent_cycles(self, residue: Cycles | None = None) -> float:
        acc = self._acc.copy()
        if residue is not None:
            K.accumulate_damage(residue.range, residue.count, self._inverse, self._m, acc)
        return float(K.damage_total(acc))

    def damage(self, residue: Cycles | None = None) -> float:
        return self.equivalent_cycles(residue) / self.curve.cycles_at_reference


def equivalent_cycles(cycles: Cycles, *, m: float, reference_range: float) -> float:
    """The damage-equivalent number of cycles at the reference range:
    Σ count · (range / reference_range)^m."""
    acc = DamageAccumulator(SNCurve(m=m, reference_range=reference_range))
    acc(cycles)
    return acc.equivalent_cycles()


def miner_damage(
    cycles: Cycles, *, m: float, reference_range: float, cycles_at_reference: float
) -> float:
    """Palmgren-Miner damage D = Σ count · (range / reference_range)^m / cycles_at_reference.

    A model estimate with clinic-set parameters, not a measurement of wear.
    """
    curve = SNCurve(m=m, reference_range=reference_range, cycles_at_reference=cycles_at_reference)
    acc = DamageAccumulator(curve)
    acc(cycles)
    return acc.damage()


def bin_edges(bins: BinsArg, values: FloatArray | None = None) -> FloatArray:
    """Bin edges from an edge sequence, or from a count of equal bins spanning `values`."""
    if isinstance(bins, int | np.integer):
        if bins < 1:
            raise FatigueInputError(f"the number of bins must be at least 1, got {bins}")
        if values is None:
            raise FatigueInputError("a streaming histogram needs explicit bin edges")
        lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        return np.linspace(lo, hi, int(bins) + 1)
    edges = np.asarray(bins, dtype=np.float64)
    if edges.ndim != 1 or edges.shape[0] < 2:
        raise FatigueInputError("bin edges must be a sequence of at least two numbers")
    if not (np.all(np.isfinite(edges)) and np.all(np.diff(edges) > 0)):
        raise FatigueInputError("bin edges must be finite and strictly increasing")
    return np.ascontiguousarray(edges)


@dataclass(frozen=True, eq=False)
class RainflowMatrix:
    """Cycle counts by range bin (rows) and mean bin (columns), with the bin edges.

    Bins are half-open [a, b) except the last, which is closed (numpy.histogram2d's rule);
    cycles outside the edges are not counted.
    """

    counts: FloatArray
    range_edges: FloatArray
    mean_edges: FloatArray


class HistogramAccumulator:
    """The rainflow matrix over cycles that arrive in pieces (a `RainflowCounter` sink)."""

    def __init__(self, range_bins: npt.ArrayLike, mean_bins: npt.ArrayLike) -> None:
        self.range_edges = bin_edges(range_bins)  # type: ignore[arg-type]
        self.mean_edges = bin_edges(mean_bins)  # type: ignore[arg-type]
        self._counts = np.zeros(
            (self.range_edges.shape[0] - 1, self.mean_edges.shape[0] - 1), np.float64
        )

    def __call__(self, cycles: Cycles) -> None:
        K.accumulate_histogram(cycles.range, cycles.mean, cycles.count, self.range_edges,
                               self.mean_edges, self._counts)  # fmt: skip

    def matrix(self, residue: Cycles | None = None) -> RainflowMatrix:
        counts = self._counts.copy()
        if residue is not None:
            K.accumulate_histogram(residue.range, residue.mean, residue.count, self.range_edges,
                                   self.mean_edges, counts)  # fmt: skip
        return RainflowMatrix(counts, self.range_edges.copy(), self.mean_edges.copy())


def histogram(cycles: Cycles, range_bins: BinsArg, mean_bins: BinsArg) -> RainflowMatrix:
    """The rainflow matrix of the cycles, weighted by their counts (for charts).

    Each of `range_bins`, `mean_bins` is a number of equal bins spanning the cycles' values or a
    sequence of edges. The same numbers as `numpy.histogram2d(range, mean, weights=count)`.
    """
    acc = HistogramAccumulator(bin_edges(range_bins, cycles.range),
                               bin_edges(mean_bins, cycles.mean))  # fmt: skip
    acc(cycles)
    return acc.matrix()


class LargestCycles:
    """The k largest cycles by range (ties: earliest start), over cycles that arrive in pieces."""

    def __init__(self, k: int) -> None:
        self.k = int(k)
        self._best = Cycles.empty()

    def __call__(self, cycles: Cycles) -> None:
        if self.k <= 0 or len(cycles) == 0:
            return
        if len(self._best) >= self.k:
            # Only cycles at least as large as the current k-th can enter.
            keep = cycles.range >= self._best.range[-1]
            if not keep.any():
                return
            cycles = cycles.take(keep)
        self._best = Cycles.concatenate([self._best, cycles.largest(self.k)]).largest(self.k)

    def cycles(self, residue: Cycles | None = None) -> Cycles:
        if residue is None or len(residue) == 0:
            return self._best
        return Cycles.concatenate([self._best, residue]).largest(self.k)
