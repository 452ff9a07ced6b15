"""RainflowCounter: any chunking gives exactly the whole-signal cycles, damage and matrix."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import gait_like, quantised_walks, same_cycles, signals, small_ints
from hypothesis import given, settings
from hypothesis import strategies as st

from osseo.fatigue import (
    DamageAccumulator,
    FatigueInputError,
    HistogramAccumulator,
    LargestCycles,
    RainflowCounter,
    SNCurve,
    histogram,
    miner_damage,
    rainflow,
)
from osseo.fatigue.synthetic import gait_signal


def chunks(x: np.ndarray, cuts: list[int]) -> list[np.ndarray]:
    return np.split(x, sorted(min(c, x.shape[0]) for c in cuts))


@settings(max_examples=300, deadline=None)
@given(signals, st.lists(st.integers(0, 3000), max_size=12), st.integers(1, 70))
def test_streaming_equals_whole_signal_for_any_chunking(x, cuts, block):
    counter = RainflowCounter(block=block)
    for part in chunks(x, cuts):
        counter.feed(part)
    assert same_cycles(counter.result(), rainflow(x))
    assert counter.samples == x.shape[0]


@settings(max_examples=150, deadline=None)
@given(
    gait_like() | quantised_walks | small_ints,
    st.lists(st.integers(0, 3000), max_size=8),
    st.sampled_from([0.5, 2.0, 25.0]),
)
def test_streaming_with_hysteresis_equals_whole_signal(x, cuts, h):
    counter = RainflowCounter(h, block=97)
    for part in chunks(x, cuts):
        counter.feed(part)
    assert same_cycles(counter.result(), rainflow(x, h))


@settings(max_examples=150, deadline=None)
@given(gait_like() | quantised_walks, st.lists(st.integers(0, 3000), max_size=8))
def test_accumulated_damage_matrix_and_largest_equal_the_whole_signals_exactly(x, cuts):
    curve = SNCurve(m=3.7, reference_range=300.0, cycles_at_reference=1e6)
    edges_r, edges_m = np.linspace(0, 1500, 16), np.linspace(-200, 1300, 11)
    damage = DamageAccumulator(curve)
    matrix = HistogramAccumulator(edges_r, edges_m)
    top = LargestCycles(5)
    counter = RainflowCounter(keep_cycles=False, sinks=(damage, matrix, top), block=211)
    for part in chunks(x, cuts):
        counter.feed(part)
    residue = counter.residue()
    whole = rainflow(x)
    assert damage.damage(residue) == miner_damage(
        whole, m=3.7, reference_range=300.0, cycles_at_reference=1e6
    )
    assert np.array_equal(matrix.matrix(residue).counts, histogram(whole, edges_r, edges_m).counts)
    assert same_cycles(top.cycles(residue), whole.largest(5))


def test_result_can_be_taken_mid_stream_and_the_stream_goes_on():
    x = gait_signal(20_000, seed=3)
    counter = RainflowCounter()
    counter.feed(x[:7_000])
    assert same_cycles(counter.result(), rainflow(x[:7_000]))
    counter.feed(x[7_000:])
    assert same_cycles(counter.result(), rainflow(x))


def test_a_large_chunk_through_the_parallel_pipeline_equals_small_chunks():
    x = gait_signal(600_000, seed=4)
    big = RainflowCounter()
    big.feed(x)
    small = RainflowCounter(block=4096)
    for part in np.array_split(x, 37):
        small.feed(part)
    assert same_cycles(big.result(), small.result())
    assert same_cycles(big.result(), rainflow(x))


def test_memory_without_kept_cycles_does_not_grow_with_the_stream():
    counter = RainflowCounter(keep_cycles=False, sinks=(DamageAccumulator(SNCurve(3, 500)),))
    for seed in range(5):
        counter.feed(gait_signal(100_000, seed=seed))
    stack_capacity = counter._st_i.shape[0]
    for seed in range(5, 15):
        counter.feed(gait_signal(100_000, seed=seed))
    assert counter._st_i.shape[0] == stack_capacity
    assert counter._parts == []


def test_a_nan_in_a_later_chunk_is_reported_with_its_index_in_the_whole_signal():
    counter = RainflowCounter()
    counter.feed(np.arange(10.0))
    with pytest.raises(FatigueInputError, match="sample 13 is nan") as err:
        counter.feed(np.array([1.0, 2.0, 3.0, np.nan, 4.0]))
    assert err.value.sample == 13


def test_a_counter_that_keeps_no_cycles_refuses_to_return_them():
    counter = RainflowCounter(keep_cycles=False)
    counter.feed([0.0, 1.0, 0.0])
    with pytest.raises(FatigueInputError, match="keep_cycles"):
        counter.result()


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_can_still_count_long_signals():
    import multiprocessing

    x = gait_signal(300_000, seed=8)
    expected = rainflow(x)  # starts the worker thread in this process
    with multiprocessing.get_context("fork").Pool(1) as pool:
        starts = pool.apply_async(_count_starts, (x,)).get(timeout=60)
    assert starts == expected.start.tolist()


def _count_starts(x: np.ndarray) -> list[int]:
    return rainflow(x).start.tolist()


@pytest.mark.parametrize("threads", ["1", "2"])
def test_one_and_two_threads_count_a_long_signal_like_the_oracle(threads):
    import os
    import subprocess
    import sys

    code = (
        "import numpy as np, rainflow as oracle\n"
        "from osseo.fatigue import rainflow, RainflowCounter\n"
        "from osseo.fatigue.synthetic import gait_signal\n"
        "x = gait_signal(400_000, seed=9)\n"
        "c = rainflow(x)\n"
        "mine = list(zip(c.range.tolist(), c.mean.tolist(), c.count.tolist(),\n"
        "                c.start.tolist(), c.end.tolist()))\n"
        "assert mine == [(float(r), float(m), float(n), int(s), int(e))\n"
        "                for r, m, n, s, e in oracle.extract_cycles(x.tolist())]\n"
        "k = RainflowCounter()\n"
        "k.feed(x[:250_000]); k.feed(x[250_000:])\n"
        "assert k.result().start.tolist() == c.start.tolist()\n"
    )
    env = {**os.environ, "OSSEO_FATIGUE_THREADS": threads}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
