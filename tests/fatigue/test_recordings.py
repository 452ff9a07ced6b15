"""Reading load recordings: CSV and Parquet, units, time, and malformed files."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import RECORDINGS

from osseo.fatigue import (
    FatigueInputError,
    RecordingError,
    open_recording,
    read_csv,
    read_parquet,
)

WALK_CSV = RECORDINGS / "walk_100hz.csv"


def test_a_csv_with_a_time_column_and_units_in_the_header_is_read_in_si_units():
    rec = read_csv(WALK_CSV)
    assert list(rec.channels) == [
        "axial_force_N",
        "bending_moment_ap_Nm",
        "bending_moment_ml_Nm",
        "torsion_Nm",
    ]
    assert rec.channels["torsion_Nm"].unit == "N·m"
    assert rec.rate_hz == 100.0
    assert rec.values["axial_force_N"].shape == (3000,)
    assert rec.values["axial_force_N"][:3].tolist() == [-4.0, 18.0, 44.0]
    assert rec.time_s[-1] == pytest.approx(29.99)


def test_a_semicolon_csv_with_decimal_commas_ms_and_kn_reads_like_the_original():
    eu = read_csv(RECORDINGS / "walk_semicolon_kN.csv")
    original = read_csv(WALK_CSV, channels=["axial_force"])
    assert eu.channels["Fz [kN]"].unit == "N" and eu.channels["Fz [kN]"].scale == 1000.0
    assert np.allclose(eu.values["Fz [kN]"], original.values["axial_force_N"], atol=1e-9)
    assert np.allclose(eu.time_s, original.time_s)


def test_a_parquet_file_takes_its_rate_and_units_from_its_metadata():
    rec = read_parquet(RECORDINGS / "walk_100hz.parquet")
    original = read_csv(WALK_CSV)
    assert rec.rate_hz == 100.0
    assert rec.channels["bending_moment_ap_Nm"].unit == "N·m"
    for name in rec.values:
        assert np.array_equal(rec.values[name], original.values[name])


def test_a_recording_can_be_read_from_an_open_binary_file():
    with open(WALK_CSV, "rb") as f:
        rec = read_csv(f, channels=["torsion"])
    assert list(rec.values) == ["torsion_Nm"]
    buffer = io.BytesIO((RECORDINGS / "walk_100hz.parquet").read_bytes())
    assert read_parquet(buffer).values["axial_force_N"].shape == (3000,)


def test_without_a_time_column_the_given_rate_places_the_samples():
    data = b"force_N\n1\n5\n2\n"
    rec = read_csv(io.BytesIO(data), rate_hz=50)
    assert rec.time_s.tolist() == [0.0, 0.02, 0.04]
    with pytest.raises(FatigueInputError, match="no time column"):
        read_csv(io.BytesIO(data))


def test_a_header_without_units_can_be_given_units():
    rec = read_csv(io.BytesIO(b"t,Fz\n0,1.5\n0.01,2.5\n0.02,1.0\n"), units={"Fz": "kN"})
    assert rec.values["Fz"].tolist() == [1500.0, 2500.0, 1000.0]


def test_iso_timestamps_are_a_time_column():
    data = (
        b"timestamp,axial_force_N\n"
        b"2026-03-01T10:00:00.00Z,1\n2026-03-01T10:00:00.01Z,3\n2026-03-01T10:00:00.02Z,2\n"
    )
    with open_recording(io.BytesIO(data)) as rec:
        blocks = list(rec.blocks(["axial_force_N"]))
        assert rec.start_time is not None and rec.start_time.startswith("2026-03-01 10:00:00")
    assert blocks[0].time_s is not None
    assert np.allclose(blocks[0].time_s, [0.0, 0.01, 0.02])


def test_a_gap_in_the_sampling_keeps_the_times_of_later_samples_right():
    t = np.concatenate([np.arange(100) / 100, 60 + np.arange(100) / 100])
    text = "time_s,f_N\n" + "".join(f"{v:.2f},{i % 7}\n" for i, v in enumerate(t))
    rec = read_csv(io.BytesIO(text.encode()))
    assert np.allclose(rec.time_s, t)


def test_a_rate_that_contradicts_the_time_column_is_refused():
    with pytest.raises(FatigueInputError, match="the time column gives 100 Hz"):
        read_csv(WALK_CSV, rate_hz=200)


def test_an_unknown_channel_lists_the_channels():
    with pytest.raises(FatigueInputError, match="its channels are: axial_force_N, bending"):
        read_csv(WALK_CSV, channels=["Fz"])


@pytest.mark.parametrize(
    ("name", "line", "reason"),
    [
        ("bad_field_count.csv", 7, "expected 2 fields as in the header, found 3"),
        ("bad_not_a_number.csv", 12, "'5l2.3' in column 'axial_force_N' is not a number"),
        ("bad_empty_value.csv", 9, "no value in column 'axial_force_N'"),
        ("bad_nan.csv", 10, "'NaN' in column 'axial_force_N' is not a finite number"),
        ("bad_time_backwards.csv", 15, "the time 0.11 is not after the previous sample's"),
        ("bad_no_header.csv", 1, "the first row holds numbers, not column names"),
        ("bad_duplicate_column.csv", 1, "column 'axial_force_N' appears twice"),
        ("bad_empty.csv", 1, "the file has no header row"),
        ("bad_latin1.csv", 3, "not UTF-8"),
    ],
)
def test_a_malformed_csv_names_the_line_and_the_reason(name, line, reason):
    with pytest.raises(RecordingError) as err:
        read_csv(RECORDINGS / name, channels=["axial_force_N"])
    assert err.value.line == line
    assert reason in str(err.value)
    assert str(err.value).startswith(f"line {line}: ")


def test_a_problem_late_in_a_long_csv_is_found_on_its_line():
    rows = [f"{i / 100:.2f},{i % 13}" for i in range(200_000)]
    rows[150_000] = "1500.00,12,7"
    text = "time_s,axial_force_N\n" + "\n".join(rows) + "\n"
    with pytest.raises(RecordingError, match="expected 2 fields") as err:
        read_csv(io.BytesIO(text.encode()))
    assert err.value.line == 150_002


def test_a_parquet_file_with_a_missing_value_names_the_row(tmp_path):
    path = tmp_path / "gap.parquet"
    pq.write_table(pa.table({"f_N": pa.array([1.0, None, 2.0])}), path)
    with pytest.raises(RecordingError, match="row 1: column 'f_N' has no finite value") as err:
        read_parquet(path, rate_hz=100)
    assert err.value.sample == 1


def test_a_file_that_is_not_parquet_is_refused(tmp_path):
    path = tmp_path / "fake.parquet"
    path.write_bytes(b"time_s,f\n0,1\n")
    with pytest.raises(RecordingError, match="not a readable Parquet file"):
        read_parquet(path, rate_hz=100)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(RecordingError, match="cannot open"):
        read_csv(tmp_path / "nope.csv")
