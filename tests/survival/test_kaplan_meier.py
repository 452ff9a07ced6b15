"""Kaplan-Meier: hand-worked examples, edge cases, and lifelines' KaplanMeierFitter as oracle."""

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import KaplanMeierFitter

from osseo.survival import at_risk_table, kaplan_meier, median_survival_time, survival_at

from .cohorts import censored_follow_up, continuous_times

# Freireich et al. 1963, 6-MP arm (weeks to relapse, 0 = censored); the textbook example in
# Kleinbaum & Klein, Survival Analysis, 3rd ed., ch. 2.
SIX_MP_WEEKS = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
SIX_MP_RELAPSE = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]


def lifelines_fit(durations, events, alpha=0.05):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifelines' own numpy warnings (log of 0 and the like)
        return KaplanMeierFitter(alpha=alpha).fit(durations, events)


def test_the_six_mp_curve_equals_the_product_of_exact_fractions():
    result = kaplan_meier(SIX_MP_WEEKS, SIX_MP_RELAPSE)

    steps = {6: Fraction(18, 21), 7: Fraction(16, 17), 10: Fraction(14, 15), 13: Fraction(11, 12)}
    steps |= {16: Fraction(10, 11), 22: Fraction(6, 7), 23: Fraction(5, 6)}
    expected, running = [], Fraction(1)
    for t in result.time:
        running *= steps.get(int(t), Fraction(1))
        expected.append(float(running))

    assert result.time.tolist() == [0, 6, 7, 9, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 34, 35]
    assert result.survival == pytest.approx(expected, abs=1e-15)
    assert result.at_risk.tolist()[:5] == [21, 21, 17, 16, 15]
    assert result.events.tolist()[:5] == [0, 3, 1, 0, 1]
    assert result.censored.tolist()[:5] == [0, 1, 0, 1, 1]


def test_the_six_mp_bounds_are_the_published_log_log_intervals():
    # R survfit(conf.type = "log-log") on the same data prints these to three decimals.
    result = survival_at(kaplan_meier(SIX_MP_WEEKS, SIX_MP_RELAPSE), [6, 7, 10, 13, 16, 22, 23])

    assert np.round(result.survival, 3).tolist() == [
        0.857,
        0.807,
        0.753,
        0.690,
        0.627,
        0.538,
        0.448,
    ]
    assert np.round(result.lower, 3).tolist() == [0.620, 0.563, 0.503, 0.432, 0.368, 0.268, 0.188]
    assert np.round(result.upper, 3).tolist() == [0.952, 0.923, 0.889, 0.849, 0.805, 0.747, 0.680]


def test_the_first_bound_is_greenwood_in_log_log_form_worked_by_hand():
    result = kaplan_meier(SIX_MP_WEEKS, SIX_MP_RELAPSE)
    survival = 18 / 21
    greenwood = 3 / (21 * 18)
    spread = 1.959963984540054 * math.sqrt(greenwood) / abs(math.log(survival))

    assert result.lower[1] == pytest.approx(survival ** math.exp(spread), abs=1e-15)
    assert result.upper[1] == pytest.approx(survival ** math.exp(-spread), abs=1e-15)


def test_the_median_is_the_first_time_survival_reaches_one_half():
    assert median_survival_time(kaplan_meier(SIX_MP_WEEKS, SIX_MP_RELAPSE)) == 23.0
    assert median_survival_time(kaplan_meier([1, 2, 3, 4], [1, 1, 0, 0])) == 2.0
    assert median_survival_time(kaplan_meier([1, 2, 3], [1, 0, 0])) == math.inf


@settings(max_examples=150, deadline=None)
@given(censored_follow_up(), st.sampled_from([0.05, 0.1, 0.01]))
def test_it_equals_lifelines_on_data_with_ties_and_censoring(data, alpha):
    durations, events = data
    ours = kaplan_meier(durations, events, alpha=alpha)
    theirs = lifelines_fit(durations, events, alpha=alpha)
    bounds = theirs.confidence_interval_.to_numpy()

    assert ours.time.tolist() == theirs.timeline.tolist()
    np.testing.assert_allclose(
        ours.survival, theirs.survival_function_.iloc[:, 0], rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(ours.lower, bounds[:, 0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours.upper, bounds[:, 1], rtol=0, atol=1e-9)
    assert ours.at_risk.tolist() == theirs.event_table["at_risk"].tolist()
    assert ours.events.tolist() == theirs.event_table["observed"].tolist()
    assert ours.censored.tolist() == theirs.event_table["censored"].tolist()
    assert median_survival_time(ours) == theirs.median_survival_time_


@settings(max_examples=50, deadline=None)
@given(censored_follow_up(times=continuous_times))
def test_it_equals_lifelines_on_continuous_times(data):
    durations, events = data
    ours = kaplan_meier(durations, events)
    theirs = lifelines_fit(durations, events)
    bounds = theirs.confidence_interval_.to_numpy()

    np.testing.assert_allclose(
        ours.survival, theirs.survival_function_.iloc[:, 0], rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(ours.lower, bounds[:, 0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours.upper, bounds[:, 1], rtol=0, atol=1e-9)


@settings(max_examples=50, deadline=None)
@given(censored_follow_up(), st.lists(st.floats(0.0, 30.0), min_size=1, max_size=8))
def test_reading_the_curve_at_any_time_equals_lifelines(data, times):
    durations, events = data
    ours = survival_at(kaplan_meier(durations, events), times)
    theirs = lifelines_fit(durations, events).survival_function_at_times(times)

    np.testing.assert_allclose(ours.survival, theirs.to_numpy(), rtol=0, atol=1e-9)


def test_a_large_cohort_equals_lifelines():
    rng = np.random.default_rng(20240601)
    durations = np.round(rng.weibull(1.3, 20_000) * 3650)
    events = rng.random(20_000) < 0.3
    ours = kaplan_meier(durations, events)
    theirs = lifelines_fit(durations, events)
    bounds = theirs.confidence_interval_.to_numpy()

    np.testing.assert_allclose(
        ours.survival, theirs.survival_function_.iloc[:, 0], rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(ours.lower, bounds[:, 0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours.upper, bounds[:, 1], rtol=0, atol=1e-9)


def test_a_censoring_at_an_event_time_still_counts_as_at_risk_for_that_event():
    result = kaplan_meier([2, 2, 5], [1, 0, 1])

    assert result.time.tolist() == [0, 2, 5]
    assert result.at_risk.tolist() == [3, 3, 1]
    assert result.survival.tolist() == pytest.approx([1, 2 / 3, 0])


def test_events_at_time_zero_are_counted_at_time_zero():
    result = kaplan_meier([0, 0, 0, 4], [1, 1, 0, 1])

    assert result.time.tolist() == [0, 4]
    assert result.events.tolist() == [2, 1]
    assert result.at_risk.tolist() == [4, 1]
    assert result.survival.tolist() == pytest.approx([0.5, 0.0])


def test_when_everyone_is_censored_the_curve_stays_at_one_with_bounds_at_one():
    result = kaplan_meier([3, 1, 2], [0, 0, 0])

    assert result.time.tolist() == [0, 1, 2, 3]
    assert result.survival.tolist() == [1, 1, 1, 1]
    assert result.lower.tolist() == [1, 1, 1, 1]
    assert result.upper.tolist() == [1, 1, 1, 1]
    assert median_survival_time(result) == math.inf


def test_when_everyone_has_the_event_the_curve_ends_at_zero_with_bounds_at_zero():
    result = kaplan_meier([1, 2, 2, 3], [1, 1, 1, 1])

    assert result.survival.tolist() == pytest.approx([1, 0.75, 0.25, 0])
    assert result.lower[-1] == 0.0
    assert result.upper[-1] == 0.0
    assert np.all(result.lower <= result.survival)
    assert np.all(result.survival <= result.upper)


def test_a_single_subject_with_an_event_drops_the_curve_to_zero():
    result = kaplan_meier([2.5], [True])

    assert result.time.tolist() == [0, 2.5]
    assert result.survival.tolist() == [1, 0]
    assert result.lower.tolist() == [1, 0]
    assert result.upper.tolist() == [1, 0]
    assert result.subjects == 1


def test_a_single_censored_subject_leaves_the_curve_at_one():
    result = kaplan_meier([2.5], [False])

    assert result.survival.tolist() == [1, 1]
    assert result.total_events == 0


def test_an_empty_input_gives_a_one_point_curve_with_nobody_at_risk():
    result = kaplan_meier([], [])

    assert result.time.tolist() == [0]
    assert result.survival.tolist() == [1]
    assert result.lower.tolist() == [1]
    assert result.upper.tolist() == [1]
    assert result.at_risk.tolist() == [0]
    assert result.events.tolist() == [0]
    assert result.subjects == 0
    assert survival_at(result, [0, 5]).survival.tolist() == [1, 1]
    assert at_risk_table(result, [0, 5]).at_risk.tolist() == [0, 0]


@pytest.mark.parametrize(
    "events",
    [[True, False, True], [1, 0, 1], [1.0, 0.0, 1.0], np.array([1, 0, 1], dtype=np.uint8)],
)
def test_events_may_be_booleans_or_zeros_and_ones(events):
    result = kaplan_meier([1, 2, 3], events)

    assert result.events.tolist() == [0, 1, 0, 1]


def test_a_wider_alpha_gives_narrower_bounds():
    wide = kaplan_meier(SIX_MP_WEEKS, SIX_MP_RELAPSE, alpha=0.01)
    narrow = kaplan_meier(SIX_MP_WEEKS, SIX_MP_RELAPSE, alpha=0.2)

    assert np.all(wide.lower <= narrow.lower)
    assert np.all(wide.upper >= narrow.upper)
    assert narrow.alpha == 0.2


def test_the_result_cannot_be_changed():
    result = kaplan_meier([1, 2], [1, 0])

    with pytest.raises(ValueError, match="read-only"):
        result.survival[0] = 0.5
    with pytest.raises(AttributeError):
        result.alpha = 0.1  # type: ignore[misc]


def test_it_does_not_change_the_caller_s_arrays():
    durations = np.array([3.0, 1.0, 2.0])
    events = np.array([1, 0, 1])
    kaplan_meier(durations, events)

    assert durations.tolist() == [3.0, 1.0, 2.0]
    assert events.tolist() == [1, 0, 1]


@pytest.mark.parametrize(
    ("durations", "events", "message"),
    [
        ([1, 2, 3], [1, 0], "durations has 3, events has 2"),
        ([1, -2, 3], [1, 0, 1], "negative"),
        ([1, float("nan"), 3], [1, 0, 1], "NaN"),
        ([1, float("inf"), 3], [1, 0, 1], "infinite"),
        (["a", "b"], [1, 0], "must be numbers"),
        ([[1, 2]], [[1, 0]], "one-dimensional"),
        ([1, 2, 3], [1, 2, 0], "0 \\(censored\\) or 1 \\(event\\); found 2"),
        ([1, 2, 3], [1, 0.5, 0], "found 0.5"),
        ([1, 2, 3], [1, float("nan"), 0], "found nan"),
        ([1, 2], ["yes", "no"], "0/1 or True/False"),
    ],
)
def test_it_refuses_bad_input_with_a_clear_message(durations, events, message):
    with pytest.raises(ValueError, match=message):
        kaplan_meier(durations, events)


@pytest.mark.parametrize("alpha", [0, 1, -0.1, 1.5, None, "5%"])
def test_it_refuses_an_alpha_outside_zero_to_one(alpha):
    with pytest.raises(ValueError, match="alpha must be"):
        kaplan_meier([1, 2], [1, 0], alpha=alpha)


def test_reading_the_curve_uses_the_step_at_or_before_each_time():
    result = kaplan_meier([2, 2, 5], [1, 0, 1])
    read = survival_at(result, [-1, 0, 1.99, 2, 4.5, 5, 100])

    assert read.time.tolist() == [-1, 0, 1.99, 2, 4.5, 5, 100]
    assert read.survival.tolist() == pytest.approx([1, 1, 1, 2 / 3, 2 / 3, 0, 0])
    assert read.lower[0] == 1.0
    assert read.upper[0] == 1.0
    assert survival_at(result, 2).survival.tolist() == pytest.approx([2 / 3])


def test_reading_the_curve_at_nan_is_refused():
    with pytest.raises(ValueError, match="NaN"):
        survival_at(kaplan_meier([1], [1]), [float("nan")])


def test_the_at_risk_table_counts_those_still_followed_after_each_tick():
    table = at_risk_table(kaplan_meier(SIX_MP_WEEKS, SIX_MP_RELAPSE), [0, 10, 20, 30, 40])

    assert table.at_risk.tolist() == [21, 13, 7, 4, 0]
    assert table.events.tolist() == [0, 5, 7, 9, 9]
    assert table.censored.tolist() == [0, 3, 7, 8, 12]


@settings(max_examples=50, deadline=None)
@given(censored_follow_up(), st.lists(st.floats(0.0, 30.0), min_size=1, max_size=8))
def test_the_at_risk_table_adds_up_to_everyone(data, times):
    durations, events = data
    table = at_risk_table(kaplan_meier(durations, events), times)

    assert (table.at_risk + table.events + table.censored == durations.size).all()
    for t, at_risk, observed in zip(times, table.at_risk, table.events, strict=True):
        assert at_risk == (durations > t).sum()
        assert observed == (events & (durations <= t)).sum()
