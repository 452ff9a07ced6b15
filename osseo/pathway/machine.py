"""The phase state machine: one table of allowed moves (habit from django-oscar's pipeline).

The journey is not a straight line: a staged procedure, a revision or an explantation returns an
episode from rehabilitation or follow-up to planning or surgery (guide: staged procedures "4 to 6
months" apart; docs/sources.md#design-rules: surgery can recur).
"""

from __future__ import annotations

from .models import Phase

P = Phase

ALLOWED: dict[str, frozenset[str]] = {
    P.REFERRAL: frozenset({P.ASSESSMENT, P.DECLINED, P.CLOSED}),
    P.ASSESSMENT: frozenset({P.PLANNING, P.REFERRAL, P.DECLINED, P.CLOSED}),
    P.PLANNING: frozenset({P.SURGERY, P.ASSESSMENT, P.DECLINED, P.CLOSED}),
    # After an operation: on to rehabilitation, or back to planning for the next stage.
    P.SURGERY: frozenset({P.REHABILITATION, P.PLANNING, P.FOLLOW_UP, P.CLOSED}),
    # A staged procedure's next stage, a revision or an explantation returns to planning/surgery.
    P.REHABILITATION: frozenset({P.FOLLOW_UP, P.PLANNING, P.SURGERY, P.CLOSED}),
    P.FOLLOW_UP: frozenset({P.PLANNING, P.SURGERY, P.REHABILITATION, P.CLOSED}),
    # A declined patient may be re-referred; a closed episode is final (open a new one).
    P.DECLINED: frozenset({P.REFERRAL, P.CLOSED}),
    P.CLOSED: frozenset(),
}

ORDER: list[str] = [P.REFERRAL, P.ASSESSMENT, P.PLANNING, P.SURGERY, P.REHABILITATION, P.FOLLOW_UP]


def needs_reason(from_phase: str, to_phase: str) -> bool:
    """Declining, closing and every move back along the pathway must say why."""
    if to_phase in (P.DECLINED, P.CLOSED):
        return True
    if from_phase in ORDER and to_phase in ORDER:
        return ORDER.index(to_phase) < ORDER.index(from_phase)
    return from_phase == P.DECLINED


def transition_problem(from_phase: str, to_phase: str, reason: str) -> tuple[str, str] | None:
    """(field, message) saying why the move is refused, or None when it is allowed."""
    if to_phase not in P.values:
        return "phase", f"Unknown phase {to_phase!r}; phases are: {', '.join(P.values)}."
    if to_phase == from_phase:
        return "phase", f"The episode is already in {P(to_phase).label}."
    if to_phase not in ALLOWED[from_phase]:
        allowed = ", ".join(
            P(p).label for p in [*ORDER, P.DECLINED, P.CLOSED] if p in ALLOWED[from_phase]
        )
        return (
            "phase",
            f"An episode cannot move from {P(from_phase).label} to {P(to_phase).label}"
            + (
                f"; from {P(from_phase).label} it can move to: {allowed}."
                if allowed
                else "; it is closed."
            ),
        )
    if needs_reason(from_phase, to_phase) and not reason.strip():
        return (
            "reason",
            f"Say why the episode moves from {P(from_phase).label} to {P(to_phase).label}.",
        )
    return None


def next_phases(from_phase: str) -> list[str]:
    return [p for p in [*ORDER, P.DECLINED, P.CLOSED] if p in ALLOWED[from_phase]]
