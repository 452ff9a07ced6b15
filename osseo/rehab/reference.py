"""The shipped reference loading protocols, exactly as published (docs/sources.md#radboud-loading).

Source: Radboudumc Amputee Osseointegration Rehabilitation Protocol,
https://osseointegration.eu/fr/rehabilitation. Where the source gives no number for a phase
(sessions, minutes or the pain gate), the field is left empty rather than filled in. The slow
programme's weeks 6-12 are cut off in the published text ("Axial ..."): that phase has no numbers
and is "not validated"; a clinic completes it in its own copy. OPRA and OGAAP numbers were not
found in the sources (docs/sources.md#rehab-protocols) and are not shipped.

Installed by migration 0002 and, idempotently, by `ensure_reference_protocols()` (the demo seeder).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

SOURCE = (
    "Radboudumc Amputee Osseointegration Rehabilitation Protocol, "
    "https://osseointegration.eu/fr/rehabilitation"
)

# The sites the Radboud programmes apply to: Radboud's implants are femoral and tibial (OFI-C,
# OFI-Y, OTI; docs/sources.md#implant-systems) and the protocol is for lower-limb amputees
# (docs/sources.md#radboud-loading).
SITES = ["femur", "tibia"]
# "up to 50 % BW. Increase the load according to pain" (docs/sources.md#radboud-loading): a ramp to
# a ceiling, not a fixed daily target. (protocol index, phase index)
RAMPS = {(0, 0), (1, 0)}

PROTOCOLS: list[tuple[str, str, list[tuple[Any, ...]]]] = [
    (
        "Radboud standard programme (full weight bearing in 6 weeks)",
        "Starts 1 week after OI surgery; daily outpatient group sessions of 2-8 patients. "
        "Walking without crutches may take 2-6 months.",
        [
            (
                3,
                10,
                Decimal(50),
                3,
                30,
                False,
                5,
                "Prosthetic fitting; axial weight bearing on a scale, 3 x daily x 30 min, up to "
                "50 % BW. Increase the load according to pain, keeping NRS < 5.",
                True,
            ),
            (
                10,
                35,
                Decimal(50),
                None,
                None,
                True,
                None,
                "50 % weight bearing; walking between bars and then with a walking aid; "
                "stretching, strength, core and cardio training. (No pain gate stated for this "
                "phase.)",
                True,
            ),
            (
                35,
                42,
                Decimal(100),
                None,
                None,
                True,
                5,
                "Full weight bearing with a walking aid, then reduce the aid according to pain "
                "(NRS < 5).",
                True,
            ),
        ],
    ),
    (
        "Radboud slow programme (full weight bearing in 12 weeks)",
        "Indication: short bone and/or poor bone quality. The published text for weeks 6-12 is "
        "incomplete: copy this protocol and complete that phase before using it for them.",
        [
            (
                1,
                42,
                Decimal(50),
                3,
                30,
                True,
                5,
                "First 6 weeks: fitting; axial weight bearing on a scale 3 x daily x 30 min up to "
                "50 % BW (NRS < 5); exercise; walking between bars and with an aid.",
                True,
            ),
            (
                43,
                84,
                None,
                None,
                None,
                True,
                None,
                "Weeks 6-12: the published text is cut off ('Axial ...'). Not validated: the "
                "clinic sets the target, dose and pain gate in its own copy.",
                False,
            ),
        ],
    ),
]


def ship(LoadingProtocol: Any, ProtocolPhase: Any) -> None:
    """Create the reference protocols that are missing (by name)."""
    for p, (name, notes, phases) in enumerate(PROTOCOLS):
        if LoadingProtocol.objects.filter(organisation__isnull=True, name=name).exists():
            continue
        # Migration 0002 runs this on models from before `sites` and `ramp` existed (0004 sets
        # them on the rows it made).
        later = "sites" in {f.name for f in LoadingProtocol._meta.get_fields()}
        protocol = LoadingProtocol.objects.create(
            name=name, source=SOURCE, notes=notes, **({"sites": SITES} if later else {})
        )
        for n, (start, end, pct, sessions, minutes, aid, gate, text, validated) in enumerate(
            phases
        ):
            ProtocolPhase.objects.create(
                protocol=protocol,
                start_day=start,
                end_day=end,
                target_percent_body_weight=pct,
                sessions_per_day=sessions,
                minutes_per_session=minutes,
                walking_aid=aid,
                pain_gate_nrs=gate,
                description=text,
                validated=validated,
                **({"ramp": (p, n) in RAMPS} if later else {}),
            )


def name_sites_and_ramps(LoadingProtocol: Any, RehabPlan: Any) -> None:
    """On rows shipped before protocols named their sites and ramps (migration 0004): the
    reference protocols, and the plans copied from them."""
    for p, (name, _notes, _phases) in enumerate(PROTOCOLS):
        protocol = LoadingProtocol.objects.filter(organisation__isnull=True, name=name).first()
        if protocol is None:
            continue
        protocol.sites = SITES
        protocol.save(update_fields=["sites"])
        phases = list(protocol.phases.order_by("start_day", "end_day", "id"))
        for pp, n in RAMPS:
            if pp == p and n < len(phases):
                phases[n].ramp = True
                phases[n].save(update_fields=["ramp"])
        for plan in RehabPlan.objects.filter(protocol=protocol):
            for pp, n in RAMPS:
                if pp == p and n < len(plan.phases):
                    plan.phases[n]["ramp"] = True
            plan.save(update_fields=["phases"])


def ensure_reference_protocols() -> None:
    from .models import LoadingProtocol, ProtocolPhase

    ship(LoadingProtocol, ProtocolPhase)
