"""Aalen-Johansen cumulative incidence: hand-worked cases, identities, lifelines as oracle."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import AalenJohansenFitter

from osseo.survival import cumulative_incidence, incidence_at, kaplan_meier

from .cohorts import competing_follow_up

REVISION, DEATH = 1, 2


def lifelines_fit(durations, codes, cause, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return AalenJohansenFitter(**options).fit(durations, codes, cause)


def test_a_hand_worked_cohort_with_a_competing_death():
    # t=1 revision (5 at risk), t=2 death (4), t=3 censored, t=4 revision (2), t=5 censored.
    result = cumulative_incidence([1, 2, 3, 4, 5], [1, 2, 0, 1, 0], REVISION)

    assert result.time.tolist() == [0, 1, 2, 3, 4, 5]
    assert result.at_risk.tolist() == [5, 5, 4, 3, 2, 1]
    assert result.events.tolist() == [0, 1, 0, 0, 1, 0]
    assert result.competing_events.tolist() == [0, 0, 1, 0, 0, 0]
    assert result.censored.tolist() == [0, 0, 0, 1, 0, 1]
    # F(4) = 1/5 + S(4-) * 1/2 with S(4-) = 4/5 * 3/4 = 3/5.
    assert result.incidence.tolist() == pytest.approx([0, 0.2, 0.2, 0.2, 0.5, 0.5], abs=1e-15)


@settings(max_examples=80, deadline=None)
@given(competing_follow_up(), st.integers(1, 3), st.sampled_from([0.05, 0.1]))
def test_it_equals_lifelines_on_continuous_times(data, cause, alpha):
    durations, codes = data
    ours = cumulative_incidence(durations, codes, cause, alpha=alpha)
    theirs = lifelines_fit(durations, codes, cause, alpha=alpha)

    assert ours.time.tolist() == theirs.timeline.tolist()
    np.testing.assert_allclose(
        ours.incidence, theirs.cumulative_density_.iloc[:, 0], rtol=0, atol=1e-9
    )
    variance = theirs.variance_.to_numpy()
    finite = np.isfinite(variance)
    np.testing.assert_allclose(ours.variance[finite], variance[finite], rtol=0, atol=1e-9)
    # lifelines labels its lower bound "upper" and the other way round; compare as pairs.
    bounds = np.sort(theirs.confidence_interval_.to_numpy(), axis=1)
    finite = np.isfinite(bounds).all(axis=1)
    np.testing.assert_allclose(ours.lower[finite], bounds[finite, 0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours.upper[finite], bounds[finite, 1], rtol=0, atol=1e-9)


def test_tied_events_of_different_causes_equal_lifelines_jittered_estimate_between_ties():
    # Events fall on whole days, censorings on half days, so lifelines' jitter (1e-4) moves no
    # event past a censoring and its estimate between days is the tie-free one.
    rng = np.random.default_rng(7)
    durations = rng.integers(1, 30, 400).astype(float)
    codes = rng.integers(0, 3, 400)
    durations[codes == 0] += 0.5
    ours = cumulative_incidence(durations, codes, REVISION)
    theirs = lifelines_fit(durations, codes, REVISION, seed=3)
    between = np.arange(1, 31) + 0.25

    np.testing.assert_allclose(
        incidence_at(ours, between).incidence,
        theirs.predict(between).to_numpy(),
        rtol=0,
        atol=1e-9,
    )


@settings(max_examples=60, deadline=None)
@given(competing_follow_up(tie_free=False))
def test_the_incidences_of_all_causes_add_up_to_one_minus_overall_survival(data):
    durations, codes = data
    overall = kaplan_meier(durations, codes != 0)
    total = sum(cumulative_incidence(durations, codes, cause).incidence for cause in (1, 2, 3))

    np.testing.assert_allclose(total, 1 - overall.survival, rtol=0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(competing_follow_up(tie_free=False, causes=1))
def test_with_a_single_cause_the_incidence_is_one_minus_kaplan_meier(data):
    durations, codes = data
    result = cumulative_incidence(durations, codes, 1)
    overall = kaplan_meier(durations, codes)

    np.testing.assert_allclose(result.incidence, 1 - overall.survival, rtol=0, atol=1e-12)
    assert np.all(result.lower <= result.incidence + 1e-15)
    assert np.all(result.incidence <= result.upper + 1e-15)
    assert np.all((result.lower >= 0) & (result.upper <= 1))


def test_events_at_time_zero_count_unlike_lifelines():
    result = cumulative_incidence([0, 0, 3, 4], [1, 2, 1, 0], REVISION)

    assert result.time.tolist() == [0, 3, 4]
    assert result.incidence.tolist() == pytest.approx([0.25, 0.5, 0.5])


def test_a_cause_that_never_happens_has_zero_incidence_and_zero_bounds():
    result = cumulative_incidence([1, 2, 3], [2, 0, 2], REVISION)

    assert result.incidence.tolist() == [0, 0, 0, 0]
    assert result.lower.tolist() == [0, 0, 0, 0]
    assert result.upper.tolist() == [0, 0, 0, 0]


def test_when_everyone_has_the_event_of_interest_the_incidence_ends_at_one():
    result = cumulative_incidence([1, 2, 3], [1, 1, 1], REVISION)

    assert result.incidence.tolist() == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert result.lower[-1] == result.upper[-1] == pytest.approx(1.0)
    assert np.isfinite(result.variance).all()


def test_an_empty_input_gives_a_one_point_curve_with_nobody_at_risk():
    result = cumulative_incidence([], [], REVISION)

    assert result.time.tolist() == [0]
    assert result.incidence.tolist() == [0]
    assert result.at_risk.tolist() == [0]
    assert result.subjects == 0


def test_reading_the_curve_uses_the_step_at_or_before_each_time():
    result = cumulative_incidence([1, 2, 3, 4, 5], [1, 2, 0, 1, 0], REVISION)
    read = incidence_at(result, [-1, 0, 1, 3.9, 4, 99])

    assert read.incidence.tolist() == pytest.approx([0, 0, 0.2, 0.2, 0.5, 0.5])


@pytest.mark.parametrize(
    ("codes", "cause", "message"),
    [
        ([1, 0], REVISION, "durations has 3, event_codes has 2"),
        ([1, -1, 0], REVISION, "must not be negative"),
        ([1, 0.5, 0], REVISION, "whole numbers"),
        ([1, float("nan"), 0], REVISION, "NaN"),
        (["a", "b", "c"], REVISION, "whole numbers"),
        ([1, 0, 2], 0, "event_of_interest must be a positive whole number"),
        ([1, 0, 2], 1.5, "event_of_interest must be a positive whole number"),
        ([1, 0, 2], None, "event_of_interest must be a positive whole number"),
        ([1, 0, 2], "death", "event_of_interest must be a positive whole number"),
    ],
)
def test_it_refuses_bad_input_with_a_clear_message(codes, cause, message):
    with pytest.raises(ValueError, match=message):
        cumulative_incidence([1, 2, 3], codes, cause)


@pytest.mark.parametrize(
    ("durations", "codes"),
    [
        ([], []),
        ([0, 0, 0], [1, 2, 1]),
        ([1, 2, 3], [1, 1, 1]),
        ([5], [0]),
        ([1e-3] + [5] * 200, [1] + [2] * 200),
        (np.arange(1, 2001) / 7, np.tile([1, 2, 0, 0], 500)),
    ],
)
def test_edge_cases_raise_no_numpy_warnings(durations, codes):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cumulative_incidence(durations, codes, REVISION)
        kaplan_meier(durations, np.asarray(codes) != 0)
