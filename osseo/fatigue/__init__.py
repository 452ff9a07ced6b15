"""Osseo's wear engine: a load signal → rainflow cycles → Palmgren-Miner damage.

A pure numeric package (numpy, numba, pyarrow): it imports nothing from Django or the Osseo
apps. The damage is a model estimate with clinic-set S-N parameters, not a measurement of wear:
no published S-N curve exists for a dualcone. See README.md in this folder.
"""

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
from osseo.fatigue.rainflow import Cycles, RainflowCounter, Reversals, rainflow, reversals

__all__ = [
    "Cycles",
    "DamageAccumulator",
    "FatigueInputError",
    "HistogramAccumulator",
    "LargestCycles",
    "RainflowCounter",
    "RainflowMatrix",
    "RecordingError",
    "Reversals",
    "SNCurve",
    "equivalent_cycles",
    "histogram",
    "miner_damage",
    "rainflow",
    "reversals",
]
