"""A residual limb as a FHIR bodySite: Osseo's site code, the verified SNOMED CT body structure
where there is one, and the side as an extension (no laterality code is verified).

SNOMED CT body structures verified in docs/sources.md#fhir (Belgian eHealth value set
`be-vs-diagnostic-imaging-indication`): 71341001 Bone structure of femur, 85050009 Bone structure
of humerus, 30021000 Structure of lower limb from knee to ankle, 14975008 Forearm structure. The
hand and head-and-neck sites have no verified code: Osseo's own only."""

from __future__ import annotations

from typing import Any

from osseo.patients.models import Side, Site

from .systems import BODY_SITE, LOCAL_BASE, SNOMED, Coding, local

LATERALITY_EXTENSION = f"{LOCAL_BASE}/StructureDefinition/laterality"
SIDE = local("laterality")

SNOMED_BODY_STRUCTURE: dict[str, Coding] = {
    Site.FEMUR: Coding(SNOMED, "71341001", "Bone structure of femur"),
    Site.HUMERUS: Coding(SNOMED, "85050009", "Bone structure of humerus"),
    Site.TIBIA: Coding(SNOMED, "30021000", "Structure of lower limb from knee to ankle"),
    Site.RADIUS_ULNA: Coding(SNOMED, "14975008", "Forearm structure"),
}
# Also read on import: the verified residual-limb segment codes (same source).
_SNOMED_TO_SITE = {c.code: site for site, c in SNOMED_BODY_STRUCTURE.items()} | {
    "68367000": Site.FEMUR,  # Thigh structure
    "40983000": Site.HUMERUS,  # Structure of upper limb between shoulder and elbow
}


def body_site(site: str, side: str) -> dict[str, Any]:
    codings = [Coding(BODY_SITE, site, Site(site).label).as_fhir()]
    if site in SNOMED_BODY_STRUCTURE:
        codings.append(SNOMED_BODY_STRUCTURE[site].as_fhir())
    label = Site(site).label
    text = label if side == Side.NOT_APPLICABLE else f"{Side(side).label} {label.lower()}"
    return {
        "extension": [
            {
                "url": LATERALITY_EXTENSION,
                "valueCoding": {"system": SIDE, "code": side, "display": Side(side).label},
            }
        ],
        "coding": codings,
        "text": text,
    }


def limb_site(concept: dict[str, Any]) -> tuple[str | None, str | None]:
    """(site, side) read from a bodySite concept; None where it does not say."""
    site = side = None
    for coding in concept.get("coding") or []:
        system, code = coding.get("system"), coding.get("code")
        if system == BODY_SITE and code in Site.values:
            site = code
        elif system == SNOMED and code in _SNOMED_TO_SITE and site is None:
            site = _SNOMED_TO_SITE[code]
    for extension in concept.get("extension") or []:
        coding = extension.get("valueCoding") or {}
        if extension.get("url") == LATERALITY_EXTENSION and coding.get("code") in Side.values:
            side = coding["code"]
    return site, side
