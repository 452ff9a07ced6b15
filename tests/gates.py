"""Walking an episode along the pathway in tests, through its gates, with the real actions.

`advance(users, episode, *phases)` meets each move's requirements the way a clinic does (an
eligible MDT decision before planning; a plan, agreed by the anaesthetist, before surgery; a
reason when moving to follow-up without a rehabilitation plan) and then moves. Operations are
recorded and signed by the tests themselves: the gate into rehabilitation is theirs to meet.
"""

from __future__ import annotations

from typing import Any

from osseo.pathway.actions import transition_to
from osseo.pathway.queries import gate_facts

# The MDT a test records: the clinic's surgeon (who decides) and prosthetist, and an outside
# rehabilitation physician, named with their organisation.
OUTSIDE_REHAB_PHYSICIAN = {
    "name": "Dr Rhiannon Test",
    "discipline": "rehabilitation_physician",
    "organisation": "Test Rehabilitation Partner",
}


def mdt_participants(users: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"user": users["surgeon"], "discipline": "surgeon"},
        {"user": users["prosthetist"], "discipline": "prosthetist"},
        OUTSIDE_REHAB_PHYSICIAN,
    ]


def record_eligible(users: dict[str, Any], episode: Any, **data: Any) -> Any:
    """An MDT decision of eligible, with a reason the deciding surgeon writes over any flag."""
    from osseo.surgery.actions import record_assessment

    surgeon = users["surgeon"]
    return record_assessment(
        actor=surgeon,
        episode=episode,
        data={
            "participants": mdt_participants(users),
            "decided_by": surgeon,
            "prior_socket_use": True,
            "prosthetic_rehab_months": 24,
            "indications": ["pain"],
            "decision": "eligible",
            "decision_reason": "Weighed at the MDT (test).",
            **data,
        },
    )


def make_plan(users: dict[str, Any], episode: Any, *, agree: bool = True, **data: Any) -> Any:
    from osseo.surgery import actions as surgery
    from osseo.surgery import rules

    site = episode.limb.site
    codes = [o.code for o in rules.anaesthesia_options(site)]
    plan = surgery.create_plan(
        actor=users["surgeon"],
        episode=episode,
        data={
            "strategy": rules.recommended_strategy(site),
            # What tests/surgery/conftest.py's COMPLETE_RECORD gives, where the site allows it.
            "anaesthesia": "general_epidural" if "general_epidural" in codes else codes[0],
            **data,
        },
    )
    if agree:
        surgery.agree_anaesthesia(actor=users["anaesthetist"], plan=plan)
    return plan


def meet(users: dict[str, Any], episode: Any, phase: str) -> str:
    """Meet what the move to `phase` needs (those a test can meet without operating); the reason
    to give with the move, if one is needed."""
    facts = gate_facts(episode)
    if phase in ("planning", "surgery") and not facts.mdt_eligibility:
        record_eligible(users, episode)
    if phase == "surgery" and not facts.surgical_plan:
        make_plan(users, episode)
    if phase == "follow_up" and not facts.rehab_plan:
        return "Rehabilitation planned by the partner outside Osseo (test)."
    return ""


def advance(
    users: dict[str, Any], episode: Any, *phases: str, actor: Any = None, reason: str = ""
) -> None:
    """Move `episode` through `phases` in order, meeting each gate first; `reason` goes with each
    move (a move back along the pathway needs one)."""
    for phase in phases:
        why = meet(users, episode, phase)
        transition_to(
            actor=actor or users["surgeon"], episode=episode, to_phase=phase, reason=why or reason
        )


def mdt_body(users: dict[str, Any]) -> dict[str, Any]:
    """The MDT part of an assessment's API body: participants by UUID and the deciding surgeon."""
    return {
        "participants": [
            {"user": str(users["surgeon"].uuid), "discipline": "surgeon"},
            {"user": str(users["prosthetist"].uuid), "discipline": "prosthetist"},
            OUTSIDE_REHAB_PHYSICIAN,
        ],
        "decided_by": str(users["surgeon"].uuid),
        "prior_socket_use": True,
        "prosthetic_rehab_months": 24,
    }
