"""Survival numerics for the registry: Kaplan-Meier, cumulative incidence, log-rank.

A pure numeric engine: numpy and the standard library only, nothing from Django or the
Osseo apps. See README.md in this folder for the methods and how they match lifelines.
"""

from osseo.survival.competing_risks import (
    CumulativeIncidence,
    IncidenceAt,
    cumulative_incidence,
    incidence_at,
)
from osseo.survival.kaplan_meier import (
    AtRiskTable,
    KaplanMeier,
    SurvivalAt,
    at_risk_table,
    kaplan_meier,
    median_survival_time,
    survival_at,
)
from osseo.survival.logrank import LogrankResult, logrank_test, multivariate_logrank_test

__all__ = [
    "AtRiskTable",
    "CumulativeIncidence",
    "IncidenceAt",
    "KaplanMeier",
    "LogrankResult",
    "SurvivalAt",
    "at_risk_table",
    "cumulative_incidence",
    "incidence_at",
    "kaplan_meier",
    "logrank_test",
    "median_survival_time",
    "multivariate_logrank_test",
    "survival_at",
]
