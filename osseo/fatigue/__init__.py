"""Osseo's wear engine: a load signal → rainflow cycles → Palmgren-Miner damage.

A pure numeric package (numpy, numba, pyarrow): it imports nothing from Django or the Osseo
apps. The damage is a model estimate with clinic-set S-N parameters, not a measurement of wear:
no published S-N curve exists for a dualcone. See README.md in this folder.
"""

from osseo.fatigue.analysis import (
    CAVEAT,
    ChannelWear,
    CycleAt,
    LoadAt,
    RecordingWear,
    analyse_recording,
)
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
