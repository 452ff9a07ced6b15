"""Regenerate the sample recordings in this folder:

    .venv/bin/python tests/data/recordings/make_recordings.py

Synthetic (osseo.fatigue.synthetic), not patient data. Small on purpose (< 200 KB each).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from osseo.fatigue.synthetic import GaitProfile, gait_channels

HERE = Path(__file__).parent
RATE = 100.0
# Walking only, so that 30 s hold about 20 strides.
WALK = GaitProfile(share=(1.0, 0.0, 0.0), bout_median_s=(600.0, 1.0, 1.0))


def walk(samples: int, seed: int) -> dict[str, np.ndarray]:
    return {k: np.round(v, 2) for k, v in gait_channels(samples, seed=seed, profile=WALK).items()}


def write_csv(path: Path, header: list[str], rows: list[list[str]], sep: str = ",") -> None:
    lines = [sep.join(header)] + [sep.join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    n = 3000
    ch = walk(n, seed=7)
    t = np.arange(n) / RATE
    header = ["time_s", *ch]
    rows = [[f"{t[i]:.2f}"] + [f"{ch[k][i]:.2f}" for k in ch] for i in range(n)]
    write_csv(HERE / "walk_100hz.csv", header, rows)

    # A European export: semicolons, decimal commas, milliseconds and kilonewtons.
    eu_rows = [
        [f"{t[i] * 1000:.0f}", f"{ch['axial_force_N'][i] / 1000:.5f}".replace(".", ",")]
        for i in range(n)
    ]
    write_csv(HERE / "walk_semicolon_kN.csv", ["Zeit [ms]", "Fz [kN]"], eu_rows, sep=";")

    # Parquet without a time column: the rate and units are in the metadata.
    fields = [pa.field(k, pa.float64(), metadata={"unit": k.rsplit("_", 1)[1]}) for k in ch]
    schema = pa.schema(fields, metadata={"sample_rate_hz": "100"})
    table = pa.table({k: ch[k] for k in ch}, schema=schema)
    pq.write_table(table, HERE / "walk_100hz.parquet")

    small = [[f"{t[i]:.2f}", f"{ch['axial_force_N'][i]:.2f}"] for i in range(20)]
    head = ["time_s", "axial_force_N"]

    def bad(name: str, line: int, cells: list[str] | None) -> None:
        rows = [r[:] for r in small]
        if cells is not None:
            rows[line - 2] = cells  # line 1 is the header
        write_csv(HERE / name, head, rows)

    bad("bad_field_count.csv", 7, ["0.05", "512.3", "17"])
    bad("bad_not_a_number.csv", 12, ["0.10", "5l2.3"])
    bad("bad_empty_value.csv", 9, ["0.07", ""])
    bad("bad_nan.csv", 10, ["0.08", "NaN"])
    bad("bad_time_backwards.csv", 15, ["0.11", "498.0"])
    (HERE / "bad_no_header.csv").write_text("0.00,12.5\n0.01,13.0\n", encoding="utf-8")
    (HERE / "bad_duplicate_column.csv").write_text(
        "time_s,axial_force_N,axial_force_N\n0.00,1,2\n", encoding="utf-8"
    )
    (HERE / "bad_empty.csv").write_text("", encoding="utf-8")
    text = "time_s,axial_force_N\n0.00,12.5\n0.01,13\xb0\n"
    (HERE / "bad_latin1.csv").write_bytes(text.encode("latin-1"))


if __name__ == "__main__":
    main()
