"""Dashboard benchmark: the staff landing page with its worklist, on a large clinic.

Builds a throwaway SQLite database (seeded): N patients in follow-up after a signed single-stage
operation, each with an implant and a dualcone whose service forecast falls over the next two
years (some overdue), and one patient in twenty with an ongoing graded infection. It times the
dashboard (phase board and worklist: ongoing complications, follow-up visits due, parts due,
recordings to retry) through Django's test client, best of three, and in the same run the
patient list page, the named baseline: the other page every member of staff opens all day.

    .venv/bin/python benchmarks/dashboard.py
    .venv/bin/python benchmarks/dashboard.py --patients 2000
"""

import argparse
import datetime as dt
import os
import time

from benchdb import operated_patients, throwaway_clinic

PAGE_TARGET_SECONDS = 1.0  # as the registry page: under 1 s on the project's 2-core machines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    clinic, surgeon = throwaway_clinic("osseo-dashboard-bench-")
    import numpy as np
    from django.test import Client
    from django.utils import timezone

    from osseo.complications.models import AdverseEvent, Grade, GradingSystem
    from osseo.connectors.models import Forecast
    from osseo.patients import worklist
    from osseo.surgery.models import Device

    rng = np.random.default_rng(args.seed)
    n = args.patients
    today = timezone.localdate()
    now = timezone.now()
    operated = [today - dt.timedelta(days=int(d)) for d in rng.integers(30, 3650, n)]
    due_in = rng.integers(-60, 730, n)  # days until the dualcone is due; some overdue
    started = time.perf_counter()
    patients, limbs, episodes, procedures = operated_patients(
        clinic, surgeon, ["femur"] * n, operated, ["single_stage"] * n
    )
    devices = Device.objects.bulk_create(
        [
            Device(
                patient=p,
                limb=limbs[i],
                kind=kind,
                gtin="09506000134352",
                lot=f"L{i % 500}",
                placed_on=operated[i],
                placed_by=procedures[i],
                status="in_place",
            )
            for i, p in enumerate(patients)
            for kind in ("implant", "dualcone")
        ],
        batch_size=5000,
    )
    Forecast.objects.bulk_create(
        [
            Forecast(
                device=d,
                due_on=today + dt.timedelta(days=int(due_in[i // 2])),
                basis="time",
                basis_text="Time limit (benchmark)",
                computed_at=now,
            )
            for i, d in enumerate(devices)
            if d.kind == "dualcone"
        ],
        batch_size=5000,
    )
    system = GradingSystem.objects.get(code="radboud-infection")
    grade = Grade.objects.get(system=system, code="2")
    AdverseEvent.objects.bulk_create(
        [
            AdverseEvent(
                patient=p,
                limb=limbs[i],
                episode=episodes[i],
                kind="infection_soft_tissue",
                onset_on=today - dt.timedelta(days=int(rng.integers(1, 300))),
                outcome="ongoing",
                grading_system=system,
                grade=grade,
                recorded_by=surgeon,
            )
            for i, p in enumerate(patients)
            if i % 20 == 0
        ],
        batch_size=5000,
    )
    print(
        f"dashboard: loaded {n:,} patients in follow-up ({n // 20:,} ongoing infections, "
        f"{int((due_in < 0).sum()):,} dualcones overdue) into SQLite in "
        f"{time.perf_counter() - started:.1f} s; {os.cpu_count()} CPUs"
    )

    client = Client()
    client.force_login(surgeon)

    def best_of_three(url: str) -> float:
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            response = client.get(url)
            best = min(best, time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        return best

    dashboard = best_of_three("/")  # also warms up what a first request loads (URLs, views)
    baseline = best_of_three("/patients/")
    for _, name, provider in worklist._providers:
        started = time.perf_counter()
        result = provider(surgeon, today)
        seconds = time.perf_counter() - started
        count = "no panel" if result is None else f"{result.count:,} items"
        print(f"  worklist panel {name}: {seconds * 1000:.0f} ms ({count})")
    verdict = "meets" if dashboard < PAGE_TARGET_SECONDS else "MISSES"
    print(
        f"dashboard with its worklist: {dashboard * 1000:.0f} ms server time "
        f"({verdict} the {PAGE_TARGET_SECONDS:.0f} s target); baseline, the patient list: "
        f"{baseline * 1000:.0f} ms ({dashboard / baseline:.1f}x the baseline)"
    )


if __name__ == "__main__":
    main()
