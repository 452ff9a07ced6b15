"""A recording → wear estimate per channel, in one streamed pass.

Each channel (axial force, bending moments, torsion) is counted on its own, with its own S-N
parameters and hysteresis gate (their units differ), and accumulated straight into damage,
damage-equivalent cycles, the largest cycles, the peak loads and, if bins are given, the rainflow
matrix: memory does not grow with the recording's length.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from osseo.fatigue.counting import Cycles, RainflowCounter
from osseo.fatigue.damage import (
    DamageAccumulator,
    HistogramAccumulator,
    LargestCycles,
    RainflowMatrix,
    SNCurve,
)
from osseo.fatigue.errors import FatigueInputError
from osseo.fatigue.recordings import Progress, Source, open_recording
from osseo.fatigue.timebase import SampleTimes
from osseo.fatigue.units import Column

CAVEAT = (
    "Model estimate, not a measurement of wear: no published S-N curve exists for a dualcone. "
    "The damage applies the Palmgren-Miner rule with a Basquin S-N curve whose parameters are "
    "set by the clinic; they are shown with the result."
)

PerChannel = float | Mapping[str, float]
Bins = Sequence[float] | npt.NDArray[np.float64]


@dataclass(frozen=True)
class CycleAt:
    """One rainflow cycle, placed in the recording."""

    range: float
    mean: float
    count: float
    start: int  # sample index of its first turning point
    end: int  # sample index of its second turning point
    start_s: float  # seconds from the recording's first sample
    end_s: float


@dataclass(frozen=True)
class LoadAt:
    """A load value at a sample."""

    value: float
    sample: int
    time_s: float


@dataclass(frozen=True, eq=False)
class ChannelWear:
    """The wear estimate of one channel, with the parameters it was computed with."""

    channel: Column
    curve: SNCurve
    hysteresis: float
    samples: int
    cycles: float  # full cycles + half cycles / 2
    damage: float  # Palmgren-Miner sum: a model estimate, not a measurement
    equivalent_cycles: float  # cycles at curve.reference_range doing the same damage
    largest: tuple[CycleAt, ...]
    peak: LoadAt | None  # the largest sample
    trough: LoadAt | None  # the smallest sample
    matrix: RainflowMatrix | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.channel.header,
            "name": self.channel.name,
            "unit": self.channel.unit,
            "source_unit": self.channel.source_unit,
            "parameters": {
                "m": self.curve.m,
                "reference_range": self.curve.reference_range,
                "cycles_at_reference": self.curve.cycles_at_reference,
                "hysteresis": self.hysteresis,
                "unit": self.channel.unit,
            },
            "samples": self.samples,
            "cycles": self.cycles,
            "damage": self.damage,
            "equivalent_cycles": self.equivalent_cycles,
            "largest": [asdict(c) for c in self.largest],
            "peak": asdict(self.peak) if self.peak else None,
            "trough": asdict(self.trough) if self.trough else None,
            "matrix": None
            if self.matrix is None
            else {
                "counts": self.matrix.counts.tolist(),
                "range_edges": self.matrix.range_edges.tolist(),
                "mean_edges": self.matrix.mean_edges.tolist(),
            },
        }


@dataclass(frozen=True, eq=False)
class RecordingWear:
    """The wear estimates of a recording's channels."""

    name: str
    format: str
    samples: int
    duration_s: float
    rate_hz: float | None
    start_time: str | None  # the first timestamp, when the time column holds date-times
    channels: dict[str, ChannelWear]  # by the names asked for
    caveat: str = CAVEAT

    def to_dict(self) -> dict[str, Any]:
        return {
            "caveat": self.caveat,
            "recording": {
                "name": self.name,
                "format": self.format,
                "samples": self.samples,
                "duration_s": self.duration_s,
                "rate_hz": self.rate_hz,
                "start_time": self.start_time,
            },
            "channels": {k: v.to_dict() for k, v in self.channels.items()},
        }


def _for(value: Any, name: str, column: Column, what: str) -> Any:
    if not isinstance(value, Mapping):
        return value
    for key in (name, column.header, column.name):
        if key in value:
            return value[key]
    raise FatigueInputError(f"no {what} given for channel {name!r}")


class _Total:
    """Sink: the number of cycles (half cycles count one half)."""

    def __init__(self) -> None:
        self.value = 0.0

    def __call__(self, cycles: Cycles) -> None:
        self.value += float(cycles.count.sum())


class _Extremes:
    def __init__(self) -> None:
        self.peak: tuple[float, int] | None = None
        self.trough: tuple[float, int] | None = None

    def add(self, first: int, x: npt.NDArray[np.float64]) -> None:
        if x.shape[0] == 0:
            return
        i, j = int(np.argmax(x)), int(np.argmin(x))
        if self.peak is None or x[i] > self.peak[0]:
            self.peak = (float(x[i]), first + i)
        if self.trough is None or x[j] < self.trough[0]:
            self.trough = (float(x[j]), first + j)


@dataclass
class _State:
    column: Column
    curve: SNCurve
    hysteresis: float
    counter: RainflowCounter
    damage: DamageAccumulator
    largest: LargestCycles
    total: _Total
    histogram: HistogramAccumulator | None
    extremes: _Extremes


def analyse_recording(
    source: Source,
    *,
    channels: Sequence[str],
    m: PerChannel,
    reference_range: PerChannel,
    cycles_at_reference: PerChannel,
    hysteresis: PerChannel = 0.0,
    range_bins: Bins | Mapping[str, Bins] | None = None,
    mean_bins: Bins | Mapping[str, Bins] | None = None,
    rate_hz: float | None = None,
    units: Mapping[str, str] | None = None,
    largest: int = 10,
    format: str | None = None,
    progress: Progress | None = None,
) -> RecordingWear:
    """Stream a recording and estimate the wear of each channel.

    Every per-channel parameter is one number for all channels or a mapping by channel name.
    Ranges, hysteresis and bin edges are in the channel's unit after conversion to SI (N, N·m).
    The rainflow matrix needs explicit bin edges (`range_bins` and `mean_bins`), since a stream's
    extent is not known in advance. `progress`, if given, is called with the fraction read.
    Raises FatigueInputError (RecordingError for a malformed file, with its `line`).
    """
    if not channels:
        raise FatigueInputError("name at least one channel to count")
    if (range_bins is None) != (mean_bins is None):
        raise FatigueInputError("give both range_bins and mean_bins for a rainflow matrix")
    with open_recording(source, rate_hz=rate_hz, units=units, format=format) as rec:
        columns = {name: rec.channel(name) for name in channels}
        states = {}
        for name, col in columns.items():
            curve = SNCurve(
                m=_for(m, name, col, "m"),
                reference_range=_for(reference_range, name, col, "reference range"),
                cycles_at_reference=_for(cycles_at_reference, name, col, "cycles at reference"),
            )
            damage = DamageAccumulator(curve)
            top = LargestCycles(largest)
            total = _Total()
            sinks: list[Any] = [damage, top, total]
            hist = None
            if range_bins is not None and mean_bins is not None:
                hist = HistogramAccumulator(
                    _for(range_bins, name, col, "range bins"),
                    _for(mean_bins, name, col, "mean bins"),
                )
                sinks.append(hist)
            h = float(_for(hysteresis, name, col, "hysteresis"))
            counter = RainflowCounter(h, keep_cycles=False, sinks=tuple(sinks))
            states[name] = _State(col, curve, h, counter, damage, top, total, hist, _Extremes())
        headers = [c.header for c in columns.values()]
        for block in rec.blocks(headers, progress):
            for st in states.values():
                x = block.values[st.column.header]
                st.counter.feed(x)
                st.extremes.add(block.first, x)
        times = rec.times
        results = {}
        for name, st in states.items():
            col, curve, h, counter, damage, top, total, hist, ext = (
                st.column, st.curve, st.hysteresis, st.counter, st.damage, st.largest, st.total,
                st.histogram, st.extremes,
            )  # fmt: skip
            residue = counter.residue()
            big = top.cycles(residue)
            results[name] = ChannelWear(
                channel=col,
                curve=curve,
                hysteresis=h,
                samples=counter.samples,
                cycles=total.value + residue.total,
                damage=damage.damage(residue),
                equivalent_cycles=damage.equivalent_cycles(residue),
                largest=_placed(big, times),
                peak=_load_at(ext.peak, times),
                trough=_load_at(ext.trough, times),
                matrix=hist.matrix(residue) if hist is not None else None,
            )
        return RecordingWear(
            name=rec.name,
            format=rec.format,
            samples=rec.samples,
            duration_s=times.duration(rec.samples),
            rate_hz=times.rate_hz,
            start_time=rec.start_time,
            channels=results,
        )


def _placed(cycles: Cycles, times: SampleTimes) -> tuple[CycleAt, ...]:
    starts, ends = times.at(cycles.start), times.at(cycles.end)
    return tuple(
        CycleAt(
            float(cycles.range[i]),
            float(cycles.mean[i]),
            float(cycles.count[i]),
            int(cycles.start[i]),
            int(cycles.end[i]),
            float(starts[i]),
            float(ends[i]),
        )
        for i in range(len(cycles))
    )


def _load_at(found: tuple[float, int] | None, times: SampleTimes) -> LoadAt | None:
    if found is None:
        return None
    return LoadAt(found[0], found[1], float(times.at([found[1]])[0]))
