"""Benchmark of the connectors app's imports (osseo/connectors).

    .venv/bin/python benchmarks/activity.py                # 1,000 patients x 365 days, 1e8 samples
    .venv/bin/python benchmarks/activity.py --samples 1e7     # a shorter recording

1. Daily steps: a year of days (a `date,steps` CSV each) for 1,000 patients, each parsed and
   imported through the same action the screen, API and `osseo import-steps` use (one
   transaction and one audit entry per patient, forecasts refreshed). Target: under 10 s.
2. A load recording of 1e8 samples (a synthetic axial force at 100 Hz, written as Parquet:
   osseo.fatigue.synthetic), submitted as a user would (checked, stored through the storage API)
   and processed by the worker's function in a fresh process, whose peak memory (VmHWM) is
   reported. Target: it streams in under 300 MB.

Runs on a throwaway SQLite database and media folder under a temporary OSSEO_VAR_DIR.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _setup(var_dir: str) -> None:
    os.environ["OSSEO_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osseo.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def peak_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def world(patients: int) -> tuple[object, list[object]]:
    from django.core.management import call_command

    from osseo.accounts.actions import create_organisation, create_user
    from osseo.connectors.actions import set_service_policy
    from osseo.patients.actions import create_patient

    call_command("migrate", verbosity=0)
    clinic = create_organisation(name="Bench", slug="bench", kind="oi_clinic")
    staff = {
        role: create_user(
            actor=None,
            username=role,
            password="x" * 12,
            role=role,
            organisation=clinic,
            check_password=False,
        )
        for role in ("prosthetist", "clinic_admin", "coordinator")
    }
    set_service_policy(
        actor=staff["clinic_admin"],
        kind="dualcone",
        values={
            "time_limit_months": 12,
            "activity_limit_cycles": 2e6,
            "reference_load_n": 800.0,
            "sn_exponent_m": 4.0,
        },
    )
    people = [
        create_patient(
            actor=staff["coordinator"],
            data={
                "given_name": f"P{i}",
                "family_name": "Bench",
                "birth_date": dt.date(1970, 1, 1),
                "sex": "female",
            },
        )
        for i in range(patients)
    ]
    return staff["prosthetist"], people


def steps(patients: int) -> dict[str, float]:
    from django.utils import timezone

    from osseo.connectors.actions import import_daily_steps
    from osseo.connectors.models import ActivityDay
    from osseo.connectors.stepsfile import parse_steps_csv

    actor, people = world(patients)
    rng = random.Random(6)
    today = timezone.localdate()
    files = []
    for _ in people:
        lines = ["date,steps"]
        lines += [
            f"{today - dt.timedelta(days=365 - i)},{rng.randint(0, 15000)}" for i in range(365)
        ]
        files.append("\n".join(lines).encode())
    t = time.perf_counter()
    for patient, data in zip(people, files, strict=True):
        days = parse_steps_csv(data, today=today)
        import_daily_steps(actor=actor, patient=patient, days=days, source="bench.csv")
    elapsed = time.perf_counter() - t
    assert ActivityDay.objects.count() == patients * 365
    t = time.perf_counter()
    for patient, data in zip(people[:100], files[:100], strict=True):  # idempotent re-import
        import_daily_steps(
            actor=actor,
            patient=patient,
            days=parse_steps_csv(data, today=today),
            source="bench.csv",
        )
    again = (time.perf_counter() - t) * patients / 100
    return {
        "patients": patients,
        "days": patients * 365,
        "seconds": elapsed,
        "reimport_seconds_estimate": again,
        "peak_mb": peak_mb(),
    }


def write_parquet(path: Path, samples: int) -> float:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from osseo.fatigue.synthetic import gait_chunks

    t = time.perf_counter()
    schema = pa.schema(
        [pa.field("axial_force_N", pa.float32())], metadata={"sample_rate_hz": "100"}
    )
    with pq.ParquetWriter(path, schema) as writer:
        buffer, held = [], 0
        for chunk in gait_chunks(samples, rate_hz=100.0, seed=3):
            buffer.append(chunk.astype("float32"))
            held += chunk.shape[0]
            if held >= 1 << 22:
                import numpy as np

                writer.write_table(
                    pa.table({"axial_force_N": np.concatenate(buffer)}, schema=schema)
                )
                buffer, held = [], 0
        if buffer:
            import numpy as np

            writer.write_table(pa.table({"axial_force_N": np.concatenate(buffer)}, schema=schema))
    return time.perf_counter() - t


def recording(samples: int, var_dir: str) -> dict[str, float]:
    from django.core.files import File

    from osseo.accounts.models import User
    from osseo.connectors.recordings import submit_recording
    from osseo.patients.models import Patient

    path = Path(var_dir) / "walk_1e8.parquet"
    made = write_parquet(path, samples)
    actor = User.objects.get(username="prosthetist")
    patient = Patient.objects.first()
    t = time.perf_counter()
    with path.open("rb") as f:
        rec, _ = submit_recording(
            actor=actor,
            patient=patient,
            upload=File(f, name=path.name),
            recorded_on=dt.date(2026, 1, 1),
        )
    submitted = time.perf_counter() - t
    out = subprocess.run(
        [sys.executable, __file__, "--child", var_dir, "--recording", str(rec.pk)],
        check=True,
        capture_output=True,
        text=True,
    )
    child = json.loads(out.stdout.strip().splitlines()[-1])
    return {
        "samples": samples,
        "file_mb": path.stat().st_size / 2**20,
        "generate_seconds": made,
        "submit_seconds": submitted,
        **child,
    }


def child(var_dir: str, pk: int) -> None:
    _setup(var_dir)
    from osseo.connectors.models import LoadRecording
    from osseo.connectors.recordings import process_recording

    t = time.perf_counter()
    status = process_recording(pk)
    elapsed = time.perf_counter() - t
    result = LoadRecording.objects.get(pk=pk).result
    print(
        json.dumps(
            {
                "status": status,
                "process_seconds": elapsed,
                "process_peak_mb": peak_mb(),
                "equivalent_cycles": result.equivalent_cycles,
                "cycles": result.cycles,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--samples", type=float, default=1e8)
    parser.add_argument("--child")
    parser.add_argument("--recording", type=int)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.recording)
        return
    with tempfile.TemporaryDirectory(prefix="osseo-bench-") as var_dir:
        _setup(var_dir)
        s = steps(args.patients)
        print(
            f"steps: {s['days']:,} days for {s['patients']:,} patients imported in "
            f"{s['seconds']:.2f} s (target < 10 s); re-import (nothing added) ~"
            f"{s['reimport_seconds_estimate']:.2f} s; peak memory {s['peak_mb']:.0f} MB"
        )
        r = recording(int(args.samples), var_dir)
        print(
            f"recording: {r['samples']:.0e} samples ({r['file_mb']:.0f} MB Parquet, generated in "
            f"{r['generate_seconds']:.0f} s), submitted in {r['submit_seconds']:.1f} s, processed "
            f"in {r['process_seconds']:.1f} s, peak memory {r['process_peak_mb']:.0f} MB "
            f"(target < 300 MB); {r['cycles']:,.0f} cycles, {r['equivalent_cycles']:,.0f} "
            "equivalent cycles"
        )


if __name__ == "__main__":
    main()
