"""The coding of each adverse-event kind as (system, code, display), for FHIR export.

Only codes listed as verified in docs/sources.md#verified-codes are used;
every other kind has a code in Osseo's own local code system. A SNOMED CT code here is the
nearest verified concept, not necessarily an exact match (the notes say so per code).
"""

from __future__ import annotations

from typing import NamedTuple

from osseo.interop.systems import ADVERSE_EVENT_KIND

from .models import EventKind

SNOMED = "http://snomed.info/sct"
LOCAL = ADVERSE_EVENT_KIND  # osseo/interop/systems.py defines every FHIR system URL


class Coding(NamedTuple):
    system: str
    code: str
    display: str


# SNOMED CT codes verified in docs/sources.md#verified-codes (source per code in that table).
_STUMP_INFECTION = Coding(SNOMED, "427769002", "Infection of amputation stump")
_DEVICE = Coding(SNOMED, "473023007", "Complication associated with device")
_POSTOP_HO = Coding(SNOMED, "444748003", "Postoperative heterotopic ossification")

_SNOMED: dict[str, Coding] = {
    # Nearest verified concept: "not specific to an OI stoma" (docs/sources.md#verified-codes).
    EventKind.INFECTION_SOFT_TISSUE: _STUMP_INFECTION,
    EventKind.INFECTION_BONE: _STUMP_INFECTION,
    EventKind.INFECTION_IMPLANT: _STUMP_INFECTION,
    EventKind.ASEPTIC_LOOSENING: _DEVICE,
    EventKind.IMPLANT_BREAKAGE: _DEVICE,
    EventKind.CONNECTOR_FAILURE: _DEVICE,
    EventKind.HETEROTOPIC_OSSIFICATION: _POSTOP_HO,
}


def codings(kind: str) -> list[Coding]:
    """The local coding of a kind, and the verified SNOMED CT concept nearest to it, if any."""
    local = Coding(LOCAL, kind, EventKind(kind).label)
    snomed = _SNOMED.get(kind)
    return [local, snomed] if snomed else [local]
