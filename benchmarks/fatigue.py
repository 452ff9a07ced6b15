"""Benchmark of Osseo's wear engine (osseo.fatigue) against the references, on gait load signals.

    .venv/bin/python benchmarks/fatigue.py                      # 1e5, 1e6, 1e7 + a 1e8 stream
    .venv/bin/python benchmarks/fatigue.py --stream-samples 1e9 # the 1e9-sample stream too

A synthetic axial-force signal at 100 Hz (walking bouts with per-stride variation, standing,
sitting, sensor noise, transducer resolution: osseo.fatigue.synthetic) is counted by:

- Osseo: `rainflow()` + `miner_damage()` (numba; compile time reported separately);
- the `rainflow` 3.2.0 package (pure Python, the tests' oracle): `extract_cycles` + the same sum;
- `fatpack.find_rainflow_ranges` with its default k=64 load classes: reversals are binned first,
  so its cycles are NOT exact (shown for speed only);
- a numpy single-pass floor: `np.diff(x)`, one read and one write of the signal.

Times are the best of several runs (the machine may be shared). Osseo's cycles are checked
against the rainflow package's on every size. The stream runs in a fresh process, so its peak
memory (ru_maxrss) is the counter's: `RainflowCounter` accumulating damage, a rainflow matrix
and the largest cycles, never keeping the cycles.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import numpy as np

M, REFERENCE_RANGE, CYCLES_AT_REFERENCE = 4.0, 1000.0, 1e7  # illustrative parameters only
RATE_HZ = 100.0


def best_of(runs: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def compile_time() -> float:
    """Seconds to import and compile the kernels with an empty numba cache (a fresh process)."""
    code = (
        "import time; t = time.perf_counter(); import numpy as np; "
        "from osseo.fatigue import rainflow, miner_damage, histogram, RainflowCounter; "
        "c = rainflow(np.arange(10.0) % 3); miner_damage(c, m=4, reference_range=1, "
        "cycles_at_reference=1); miner_damage(c, m=4.3, reference_range=1, cycles_at_reference=1); "
        "histogram(c, [0, 1, 2], [0, 1, 2]); r = RainflowCounter(0.5); r.feed(np.arange(5.0)); "
        "r.result(); print(time.perf_counter() - t)"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
    return float(out.stdout.strip())


def oracle_cycles(x: np.ndarray) -> list[tuple[float, float, float, int, int]]:
    import rainflow as oracle

    return list(oracle.extract_cycles(x))


def oracle_damage(cycles: list[tuple[float, float, float, int, int]]) -> float:
    # math.fsum: a plain sum() of millions of terms is itself off by ~1e-11 relative.
    terms = (n * (r / REFERENCE_RANGE) ** M for r, _, n, _, _ in cycles)
    return math.fsum(terms) / CYCLES_AT_REFERENCE


def sizes_table(sizes: list[int]) -> dict[str, dict[str, float]]:
    import fatpack

    from osseo.fatigue import counting, miner_damage, rainflow, reversals
    from osseo.fatigue.synthetic import gait_signal

    parallel, setting = counting._PARALLEL, counting._SETTING

    def osseo(x: np.ndarray, m: float = M) -> float:
        return miner_damage(
            rainflow(x),
            m=m,
            reference_range=REFERENCE_RANGE,
            cycles_at_reference=CYCLES_AT_REFERENCE,
        )

    t = time.perf_counter()
    osseo(np.arange(10.0) % 3)
    first_call = time.perf_counter() - t
    print(f"first call in this process (numba cache load): {first_call:.2f} s")
    print(f"compile time with an empty numba cache (fresh process): {compile_time():.2f} s\n")

    results = {}
    header = (
        f"{'samples':>10} {'reversals':>9} {'Osseo':>12} {'rainflow':>12} {'fatpack*':>12} "
        f"{'np.diff':>12} {'vs rainflow':>11} {'vs floor':>9}  agrees"
    )
    print("throughput in samples/s (best of several runs); * binned, not exact")
    print(header)
    for n in sizes:
        x = gait_signal(n, rate_hz=RATE_HZ, seed=2026)
        density = len(reversals(x).indices) / n
        runs = max(3, int(3e7 // n))
        t_osseo = best_of(runs, lambda x=x: osseo(x))  # as installed: threads when a core is idle
        counting._PARALLEL, counting._SETTING = False, "1"
        t_single = best_of(runs, lambda x=x: osseo(x))
        counting._PARALLEL, counting._SETTING = parallel, "2"
        t_two = best_of(runs, lambda x=x: osseo(x)) if parallel else float("nan")
        counting._SETTING = setting
        t_pow = best_of(runs, lambda x=x: osseo(x, 4.3))
        t_floor = best_of(runs * 3, lambda x=x: np.diff(x))
        t_fatpack = best_of(max(1, runs // 10), lambda x=x: fatpack.find_rainflow_ranges(x, k=64))
        ref_runs = 1 if n >= 5_000_000 else 2
        cycles: list[tuple[float, float, float, int, int]] = []

        def reference(
            x: np.ndarray = x, cycles: list[tuple[float, float, float, int, int]] = cycles
        ) -> None:
            cycles[:] = oracle_cycles(x)
            oracle_damage(cycles)

        t_ref = best_of(ref_runs, reference)
        mine = rainflow(x)
        same = list(
            zip(
                mine.range.tolist(),
                mine.mean.tolist(),
                mine.count.tolist(),
                mine.start.tolist(),
                mine.end.tolist(),
                strict=True,
            )
        ) == [(float(r), float(m), float(c), int(s), int(e)) for r, m, c, s, e in cycles]
        d_ref, d_mine = oracle_damage(cycles), osseo(x)
        same = same and abs(d_mine - d_ref) <= 1e-12 * abs(d_ref)
        row = {
            "samples": n,
            "reversal_density": density,
            "cycles": len(mine),
            "osseo_s": t_osseo,
            "osseo_one_thread_s": t_single,
            "osseo_two_threads_s": t_two,
            "osseo_pow_path_s": t_pow,
            "rainflow_pkg_s": t_ref,
            "fatpack_s": t_fatpack,
            "np_diff_s": t_floor,
            "speedup_vs_rainflow": t_ref / t_osseo,
            "times_floor": t_osseo / t_floor,
            "agrees": same,
        }
        results[str(n)] = row
        print(
            f"{n:>10.0e} {density:>9.2f} {n / t_osseo:>12.3e} {n / t_ref:>12.3e} "
            f"{n / t_fatpack:>12.3e} {n / t_floor:>12.3e} {t_ref / t_osseo:>10.1f}x "
            f"{t_osseo / t_floor:>8.2f}x  {'yes' if same else 'NO'}"
        )
        print(
            f"{'':>10} Osseo {t_osseo * 1e3:.1f} ms ({len(mine)} cycles; one thread "
            f"{t_single * 1e3:.1f} ms, two threads {t_two * 1e3:.1f} ms; m = 4.3 through pow() "
            f"{t_pow * 1e3:.1f} ms), rainflow {t_ref:.2f} s, fatpack "
            f"{t_fatpack * 1e3:.1f} ms, np.diff {t_floor * 1e3:.1f} ms"
        )
    return results


def peak_rss_bytes() -> int:
    """This process's peak resident memory. VmHWM belongs to the address space, so it starts
    afresh at exec; ru_maxrss would carry the forked parent's peak into a subprocess."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def stream(samples: int) -> dict[str, float]:
    """Count `samples` samples through RainflowCounter into damage, a matrix and the largest."""
    from osseo.fatigue import (
        DamageAccumulator,
        HistogramAccumulator,
        LargestCycles,
        RainflowCounter,
        SNCurve,
    )
    from osseo.fatigue.synthetic import gait_chunks

    damage = DamageAccumulator(SNCurve(M, REFERENCE_RANGE, CYCLES_AT_REFERENCE))
    matrix = HistogramAccumulator(np.arange(0, 2001, 25.0), np.arange(-200, 1401, 50.0))
    largest = LargestCycles(10)
    counter = RainflowCounter(keep_cycles=False, sinks=(damage, matrix, largest))
    warm = RainflowCounter(keep_cycles=False, sinks=(DamageAccumulator(damage.curve),))
    warm.feed(np.arange(300_000.0) % 7)  # load the compiled kernels before timing
    chunk = 1 << 20
    pending: list[np.ndarray] = []
    held = 0
    counting = 0.0
    started = time.perf_counter()
    for bout in gait_chunks(samples, rate_hz=RATE_HZ, seed=1):
        pending.append(bout)
        held += bout.shape[0]
        if held >= chunk:
            x = np.concatenate(pending)
            pending, held = [], 0
            t = time.perf_counter()
            counter.feed(x)
            counting += time.perf_counter() - t
    if pending:
        t = time.perf_counter()
        counter.feed(np.concatenate(pending))
        counting += time.perf_counter() - t
    residue = counter.residue()
    total = time.perf_counter() - started
    return {
        "samples": counter.samples,
        "counting_s": counting,
        "total_with_generation_s": total,
        "samples_per_s": counter.samples / counting,
        "peak_rss_mb": peak_rss_bytes() / 1e6,
        "damage": damage.damage(residue),
        "matrix_cycles": float(matrix.matrix(residue).counts.sum()),
        "largest_range": float(largest.cycles(residue).range[0]),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="1e5,1e6,1e7", help="signal lengths, comma-separated")
    p.add_argument("--stream-samples", type=float, default=1e8, help="0 to skip the stream")
    p.add_argument("--stream-only", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = p.parse_args()
    if args.stream_only:
        print(json.dumps(stream(int(args.stream_samples))))
        return 0

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Osseo wear engine benchmark: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores (load average {load:.2f} at start), "
        f"Python {platform.python_version()}, "
        f"numpy {np.__version__}"
    )
    print(f"gait signal at {RATE_HZ:g} Hz; Basquin m = {M:g}, S_ref = {REFERENCE_RANGE:g} N\n")
    figures: dict[str, object] = {
        "sizes": sizes_table([int(float(s)) for s in args.sizes.split(",")])
    }
    if args.stream_samples > 0:
        n = int(args.stream_samples)
        print(f"\nstream of {n:.0e} samples through RainflowCounter (fresh process)...")
        out = subprocess.run(
            [sys.executable, __file__, "--stream-only", "--stream-samples", str(n)],
            capture_output=True,
            text=True,
            check=True,
        )
        s = json.loads(out.stdout.strip().splitlines()[-1])
        figures["stream"] = s
        print(
            f"  {s['samples']:.3e} samples counted in {s['counting_s']:.1f} s "
            f"({s['samples_per_s']:.3e} samples/s; {s['total_with_generation_s']:.1f} s with "
            f"generating the signal), peak memory {s['peak_rss_mb']:.0f} MB; damage "
            f"{s['damage']:.6g}, {s['matrix_cycles']:.6g} cycles in the matrix"
        )
    big = figures["sizes"].get("10000000") if isinstance(figures["sizes"], dict) else None
    if big:
        print("\ntargets at 1e7 samples:")
        print(f"  >= 40x the rainflow package: {big['speedup_vs_rainflow']:.1f}x")
        print(f"  within 4x of the np.diff floor: {big['times_floor']:.2f}x")
    if "stream" in figures:
        s = figures["stream"]
        assert isinstance(s, dict)
        print(f"  stream peak memory under 300 MB: {s['peak_rss_mb']:.0f} MB ({s['samples']:.0e})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
