"""The gates beside the phase machine: what each move needs, each need with its code, its words and
its source. One table (`GATES`); `machine.py` says which moves exist, this says what they require.

Pure: no Django here. The facts a gate reads about an episode are gathered by
`queries.gate_facts()`; `unmet()` compares them with the table. The same function answers the
transition (409 with `missing`), the surgery app's "record an operation" check, the episode's
screen and the tests that run the gates over the demo.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from osseo.errors import Missing

from .models import Phase

# The one move that is not a phase change: recording an operation (surgery's start_procedure).
OPERATION = "operation"


@dataclass(frozen=True)
class Requirement:
    code: str
    label: str
    source: str
    overridable: bool  # a surgeon may override it with a reason (never the MDT's decision)
    # Only for moves from these phases (empty: from anywhere).
    only_from: frozenset[str] = frozenset()

    def missing(self) -> Missing:
        return Missing(self.code, self.label, self.source)


MDT_ELIGIBILITY = Requirement(
    "mdt_eligibility",
    "An eligibility decision of 'eligible' by an MDT with at least a surgeon, a rehabilitation "
    "physician and a prosthetist, made by a surgeon who took part.",
    # [V] docs/sources.md#nice-ipg270: NICE IPG270 §1 "Patient selection must be by an MDT: a
    # surgeon experienced in amputation and in bone/soft-tissue reconstruction, plus rehab
    # specialists including experts in prosthetics".
    "NICE IPG270 §1 (docs/sources.md#nice-ipg270): selection by a multidisciplinary team",
    overridable=False,
)
SURGICAL_PLAN = Requirement(
    "surgical_plan",
    "A surgical plan: staging, anaesthesia and implant.",
    # Guide, "The Osseointegration Procedure" (single-stage or staged) and "The Surgery" (the
    # anaesthesia and the press-fit implant): the plan records those choices before the operation.
    "Clinic patient guide, 'The Osseointegration Procedure' and 'The Surgery'",
    overridable=True,
)
ANAESTHESIA_AGREED = Requirement(
    "anaesthesia_agreed",
    "The anaesthesia plan agreed by an anaesthetist.",
    # [V] docs/sources.md#anaesthesia: "AOFE: the anaesthetist assesses the medical history, and the
    # patient can discuss a preference for general anaesthesia or an epidural"; guide, "The
    # Surgery": the anaesthesia options.
    "docs/sources.md#anaesthesia (AOFE: the anaesthetist assesses before surgery); clinic patient "
    "guide, 'The Surgery'",
    overridable=True,
)
SIGNED_RECORD = Requirement(
    "signed_operative_record",
    "A signed operative record of the operation done in this surgery phase.",
    # Design rules (docs/sources.md#design-rules): derived facts read signed facts only;
    # docs/sources.md#operative-note lists what an operative note captures.
    "Signed records only (docs/sources.md#design-rules); docs/sources.md#operative-note",
    overridable=True,
)
REHAB_PLAN_OR_REASON = Requirement(
    "rehab_plan_or_reason",
    "A rehabilitation plan made after the operation, or a reason for moving on without one.",
    # Guide, "Post-Surgery Rehabilitation": "Recovery and rehabilitation are crucial parts of the
    # process"; [V] docs/sources.md#radboud-loading (Radboud: rehabilitation starts 1 week after
    # surgery).
    "Clinic patient guide, 'Post-Surgery Rehabilitation'; docs/sources.md#radboud-loading",
    overridable=True,
)
SIGNED_RECORD_FROM_SURGERY = Requirement(
    SIGNED_RECORD.code,
    SIGNED_RECORD.label,
    SIGNED_RECORD.source,
    overridable=True,
    only_from=frozenset({Phase.SURGERY}),
)

# What each move needs. A move back along the pathway (a staged procedure's next stage, a
# revision) passes the same gates, so an episode is never in a phase without its requirements.
GATES: dict[str, tuple[Requirement, ...]] = {
    Phase.PLANNING: (MDT_ELIGIBILITY,),
    Phase.SURGERY: (MDT_ELIGIBILITY, SURGICAL_PLAN),
    OPERATION: (ANAESTHESIA_AGREED,),
    Phase.REHABILITATION: (SIGNED_RECORD,),
    Phase.FOLLOW_UP: (SIGNED_RECORD_FROM_SURGERY, REHAB_PLAN_OR_REASON),
}
REQUIREMENTS: dict[str, Requirement] = {r.code: r for reqs in GATES.values() for r in reqs}
OVERRIDABLE = tuple(code for code, r in REQUIREMENTS.items() if r.overridable)


@dataclass(frozen=True)
class Facts:
    """What an episode has, as the gates read it."""

    mdt_eligibility: bool = False  # its latest MDT decision is "eligible"
    surgical_plan: bool = False
    anaesthesia_agreed: bool = False  # the current plan's anaesthesia is agreed
    # a signed record of an operation recorded since the episode last entered surgery
    signed_operative_record: bool = False
    rehab_plan: bool = False  # a plan for the episode's limb starting after its last operation
    overridden: frozenset[str] = field(default_factory=frozenset)  # pending overrides' codes


def _met(code: str, facts: Facts, reason: str) -> bool:
    if code == REHAB_PLAN_OR_REASON.code:
        return facts.rehab_plan or bool(reason.strip())
    return bool(getattr(facts, code))


def requirements(move: str, from_phase: str = "") -> list[Requirement]:
    """The requirements of a move (a phase, or `OPERATION`) from `from_phase`."""
    return [
        r
        for r in GATES.get(move, ())
        if not r.only_from or not from_phase or from_phase in r.only_from
    ]


def unmet(
    move: str, facts: Facts, *, from_phase: str = "", reason: str = ""
) -> tuple[list[Requirement], list[Requirement]]:
    """(unmet requirements, requirements met only by a pending override) of a move."""
    missing: list[Requirement] = []
    overridden: list[Requirement] = []
    for req in requirements(move, from_phase):
        if _met(req.code, facts, reason):
            continue
        if req.overridable and req.code in facts.overridden:
            overridden.append(req)
        else:
            missing.append(req)
    return missing, overridden


def as_missing(reqs: Iterable[Requirement]) -> list[Missing]:
    return [r.missing() for r in reqs]
