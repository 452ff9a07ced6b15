"""Osseo's wear engine: a load signal → rainflow cycles → Palmgren-Miner damage.

A pure numeric package (numpy, numba, pyarrow): it imports nothing from Django or the Osseo
apps. The damage is a model estimate with clinic-set S-N parameters, not a measurement of wear:
no published S-N curve exists for a dualcone. See README.md in this folder.
"""

from typing import TYPE_CHECKING, Any

from osseo.fatigue.counting import Cycles, RainflowCounter, Reversals, rainflow, reversals
from osseo.fatigue.damage import (
    DamageAccumulator,
    HistogramAccumulator,
    LargestCycles,
    RainflowMatrix,
    SNCurve,
    equivalent_cycles,
    histogram,
    miner_damage,
)
from osseo.fatigue.errors import FatigueInputError, RecordingError

if TYPE_CHECKING:
    from osseo.fatigue.analysis import (
        CAVEAT,
        ChannelWear,
        CycleAt,
        LoadAt,
        RecordingWear,
        analyse_recording,
    )
    from osseo.fatigue.recordings import (
        Block,
        LoadRecording,
        Recording,
        open_recording,
        read_csv,
        read_parquet,
        read_recording,
    )
    from osseo.fatigue.units import Column

# The readers and the analysis load pyarrow (~25 MB): they are imported on first use, so that
# counting alone (a long stream, a benchmark) does not carry them.
_LAZY = {
    "CAVEAT": "analysis",
    "ChannelWear": "analysis",
    "CycleAt": "analysis",
    "LoadAt": "analysis",
    "RecordingWear": "analysis",
    "analyse_recording": "analysis",
    "Block": "recordings",
    "LoadRecording": "recordings",
    "Recording": "recordings",
    "open_recording": "recordings",
    "read_csv": "recordings",
    "read_parquet": "recordings",
    "read_recording": "recordings",
    "Column": "units",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"osseo.fatigue.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'osseo.fatigue' has no attribute {name!r}")


__all__ = [
    "CAVEAT",
    "Block",
    "ChannelWear",
    "Column",
    "CycleAt",
    "Cycles",
    "DamageAccumulator",
    "FatigueInputError",
    "HistogramAccumulator",
    "LargestCycles",
    "LoadAt",
    "LoadRecording",
    "RainflowCounter",
    "RainflowMatrix",
    "Recording",
    "RecordingError",
    "RecordingWear",
    "Reversals",
    "SNCurve",
    "analyse_recording",
    "equivalent_cycles",
    "histogram",
    "miner_damage",
    "open_recording",
    "rainflow",
    "read_csv",
    "read_parquet",
    "read_recording",
    "reversals",
]
