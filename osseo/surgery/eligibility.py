"""Eligibility flags for the MDT assessment: plain functions over plain values.

Split from rules.py by sub-domain (assessment, not planning); the same habits apply: nothing here
imports Django, and each flag cites its verified source (docs/sources.md#eligibility) beside the
code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args


@dataclass(frozen=True)
class Flag:
    """Something the MDT should weigh; flags inform and never decide."""

    code: str
    text: str
    source: str
    suggests: str | None = None


def eligibility_flags(
    *,
    age_years: int,
    dysvascular: bool,
    active_infection: bool,
    short_or_poor_bone: bool,
    peripheral_vascular_disease: bool = False,
    months_since_amputation: int | None = None,
    limb_cause: str = "",
    prior_socket_use: bool | None = True,
    prosthetic_rehab_months: int | None = None,
) -> list[Flag]:
    """The flags raised by an assessment's findings, in a fixed order.

    `limb_cause` is the limb's recorded cause of amputation: "vascular" raises the dysvascular
    flag whatever the history box says. `prior_socket_use` None (not recorded) is not a yes."""
    flags: list[Flag] = []
    if age_years < 18:
        # [V] docs/sources.md#eligibility "Age: adults. OGA: over 18 [V BMJ Open 2017/2020] ...
        # POP: at least 18 [V NCT02720159]. NHS England: adults only, because of growth plates"
        # (Clinical Commissioning Policy 2206).
        flags.append(
            Flag(
                "under_18",
                "Under 18: published programmes treat adults only, to avoid disturbing the "
                "growth plate.",
                "docs/sources.md#eligibility Age: OGA over 18 (BMJ Open 2017;7:e013508); POP at "
                "least 18 (NCT02720159); NHS England policy 2206, adults only",
            )
        )
    if dysvascular or peripheral_vascular_disease or limb_cause == "vascular":
        # [V] docs/sources.md#eligibility Aetiology: "POP excluded dysvascular amputation [V].
        # Rizzoli excludes peripheral vascular disease ... In Atallah 2020 the one septic loosening
        # happened in a dysvascular TT patient ... → store PVD/dysvascular status as a high-risk
        # flag."
        flags.append(
            Flag(
                "dysvascular",
                (
                    "Amputation for vascular disease (the limb's recorded cause)"
                    if limb_cause == "vascular"
                    else "Dysvascular amputation or peripheral vascular disease"
                )
                + ": a high-risk finding; trials have excluded it.",
                "docs/sources.md#eligibility Aetiology: POP excluded dysvascular amputation "
                "(NCT02720159); Rizzoli excludes peripheral vascular disease (NCT06737770); "
                "Atallah 2020 PLOS ONE 15(3):e0230027",
            )
        )
    if active_infection:
        # [V] docs/sources.md#eligibility Aetiology: "Rizzoli excludes peripheral vascular disease,
        # active infection and significant comorbidity [V]" (NCT06737770).
        flags.append(
            Flag(
                "active_infection",
                "Active infection: trials have excluded it.",
                "docs/sources.md#eligibility Aetiology: Rizzoli trial excludes active infection "
                "(NCT06737770)",
            )
        )
    if short_or_poor_bone:
        # [V] docs/sources.md#eligibility: Radboud uses its slow loading programme for short bone
        # or poor bone quality; docs/sources.md#radboud-loading: "Slow programme — FWB in 12 weeks.
        # Indication: short bone and/or poor bone quality." (osseointegration.eu/fr/rehabilitation)
        flags.append(
            Flag(
                "short_or_poor_bone",
                "Short residual bone or poor bone quality: Radboud uses its slow loading "
                "programme (full weight bearing in 12 weeks).",
                "docs/sources.md#eligibility Musculoskeletal; docs/sources.md#radboud-loading, "
                "slow programme (https://osseointegration.eu/fr/rehabilitation)",
                suggests="radboud_slow_loading",
            )
        )
    if months_since_amputation is not None and months_since_amputation < 6:
        # [V] docs/sources.md#eligibility Time since amputation: "POP required amputation at least 6
        # months before enrolment ... ITAP required at least 6 months of attempted prosthetic
        # rehab [V]".
        flags.append(
            Flag(
                "recent_amputation",
                "Amputation less than 6 months ago: trials required at least 6 months.",
                "docs/sources.md#eligibility Time since amputation: POP (NCT02720159); ITAP "
                "(NCT02491424)",
            )
        )
    if prior_socket_use is not True or (
        prosthetic_rehab_months is not None and prosthetic_rehab_months < 6
    ):
        # [V] docs/sources.md#eligibility Time since amputation / prior socket use: "POP required
        # ... current or past socket use [V]. ITAP required at least 6 months of attempted
        # prosthetic rehab [V]" (NCT02720159; NCT02491424).
        flags.append(
            Flag(
                "socket_use",
                (
                    "No current or past socket use recorded"
                    if prior_socket_use is not True
                    else f"Only {prosthetic_rehab_months} months of attempted prosthetic "
                    "rehabilitation"
                )
                + ": trials required socket use (POP) and at least 6 months of attempted "
                "prosthetic rehabilitation (ITAP).",
                "docs/sources.md#eligibility Time since amputation / prior socket use: POP "
                "(NCT02720159); ITAP (NCT02491424)",
            )
        )
    return flags


Decision = Literal[
    "eligible", "not_eligible", "defer"
]  # the codes: eligible / not eligible / defer
DECISIONS: tuple[Decision, ...] = get_args(Decision)


def decision_problem(decision: str, flags: Sequence[Flag], reason: str) -> str | None:
    """Why the MDT's decision cannot be recorded yet, or None.

    An "eligible" decision over any flag needs a recorded reason, so the record shows the flags
    were weighed.
    """
    if decision not in DECISIONS:
        return f"Unknown decision {decision!r}; decisions are: {', '.join(DECISIONS)}."
    if decision == "eligible" and flags and not reason.strip():
        codes = ", ".join(flag.code for flag in flags)
        return f"Record a reason for deciding eligible despite the flags: {codes}."
    return None
