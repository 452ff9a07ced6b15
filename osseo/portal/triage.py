"""The triage moves of an enquiry: one table (like the pathway's phase machine), pure functions.

new → contacted → converted, or closed with a reason; converted and closed are final. Converting
happens only through `actions.convert_enquiry`, which creates or links the patient.

Two kinds of refusal, answered differently: a move asked for wrongly (an unknown status, closing
without a reason) is invalid input (422, `input_problem`); a move the enquiry's current state
forbids (it is closed, or already contacted) is a `Conflict` (409, `move_refusal`), checked once
the enquiry is locked.
"""

from __future__ import annotations

from osseo.errors import Conflict, Missing

from .models import EnquiryStatus

S = EnquiryStatus

ALLOWED: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.CONTACTED, S.CONVERTED, S.CLOSED}),
    S.CONTACTED: frozenset({S.CONVERTED, S.CLOSED}),
    S.CONVERTED: frozenset(),
    S.CLOSED: frozenset(),
}
# The moves `set_status` makes; conversion has its own action.
MANUAL = frozenset({S.CONTACTED, S.CLOSED})

OPEN = Missing("enquiry_open", "An open enquiry (new or contacted): closed and converted are final")
NEW = Missing("enquiry_new", "A new enquiry, not yet contacted")


def input_problem(to_status: str, reason: str) -> tuple[str, str] | None:
    """(field, message) saying why the move asked for is invalid, or None."""
    if to_status not in S.values:
        return "status", f"Unknown status {to_status!r}; statuses are: {', '.join(S.values)}."
    if to_status == S.CONVERTED:
        return "status", "Convert an enquiry with the conversion form, which creates the patient."
    if to_status == S.CLOSED and not reason.strip():
        return "reason", "Say why the enquiry is closed."
    return None


def move_refusal(from_status: str, to_status: str) -> Conflict | None:
    """Why the enquiry's current status forbids the move, with what it would need; or None."""
    final = not ALLOWED[from_status]
    if to_status == from_status:
        return Conflict(
            f"The enquiry is already {S(to_status).label.lower()}.",
            missing=[OPEN if final else NEW],
        )
    if to_status not in ALLOWED[from_status]:
        return Conflict(
            f"An enquiry cannot move from {S(from_status).label.lower()} to "
            f"{S(to_status).label.lower()}; {S(from_status).label.lower()} is final.",
            missing=[OPEN],
        )
    return None


def conversion_refusal(from_status: str) -> Conflict | None:
    """Only an open enquiry becomes a patient."""
    if S.CONVERTED in ALLOWED[from_status]:
        return None
    return Conflict(f"This enquiry is {S(from_status).label.lower()} already.", missing=[OPEN])


def next_statuses(from_status: str) -> list[str]:
    return [s for s in (S.CONTACTED, S.CLOSED) if s in ALLOWED[from_status]]
