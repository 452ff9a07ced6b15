"""FHIR bulk export benchmark: peak memory of `osseo fhir bulk-export` on a large registry.

Builds a throwaway SQLite database (seeded, benchdb.follow_up_cohort): patients in follow-up
after a signed single-stage operation, each with an implant and a dualcone, one in twenty with
a graded infection. It runs the streaming bulk export (osseo/interop/bulk.py: patients read in
batches, each resource written as it is mapped) on a tenth of the cohort and then on all of it,
and in the same run the named baseline: a naive export that maps the whole registry into one
list and then writes it. Peak Python memory is measured with tracemalloc; the streaming
export's peak should not grow with the registry, the baseline's does.

    .venv/bin/python benchmarks/fhir_bulk.py                 # 100,000 implants, de-identified
    .venv/bin/python benchmarks/fhir_bulk.py --implants 10000 --identified
"""

import argparse
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from benchdb import follow_up_cohort, throwaway_clinic


def measure(label: str, run: Callable[[Path], int], implants: int) -> tuple[float, float]:
    folder = Path(tempfile.mkdtemp(prefix="osseo-fhir-bulk-"))
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    written = run(folder / "out")
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    size = sum(p.stat().st_size for p in (folder / "out").glob("*")) / 2**20
    print(
        f"{label:<34} {implants:>8} implants {written:>9} resources "
        f"{peak:>9.1f} MiB peak {seconds:>7.1f} s {size:>8.1f} MiB written",
        flush=True,
    )
    return peak, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--implants", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--identified",
        action="store_true",
        help="the identified export (it also audits a read of each record)",
    )
    args = parser.parse_args()
    deidentify = not args.identified

    clinic, surgeon = throwaway_clinic("osseo-fhir-bulk-bench-")
    from django.utils import timezone

    from osseo.interop import bulk, everything
    from osseo.interop.deidentify import Deidentifier, registry_threshold
    from osseo.interop.references import People

    def streaming(folder: Path) -> int:
        manifest = bulk.export(folder, actor=None, deidentify=deidentify)
        return sum(item["count"] for item in manifest["output"])

    def naive(folder: Path) -> int:
        """The baseline: every resource mapped into one list, then written."""
        folder.mkdir(parents=True)
        patients = bulk.scope(None)
        people = People()
        shield = (
            Deidentifier(
                patients, threshold=int(registry_threshold(None).value), today=timezone.localdate()
            )
            if deidentify
            else None
        )
        mapped = []
        for group in bulk.batches(patients):
            if shield is not None:
                shield.prepare(group, keep=True)
            mapped += everything.records(group, people)
        files = bulk.NdjsonFiles(folder)
        for key, resource in mapped:
            out = shield.apply(key, resource) if shield is not None else resource
            if out is not None:
                files.write(out)
        for resource in people.resources(named=not deidentify):
            files.write(shield.shared(resource) if shield is not None else resource)
        files.close()
        return sum(files.counts.values())

    tenth = args.implants // 10
    kind = "de-identified" if deidentify else "identified"
    print(f"Building {tenth} patients (one implant each)...", flush=True)
    follow_up_cohort(clinic, surgeon, tenth, args.seed)
    small, _ = measure(f"streaming, {kind}", streaming, tenth)
    print(f"Adding {args.implants - tenth} patients...", flush=True)
    follow_up_cohort(clinic, surgeon, args.implants - tenth, args.seed + 1)
    large, _ = measure(f"streaming, {kind}", streaming, args.implants)
    baseline, _ = measure(f"baseline (one list), {kind}", naive, args.implants)
    print(
        f"Streaming peak grew {large / small:.2f}x for 10x the implants; "
        f"the baseline's peak is {baseline / large:.1f}x the streaming export's."
    )


if __name__ == "__main__":
    main()
