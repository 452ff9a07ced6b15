"""The triage moves of an enquiry: one table (like the pathway's phase machine), pure functions.

new → contacted → converted, or closed with a reason; converted and closed are final. Converting
happens only through `actions.convert_enquiry`, which creates or links the patient.
"""

from __future__ import annotations

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


def status_problem(from_status: str, to_status: str, reason: str) -> tuple[str, str] | None:
    """(field, message) saying why the move is refused, or None when it is allowed."""
    if to_status not in S.values:
        return "status", f"Unknown status {to_status!r}; statuses are: {', '.join(S.values)}."
    if to_status == S.CONVERTED:
        return "status", "Convert an enquiry with the conversion form, which creates the patient."
    if to_status == from_status:
        return "status", f"The enquiry is already {S(to_status).label.lower()}."
    if to_status not in ALLOWED[from_status]:
        return (
            "status",
            f"An enquiry cannot move from {S(from_status).label.lower()} to "
            f"{S(to_status).label.lower()}; {S(from_status).label.lower()} is final.",
        )
    if to_status == S.CLOSED and not reason.strip():
        return "reason", "Say why the enquiry is closed."
    return None


def next_statuses(from_status: str) -> list[str]:
    return [s for s in (S.CONTACTED, S.CLOSED) if s in ALLOWED[from_status]]
