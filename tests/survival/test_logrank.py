"""The log-rank test, two groups and k groups, with lifelines.statistics as oracle."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import statistics as lifelines_statistics

from osseo.survival import logrank_test, multivariate_logrank_test

from .cohorts import censored_follow_up

# The example in lifelines' logrank_test docstring.
T1, E1 = [1, 4, 10, 12, 12, 3, 5.4], [1, 0, 1, 0, 1, 1, 1]
T2, E2 = [4, 5, 7, 11, 14, 20, 8, 8], [1, 1, 1, 1, 1, 1, 1, 1]


def assert_same_test(ours, theirs):
    assert ours.test_statistic == pytest.approx(theirs.test_statistic, rel=1e-9, abs=1e-9)
    assert ours.p_value == pytest.approx(theirs.p_value, rel=1e-9, abs=1e-9)
    assert ours.degrees_of_freedom == theirs.degrees_of_freedom


def test_the_lifelines_docstring_example_gives_its_printed_figures():
    result = logrank_test(T1, E1, T2, E2)

    assert result.test_statistic == pytest.approx(0.0872, abs=1e-4)
    assert result.p_value == pytest.approx(0.7676, abs=1e-4)
    assert result.degrees_of_freedom == 1
    assert result.groups.tolist() == ["a", "b"]
    assert result.observed.tolist() == [5, 8]
    assert result.expected.sum() == pytest.approx(13)


def test_a_hand_worked_two_by_two_example():
    # One event at t=1 among 2 at risk in A and 2 in B: O_A = 1, E_A = 1/2,
    # V = 1 * (4 - 1) / (4 - 1) * 2 * 2 / 4^2 = 1/4, so the statistic is (1/2)^2 / (1/4) = 1.
    result = logrank_test([1, 2], [1, 0], [2, 2], [0, 0])

    assert result.expected.tolist() == pytest.approx([0.5, 0.5])
    assert result.test_statistic == pytest.approx(1.0, abs=1e-15)
    assert result.p_value == pytest.approx(0.31731050786291415, abs=1e-15)


@settings(max_examples=100, deadline=None)
@given(censored_follow_up(max_subjects=40), censored_follow_up(max_subjects=40))
def test_two_groups_equal_lifelines(first, second):
    (durations_a, events_a), (durations_b, events_b) = first, second
    ours = logrank_test(durations_a, events_a, durations_b, events_b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = lifelines_statistics.logrank_test(durations_a, durations_b, events_a, events_b)

    assert_same_test(ours, theirs)


@settings(max_examples=60, deadline=None)
@given(censored_follow_up(max_subjects=80), st.data())
def test_k_groups_equal_lifelines(cohort, data):
    durations, events = cohort
    groups = np.array(
        data.draw(
            st.lists(st.sampled_from("ABCDE"), min_size=durations.size, max_size=durations.size)
        )
    )
    if np.unique(groups).size < 2:
        with pytest.raises(ValueError, match="at least two groups"):
            multivariate_logrank_test(durations, groups, events)
        return
    ours = multivariate_logrank_test(durations, groups, events)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = lifelines_statistics.multivariate_logrank_test(durations, groups, events)

    assert_same_test(ours, theirs)
    assert ours.observed.sum() == pytest.approx(ours.expected.sum())


def test_a_large_four_group_comparison_equals_lifelines():
    rng = np.random.default_rng(11)
    groups = rng.integers(0, 4, 20_000)
    durations = np.round(rng.exponential(1000 * (1 + groups / 10)))
    events = rng.random(20_000) < 0.4
    ours = multivariate_logrank_test(durations, groups, events)
    theirs = lifelines_statistics.multivariate_logrank_test(durations, groups, events)

    assert_same_test(ours, theirs)
    assert ours.groups.tolist() == [0, 1, 2, 3]


def test_identical_groups_give_a_statistic_of_zero_and_a_p_value_of_one():
    result = logrank_test(T1, E1, T1, E1)

    assert result.test_statistic == pytest.approx(0, abs=1e-15)
    assert result.p_value == pytest.approx(1)


def test_without_any_event_the_statistic_is_zero_and_the_p_value_one():
    result = logrank_test([1, 2], [0, 0], [3], [0])

    assert result.test_statistic == 0
    assert result.p_value == 1


def test_an_empty_group_is_refused():
    with pytest.raises(ValueError, match="Each group needs at least one subject"):
        logrank_test([], [], [1, 2], [1, 0])


def test_mismatched_lengths_name_the_group():
    with pytest.raises(ValueError, match="durations_b has 2, events_b has 1"):
        logrank_test([1], [1], [1, 2], [1])


def test_a_single_group_is_refused():
    with pytest.raises(ValueError, match="at least two groups; got 1"):
        multivariate_logrank_test([1, 2, 3], ["x", "x", "x"], [1, 0, 1])
