"""Kaplan-Meier survival with Greenwood confidence bounds in the log(-log) form.

The estimate, its timeline and its bounds follow lifelines' `KaplanMeierFitter` (0.30):

- timeline: 0, then every distinct observed time (events and censorings);
- S(t) = exp(sum_{t_i <= t} [log(n_i - d_i) - log(n_i)]), n_i at risk (follow-up >= t_i)
  and d_i events at t_i, so a censoring at t_i counts as at risk for the events at t_i;
- Greenwood: V(t) = sum_{t_i <= t} d_i / (n_i (n_i - d_i)), the term taken as 0 where
  n_i = d_i (lifelines does the same);
- bounds, the "exponential Greenwood" or log(-log) form (Kalbfleisch & Prentice 2002, §1.4;
  lifelines `KaplanMeierFitter._bounds`): with c = z sqrt(V) / |log S|,
  lower = S ** exp(c), upper = S ** exp(-c); both are 1 where S = 1 and 0 where S = 0.
"""

import math
from dataclasses import dataclass

import numpy as np

from osseo.survival.distributions import normal_quantile
from osseo.survival.event_table import frozen, step_index, tabulate
from osseo.survival.inputs import (
    ArrayLike,
    FloatArray,
    IntArray,
    confidence_alpha,
    durations_array,
    event_flags,
    query_times,
    same_length,
)


@dataclass(frozen=True, eq=False)
class KaplanMeier:
    """A Kaplan-Meier curve; each array has one entry per point of the timeline."""

    time: FloatArray  # 0, then every distinct observed time, ascending
    survival: FloatArray  # S(t), right-continuous: includes the events at t
    lower: FloatArray  # lower confidence bound of S(t)
    upper: FloatArray  # upper confidence bound of S(t)
    at_risk: IntArray  # subjects with follow-up >= t
    events: IntArray  # events at exactly t
    censored: IntArray  # censorings at exactly t
    alpha: float  # bounds are (1 - alpha) two-sided

    @property
    def subjects(self) -> int:
        """How many subjects the curve was estimated from (0 for an empty input)."""
        return int(self.at_risk[0])

    @property
    def total_events(self) -> int:
        return int(self.events.sum())


@dataclass(frozen=True, eq=False)
class SurvivalAt:
    """The curve read off at chosen times (a step function: the value at the last t_i <= t)."""

    time: FloatArray
    survival: FloatArray
    lower: FloatArray
    upper: FloatArray


@dataclass(frozen=True, eq=False)
class AtRiskTable:
    """Counts for the table under a survival chart, as lifelines' `add_at_risk_counts` prints.

    `at_risk` is the number still followed after t (follow-up > t); `events` and `censored`
    are cumulative up to and including t, so at_risk + events + censored = subjects.
    """

    time: FloatArray
    at_risk: IntArray
    events: IntArray
    censored: IntArray


def kaplan_meier(durations: ArrayLike, events: ArrayLike, *, alpha: float = 0.05) -> KaplanMeier:
    """Estimate S(t) from right-censored follow-up, as lifelines' `KaplanMeierFitter` does.

    `durations` are follow-up times (>= 0, finite); `events` are 1/True for the event and
    0/False for censoring. An empty input is not an error: it gives the one-point curve
    time=[0], survival=lower=upper=[1], at_risk=[0], so a caller can check `subjects` and say
    there are too few patients.
    """
    alpha = confidence_alpha(alpha)
    durations = durations_array(durations)
    observed = event_flags(events)
    same_length(durations=durations, events=observed)

    table = tabulate(durations, observed)
    (deaths,) = table.counts
    at_risk = table.at_risk
    survivors = at_risk - deaths

    with np.errstate(divide="ignore", invalid="ignore"):
        log_steps = np.where(deaths > 0, np.log(survivors) - np.log(at_risk), 0.0)
        greenwood_terms = np.where(survivors > 0, deaths / (at_risk * survivors), 0.0)
    log_survival = np.cumsum(log_steps)
    survival = np.exp(log_survival)
    greenwood = np.cumsum(greenwood_terms)
    lower, upper = log_log_bounds(survival, log_survival, greenwood, alpha)

    return KaplanMeier(
        time=frozen(table.time),
        survival=frozen(survival),
        lower=frozen(lower),
        upper=frozen(upper),
        at_risk=frozen(at_risk),
        events=frozen(deaths),
        censored=frozen(table.removed - deaths),
        alpha=alpha,
    )


def log_log_bounds(
    survival: FloatArray, log_survival: FloatArray, variance_of_log: FloatArray, alpha: float
) -> tuple[FloatArray, FloatArray]:
    """Bounds S ** exp(+-z sqrt(V) / |log S|), with the limits 1 at S = 1 and 0 at S = 0."""
    z = normal_quantile(1 - alpha / 2)
    inside = (survival > 0) & (survival < 1)
    # A wide spread overflows exp() to inf, which gives the right limit (a bound of 0).
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        spread = np.where(inside, z * np.sqrt(variance_of_log) / np.abs(log_survival), 0.0)
        lower = np.where(inside, np.exp(log_survival * np.exp(spread)), survival)
        upper = np.where(inside, np.exp(log_survival * np.exp(-spread)), survival)
    return lower, upper


def survival_at(result: KaplanMeier, times: ArrayLike) -> SurvivalAt:
    """Read S(t) and its bounds at `times`; before 0 they are 1, after the last time they stay.

    Like lifelines' `survival_function_at_times`, the curve is carried flat past the last
    observed time; read `result.time[-1]` to know where the data end. Before time 0 lifelines
    gives NaN; here it is 1, since nobody has had the event yet.
    """
    query = query_times(times)
    index = step_index(result.time, query)
    before_start = index < 0
    index = np.maximum(index, 0)

    def pick(values: FloatArray) -> FloatArray:
        return frozen(np.where(before_start, 1.0, values[index]))

    return SurvivalAt(
        time=frozen(query),
        survival=pick(result.survival),
        lower=pick(result.lower),
        upper=pick(result.upper),
    )


def at_risk_table(result: KaplanMeier, times: ArrayLike) -> AtRiskTable:
    """Numbers at risk, events and censorings at chart ticks (see `AtRiskTable`)."""
    query = query_times(times)
    index = step_index(result.time, query)
    events_so_far = np.concatenate(([0], np.cumsum(result.events)))
    censored_so_far = np.concatenate(([0], np.cumsum(result.censored)))
    events = events_so_far[index + 1]
    censored = censored_so_far[index + 1]
    at_risk = result.subjects - events - censored
    return AtRiskTable(
        time=frozen(query),
        at_risk=frozen(at_risk),
        events=frozen(events),
        censored=frozen(censored),
    )


def median_survival_time(result: KaplanMeier) -> float:
    """The first time at which S(t) <= 0.5, or infinity if the curve never gets there.

    This is lifelines' `median_survival_time_` (`qth_survival_time(0.5, ...)`).
    """
    reached = np.flatnonzero(result.survival <= 0.5)
    return float(result.time[reached[0]]) if reached.size else math.inf
