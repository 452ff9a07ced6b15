"""analyse_recording: a streamed recording → per-channel wear estimate (for the rehab app)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import RECORDINGS

from osseo.fatigue import (
    CAVEAT,
    FatigueInputError,
    analyse_recording,
    histogram,
    miner_damage,
    rainflow,
    read_csv,
)

WALK_CSV = RECORDINGS / "walk_100hz.csv"
PARAMS = {"m": 4.0, "cycles_at_reference": 1e7}


def test_each_channel_is_counted_with_its_own_parameters_like_the_whole_signal():
    rec = read_csv(WALK_CSV)
    result = analyse_recording(
        WALK_CSV,
        channels=["axial_force", "torsion_Nm"],
        reference_range={"axial_force": 1000.0, "torsion_Nm": 10.0},
        hysteresis={"axial_force": 0.0, "torsion_Nm": 0.0},
        **PARAMS,
    )
    assert result.samples == 3000 and result.duration_s == pytest.approx(30.0)
    assert result.caveat == CAVEAT
    expected = [("axial_force", "axial_force_N", 1000.0), ("torsion_Nm", "torsion_Nm", 10.0)]
    for name, column, ref in expected:
        whole = rainflow(rec.values[column])
        ch = result.channels[name]
        assert ch.damage == miner_damage(whole, m=4.0, reference_range=ref, cycles_at_reference=1e7)
        assert ch.cycles == whole.total
        assert ch.curve.reference_range == ref


def test_peaks_and_largest_cycles_carry_their_times():
    result = analyse_recording(
        WALK_CSV, channels=["axial_force_N"], reference_range=1000.0, largest=3, **PARAMS
    )
    ch = result.channels["axial_force_N"]
    x = read_csv(WALK_CSV).values["axial_force_N"]
    assert ch.peak is not None and ch.peak.value == x.max()
    assert ch.peak.time_s == pytest.approx(int(np.argmax(x)) / 100)
    assert [c.range for c in ch.largest] == sorted((c.range for c in ch.largest), reverse=True)
    first = ch.largest[0]
    assert first.start_s == pytest.approx(first.start / 100)
    assert first.end_s == pytest.approx(first.end / 100)


def test_the_rainflow_matrix_is_accumulated_with_the_given_edges():
    edges_r, edges_m = np.arange(0, 1001, 50.0), np.arange(-100, 901, 100.0)
    result = analyse_recording(
        WALK_CSV,
        channels=["axial_force_N"],
        reference_range=1000.0,
        range_bins=edges_r,
        mean_bins=edges_m,
        **PARAMS,
    )
    whole = rainflow(read_csv(WALK_CSV).values["axial_force_N"])
    matrix = result.channels["axial_force_N"].matrix
    assert matrix is not None
    assert np.array_equal(matrix.counts, histogram(whole, edges_r, edges_m).counts)


def test_csv_and_parquet_copies_of_a_recording_give_the_same_estimate():
    a = analyse_recording(WALK_CSV, channels=["axial_force"], reference_range=900.0, **PARAMS)
    b = analyse_recording(
        RECORDINGS / "walk_100hz.parquet", channels=["axial_force"], reference_range=900.0, **PARAMS
    )
    assert a.channels["axial_force"].damage == b.channels["axial_force"].damage


def test_the_result_serialises_with_the_caveat_and_the_parameters():
    result = analyse_recording(WALK_CSV, channels=["torsion"], reference_range=10.0, **PARAMS)
    d = result.to_dict()
    assert d["caveat"].startswith("Model estimate, not a measurement of wear")
    assert d["channels"]["torsion"]["parameters"] == {
        "m": 4.0,
        "reference_range": 10.0,
        "cycles_at_reference": 1e7,
        "hysteresis": 0.0,
        "unit": "N·m",
    }


def test_progress_is_reported_up_to_the_whole_file():
    seen: list[float] = []
    analyse_recording(
        WALK_CSV, channels=["torsion"], reference_range=10.0, progress=seen.append, **PARAMS
    )
    assert seen and seen[-1] == 1.0


def test_a_missing_per_channel_parameter_is_named():
    with pytest.raises(FatigueInputError, match="no reference range given for channel 'torsion'"):
        analyse_recording(
            WALK_CSV,
            channels=["axial_force", "torsion"],
            reference_range={"axial_force": 1000.0},
            **PARAMS,
        )
