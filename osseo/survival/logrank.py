"""The log-rank test that survival differs between groups, as lifelines.statistics computes it.

At each distinct time t_i with n_i at risk and d_i events overall, group j with n_ij at risk
expects E_ij = n_ij d_i / n_i events. With Z_j = sum_i (O_ij - E_ij) and the hypergeometric
covariance

    V_jl = sum_i d_i (n_i - d_i) / (n_i - 1) * n_ij (delta_jl n_i - n_il) / n_i^2,

the statistic is Z' V^+ Z over the first k - 1 groups (V^+ the pseudo-inverse, so a group with
no one at risk at any event time does not break the test), chi-square with k - 1 degrees of
freedom under the null (Mantel 1966; Peto & Peto 1972). The unweighted test only: lifelines'
Wilcoxon, Tarone-Ware, Peto and Fleming-Harrington weightings are not offered.
"""

from dataclasses import dataclass

import numpy as np

from osseo.survival.distributions import chi_square_sf
from osseo.survival.event_table import frozen
from osseo.survival.inputs import (
    ArrayLike,
    FloatArray,
    durations_array,
    event_flags,
    same_length,
)


@dataclass(frozen=True, eq=False)
class LogrankResult:
    """A log-rank test; `observed` and `expected` have one entry per group, in `groups` order."""

    test_statistic: float
    p_value: float
    degrees_of_freedom: int
    groups: np.ndarray  # the group labels, sorted
    observed: FloatArray  # events seen in each group
    expected: FloatArray  # events expected in each group if survival were the same


def logrank_test(
    durations_a: ArrayLike,
    events_a: ArrayLike,
    durations_b: ArrayLike,
    events_b: ArrayLike,
) -> LogrankResult:
    """Test whether survival differs between group A and group B (groups labelled "a", "b")."""
    first = durations_array(durations_a, name="durations_a")
    second = durations_array(durations_b, name="durations_b")
    first_events = event_flags(events_a, name="events_a")
    second_events = event_flags(events_b, name="events_b")
    same_length(durations_a=first, events_a=first_events)
    same_length(durations_b=second, events_b=second_events)
    if first.size == 0 or second.size == 0:
        raise ValueError("Each group needs at least one subject to compare survival.")
    groups = np.repeat(np.array(["a", "b"]), [first.size, second.size])
    return multivariate_logrank_test(
        np.concatenate((first, second)), groups, np.concatenate((first_events, second_events))
    )


def multivariate_logrank_test(
    durations: ArrayLike, groups: ArrayLike, events: ArrayLike
) -> LogrankResult:
    """Test whether survival differs between any of k >= 2 groups (labels of any kind)."""
    times = durations_array(durations)
    labels = np.asarray(groups)
    observed_flags = event_flags(events)
    if labels.ndim != 1:
        raise ValueError(f"groups must be one-dimensional; got shape {labels.shape}.")
    same_length(durations=times, groups=labels, events=observed_flags)
    group_names, group_index = np.unique(labels, return_inverse=True)
    k = group_names.size
    if k < 2:
        raise ValueError(f"The log-rank test needs at least two groups; got {k}.")

    distinct, time_index = np.unique(times, return_inverse=True)
    cells = time_index * k + group_index
    size = distinct.size * k
    removed = np.bincount(cells, minlength=size).reshape(distinct.size, k)
    deaths = np.bincount(cells[observed_flags], minlength=size).reshape(distinct.size, k)

    left_before = np.vstack((np.zeros((1, k), dtype=np.int64), np.cumsum(removed, axis=0)[:-1]))
    at_risk_by_group = (removed.sum(axis=0) - left_before).astype(np.float64)
    at_risk = at_risk_by_group.sum(axis=1)
    deaths_total = deaths.sum(axis=1).astype(np.float64)

    expected_by_time = at_risk_by_group * (deaths_total / at_risk)[:, None]
    observed = deaths.sum(axis=0).astype(np.float64)
    expected = expected_by_time.sum(axis=0)
    z = observed - expected

    with np.errstate(divide="ignore", invalid="ignore"):
        tie_correction = np.where(at_risk > 1, (at_risk - deaths_total) / (at_risk - 1), 1.0)
    factor = tie_correction * deaths_total / at_risk**2
    weighted = at_risk_by_group * np.sqrt(factor)[:, None]
    covariance = -weighted.T @ weighted
    diagonal = (at_risk_by_group * (at_risk * factor)[:, None]).sum(axis=0)
    covariance[np.arange(k), np.arange(k)] += diagonal

    kept = slice(0, k - 1)
    statistic = float(z[kept] @ np.linalg.pinv(covariance[kept, kept]) @ z[kept])
    return LogrankResult(
        test_statistic=statistic,
        p_value=chi_square_sf(statistic, k - 1),
        degrees_of_freedom=k - 1,
        groups=frozen(group_names),
        observed=frozen(observed),
        expected=frozen(expected),
    )
