"""The registry's analyses on small hand-worked cohorts (pure numpy, no database)."""

import numpy as np
import pytest

from osseo.registry.cohort import (
    NO_DAY,
    ImplantCohort,
    analyse,
    comparison,
    incidence_times,
    survival_times,
)

TODAY = 10_000


def cohort(**columns):
    n = len(columns["placed"])
    base = {
        "key": np.arange(n),
        "placed": None,
        "site": ["femur"] * n,
        "fixation": ["press_fit"] * n,
        "strategy": ["single_stage"] * n,
        "surgeon": np.ones(n, dtype=np.int64),
        "explanted": [NO_DAY] * n,
        "revised": [NO_DAY] * n,
        "infected": [NO_DAY] * n,
        "complication": [NO_DAY] * n,
        "died": [NO_DAY] * n,
    }
    base.update(columns)
    ints = {"placed", "explanted", "revised", "infected", "complication", "died"}
    return ImplantCohort(
        **{
            k: np.array(v, dtype=np.int64 if k in ints else object)
            if not isinstance(v, np.ndarray)
            else v
            for k, v in base.items()
        }
    )


def test_explantation_is_the_event_and_follow_up_ends_today_or_at_death():
    c = cohort(
        placed=[TODAY - 730, TODAY - 730, TODAY - 365],
        explanted=[TODAY - 365, NO_DAY, NO_DAY],
        died=[NO_DAY, TODAY - 100, NO_DAY],
    )
    years, events = survival_times(c, "explantation", TODAY)
    assert events.tolist() == [1, 0, 0]
    assert np.allclose(years * 365.25, [365, 630, 365])


def test_revision_free_survival_counts_a_revision_or_an_explantation_whichever_first():
    c = cohort(
        placed=[TODAY - 1000, TODAY - 1000],
        revised=[TODAY - 800, NO_DAY],
        explanted=[TODAY - 500, TODAY - 300],
    )
    years, events = survival_times(c, "revision", TODAY)
    assert events.tolist() == [1, 1]
    assert np.allclose(years * 365.25, [200, 700])


def test_a_revision_before_this_implant_was_placed_does_not_count():
    c = cohort(placed=[TODAY - 100], revised=[TODAY - 200])
    _years, events = survival_times(c, "revision", TODAY)
    assert events.tolist() == [0]


def test_death_competes_with_infection_in_the_incidence():
    c = cohort(
        placed=[TODAY - 1000] * 3,
        infected=[TODAY - 900, TODAY - 100, NO_DAY],
        died=[NO_DAY, TODAY - 500, TODAY - 200],
    )
    years, codes = incidence_times(c, c.infected, TODAY)
    assert codes.tolist() == [1, 2, 2]
    assert np.allclose(years * 365.25, [100, 500, 800])


def test_a_group_below_the_clinic_threshold_is_too_few_to_say():
    c = cohort(placed=[TODAY - 400] * 12 + [TODAY - 400] * 3, site=["femur"] * 12 + ["tibia"] * 3)
    result = analyse(c, by="site", today=TODAY, min_at_risk=10)
    by_label = {curve.label: curve for curve in result["explantation"]}
    assert by_label["femur"].enough and not by_label["tibia"].enough
    assert by_label["femur"].at_risk[0] == 12


def test_curves_stop_where_fewer_than_the_threshold_remain_at_risk():
    placed = [TODAY - 3000] * 4 + [TODAY - 300] * 10  # only 4 followed beyond 300 days
    c = cohort(placed=placed)
    curve = analyse(c, by="overall", today=TODAY, min_at_risk=10)["explantation"][0]
    assert curve.enough
    assert curve.shown_until == pytest.approx(300 / 365.25)


def test_no_comparator_is_said_so_and_no_verdict_is_drawn():
    c = cohort(
        placed=[TODAY - 500] * 20,
        site=["femur"] * 10 + ["hand"] * 10,
        strategy=["single_stage"] * 10 + ["staged"] * 10,
    )
    rows = comparison(
        c, within="site", compare="strategy", event="infected", today=TODAY, min_at_risk=5
    )
    assert [(r["group"], r["note"]) for r in rows] == [
        ("femur", "No comparator: every implant here is single-stage."),
        ("hand", "No comparator: every implant here is staged."),
    ]


def test_overlapping_intervals_say_the_data_cannot_tell_the_groups_apart():
    n = 30
    c = cohort(
        placed=[TODAY - 800] * (2 * n),
        strategy=["single_stage"] * n + ["staged"] * n,
        infected=[TODAY - 700] * 2 + [NO_DAY] * (n - 2) + [TODAY - 700] * 3 + [NO_DAY] * (n - 3),
    )
    rows = comparison(
        c, within="site", compare="strategy", event="infected", today=TODAY, min_at_risk=10
    )
    assert (
        rows[0]["note"]
        == "The confidence intervals overlap: these data cannot tell the groups apart."
    )
    arms = {a["value"]: a for a in rows[0]["arms"]}
    assert arms["single_stage"]["events"] == 2 and arms["staged"]["events"] == 3
    assert arms["single_stage"]["at_year"][0] == pytest.approx(2 / 30)
