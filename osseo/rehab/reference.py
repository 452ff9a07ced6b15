"""The shipped reference loading protocols, exactly as published (shared domain notes §4.1 [V]).

Source: Radboudumc Amputee Osseointegration Rehabilitation Protocol,
https://osseointegration.eu/fr/rehabilitation. Where the source gives no number for a phase
(sessions, minutes or the pain gate), the field is left empty rather than filled in. The slow
programme's weeks 6-12 are cut off in the published text ("Axial ..."): that phase has no numbers
and is "not validated"; a clinic completes it in its own copy. OPRA and OGAAP numbers were not
found in the sources (§4.3, §4.4) and are not shipped.

Installed by migration 0002 and, idempotently, by `ensure_reference_protocols()` (the demo seeder).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

SOURCE = (
    "Radboudumc Amputee Osseointegration Rehabilitation Protocol, "
    "https://osseointegration.eu/fr/rehabilitation"
)

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
    for name, notes, phases in PROTOCOLS:
        if LoadingProtocol.objects.filter(organisation__isnull=True, name=name).exists():
            continue
        protocol = LoadingProtocol.objects.create(name=name, source=SOURCE, notes=notes)
        for start, end, pct, sessions, minutes, aid, gate, text, validated in phases:
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
            )


def ensure_reference_protocols() -> None:
    from .models import LoadingProtocol, ProtocolPhase

    ship(LoadingProtocol, ProtocolPhase)
