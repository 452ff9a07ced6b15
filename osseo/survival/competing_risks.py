"""Cumulative incidence of one cause in the presence of competing causes (Aalen-Johansen).

With n_i at risk at t_i, d_i events of any cause and d_ki events of the cause of interest,
and S the all-cause Kaplan-Meier curve:

    F_k(t) = sum_{t_i <= t} S(t_{i-1}) d_ki / n_i.

The timeline and the variance follow lifelines' `AalenJohansenFitter` (0.30), which takes the
variance from Collett, *Modelling Survival Data in Medical Research*, 3rd ed., p. 411:

    Var F_k(t) = sum_{t_i <= t} [ (F_k(t) - F_k(t_i))^2 d_i / (n_i (n_i - d_i))
                                  + S(t_{i-1})^2 d_ki (n_i - d_ki) / n_i^3
                                  - 2 (F_k(t) - F_k(t_i)) S(t_{i-1}) d_ki / n_i^2 ],

and the bounds from it by the delta method on log(-log F):
lower = F ** exp(z se), upper = F ** exp(-z se), se = sqrt(Var) / (F |log F|).

Ties. The formula above treats events tied at t_i together, which is the standard
Aalen-Johansen estimator; it equals what one gets by breaking the tie in any order, so no
jitter is needed. lifelines instead jitters tied event times of different causes by a random
amount; when no censoring or other time lies inside the jitter, its point estimate at times
away from the tie equals ours.

Where this differs from lifelines, on purpose:
- events at time 0 count (F(0) = d_k(0) / n); lifelines sets F(0) to 0 and drops them;
- where n_i = d_i the first variance term is taken as 0 (its weight (F(t) - F(t_i))^2 is 0
  at the last time, which this is), where lifelines gives NaN;
- where F = 0 the bounds are 0, and where F = 1 they are 1, where lifelines gives NaN.
"""

from dataclasses import dataclass

import numpy as np

from osseo.survival.distributions import normal_quantile
from osseo.survival.event_table import frozen, step_index, tabulate
from osseo.survival.inputs import (
    ArrayLike,
    FloatArray,
    IntArray,
    cause_code,
    confidence_alpha,
    durations_array,
    event_codes_array,
    query_times,
    same_length,
)


@dataclass(frozen=True, eq=False)
class CumulativeIncidence:
    """An Aalen-Johansen curve for one cause; one entry per point of the timeline."""

    time: FloatArray  # 0, then every distinct observed time, ascending
    incidence: FloatArray  # F_k(t), right-continuous: includes events at t
    lower: FloatArray  # lower confidence bound of F_k(t)
    upper: FloatArray  # upper confidence bound of F_k(t)
    variance: FloatArray  # Var F_k(t) as above
    at_risk: IntArray  # subjects with follow-up >= t
    events: IntArray  # events of the cause of interest at exactly t
    competing_events: IntArray  # events of any other cause at exactly t
    censored: IntArray  # censorings at exactly t
    event_of_interest: int
    alpha: float

    @property
    def subjects(self) -> int:
        """How many subjects the curve was estimated from (0 for an empty input)."""
        return int(self.at_risk[0])


@dataclass(frozen=True, eq=False)
class IncidenceAt:
    """The curve read off at chosen times (the value at the last t_i <= t; 0 before 0)."""

    time: FloatArray
    incidence: FloatArray
    lower: FloatArray
    upper: FloatArray


def cumulative_incidence(
    durations: ArrayLike,
    event_codes: ArrayLike,
    event_of_interest: int,
    *,
    alpha: float = 0.05,
) -> CumulativeIncidence:
    """Estimate the cumulative incidence of `event_of_interest` with competing causes.

    `event_codes` hold 0 for censored and a positive whole number for each cause; every
    cause other than `event_of_interest` competes. An empty input gives the one-point curve
    time=[0], incidence=[0], at_risk=[0].
    """
    alpha = confidence_alpha(alpha)
    durations = durations_array(durations)
    codes = event_codes_array(event_codes)
    same_length(durations=durations, event_codes=codes)
    cause = cause_code(event_of_interest)

    table = tabulate(durations, codes != 0, codes == cause)
    any_cause, of_interest = table.counts
    n = table.at_risk.astype(np.float64)
    survivors = n - any_cause

    with np.errstate(divide="ignore", invalid="ignore"):
        log_steps = np.where(any_cause > 0, np.log(survivors) - np.log(n), 0.0)
    survival = np.exp(np.cumsum(log_steps))
    lagged_survival = np.concatenate(([1.0], survival[:-1]))

    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(of_interest > 0, of_interest / n, 0.0)
    incidence = np.minimum(np.cumsum(lagged_survival * hazard), 1.0)  # no rounding past 1
    variance = _collett_variance(incidence, lagged_survival, n, any_cause, of_interest)
    lower, upper = _log_log_bounds(incidence, variance, alpha)

    return CumulativeIncidence(
        time=frozen(table.time),
        incidence=frozen(incidence),
        lower=frozen(lower),
        upper=frozen(upper),
        variance=frozen(variance),
        at_risk=frozen(table.at_risk),
        events=frozen(of_interest),
        competing_events=frozen(any_cause - of_interest),
        censored=frozen(table.removed - any_cause),
        event_of_interest=cause,
        alpha=alpha,
    )


def _collett_variance(
    incidence: FloatArray,
    lagged_survival: FloatArray,
    n: FloatArray,
    any_cause: IntArray,
    of_interest: IntArray,
) -> FloatArray:
    """Collett's variance, each sum over i <= j expanded in powers of F(t_j) (prefix sums)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        survivors = n - any_cause
        a = np.where(survivors > 0, any_cause / (n * survivors), 0.0)
        b = np.where(n > 0, lagged_survival**2 * of_interest * (n - of_interest) / n**3, 0.0)
        c = np.where(n > 0, lagged_survival * of_interest / n**2, 0.0)
    f = incidence
    quadratic = f**2 * np.cumsum(a) - 2 * f * np.cumsum(a * f) + np.cumsum(a * f**2)
    cross = f * np.cumsum(c) - np.cumsum(c * f)
    variance = quadratic + np.cumsum(b) - 2 * cross
    return np.maximum(variance, 0.0)


def _log_log_bounds(
    incidence: FloatArray, variance: FloatArray, alpha: float
) -> tuple[FloatArray, FloatArray]:
    z = normal_quantile(1 - alpha / 2)
    inside = (incidence > 0) & (incidence < 1)
    # A wide spread overflows exp() to inf, which gives the right limit (a bound of 0).
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_f = np.log(incidence)
        spread = np.where(inside, z * np.sqrt(variance) / (incidence * np.abs(log_f)), 0.0)
        lower = np.where(inside, np.exp(log_f * np.exp(spread)), incidence)
        upper = np.where(inside, np.exp(log_f * np.exp(-spread)), incidence)
    return lower, upper


def incidence_at(result: CumulativeIncidence, times: ArrayLike) -> IncidenceAt:
    """Read F_k(t) and its bounds at `times`; 0 before time 0, flat after the last time."""
    query = query_times(times)
    index = step_index(result.time, query)
    before_start = index < 0
    index = np.maximum(index, 0)

    def pick(values: FloatArray) -> FloatArray:
        return frozen(np.where(before_start, 0.0, values[index]))

    return IncidenceAt(
        time=frozen(query),
        incidence=pick(result.incidence),
        lower=pick(result.lower),
        upper=pick(result.upper),
    )
