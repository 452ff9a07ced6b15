import itertools

import pytest

from osseo.pathway.machine import ALLOWED, ORDER, needs_reason, next_phases, transition_problem
from osseo.pathway.models import Phase


def test_every_phase_has_a_row_in_the_table():
    assert set(ALLOWED) == set(Phase.values)


def test_the_forward_path_is_allowed_step_by_step_without_a_reason():
    for here, there in itertools.pairwise(ORDER):
        assert transition_problem(here, there, "") is None


def test_skipping_a_phase_is_refused_with_the_allowed_moves_named():
    field, message = transition_problem("referral", "surgery", "")
    assert field == "phase"
    assert message == (
        "An episode cannot move from Referral to Surgery; from Referral it can move to: "
        "Assessment, Declined, Closed."
    )


def test_a_closed_episode_cannot_move():
    field, message = transition_problem("closed", "referral", "reopen")
    assert (field, message) == (
        "phase",
        "An episode cannot move from Closed to Referral; it is closed.",
    )


def test_moving_to_the_same_phase_is_refused():
    assert transition_problem("planning", "planning", "") == (
        "phase",
        "The episode is already in Planning.",
    )


def test_an_unknown_phase_is_refused():
    field, message = transition_problem("planning", "teleported", "")
    assert field == "phase"
    assert message.startswith("Unknown phase 'teleported'")


@pytest.mark.parametrize(
    ("here", "there"),
    [("rehabilitation", "planning"), ("follow_up", "surgery"), ("surgery", "planning")],
)
def test_staged_procedures_and_revisions_return_to_planning_or_surgery_with_a_reason(here, there):
    assert needs_reason(here, there)
    assert transition_problem(here, there, "") == (
        "reason",
        f"Say why the episode moves from {Phase(here).label} to {Phase(there).label}.",
    )
    assert transition_problem(here, there, "Stage 2 due") is None


@pytest.mark.parametrize("there", ["declined", "closed"])
def test_declining_or_closing_needs_a_reason(there):
    assert transition_problem("assessment", there, " ")[0] == "reason"
    assert transition_problem("assessment", there, "Not eligible") is None


def test_next_phases_lists_the_table_row_in_pathway_order():
    assert next_phases("surgery") == ["planning", "rehabilitation", "follow_up", "closed"]
    assert next_phases("closed") == []
