"""Implant systems and the transcutaneous parts each one places at surgery
(docs/sources.md#implant-components).

Which parts a limb carries through the skin (dualcone, abutment, abutment screw) depends on the
implant system, not on the site: the sign-off of a final stage asks for the parts of the system
the record names (the implant's catalogue item), each with its lot. The safety device is fitted
with the prosthesis, not at surgery, so no sign-off asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImplantSystem:
    code: str
    label: str
    parts: tuple[str, ...]  # DeviceKind codes placed through the skin at the final stage
    source: str  # "" = the clinic's own: not validated

    @property
    def validated(self) -> bool:
        return bool(self.source)


CLINIC_PRESS_FIT = "clinic_press_fit"
CRANIOFACIAL = "craniofacial_abutment"

SYSTEMS: dict[str, ImplantSystem] = {
    s.code: s
    for s in (
        ImplantSystem(
            CLINIC_PRESS_FIT,
            "The clinic's press-fit bone-anchor with a dualcone",
            ("dualcone",),
            # Guide, "Attachment of Dualcone": "A dualcone is attached to the end of the
            # bone-anchor."
            "Clinic patient guide, 'The Surgery', Attachment of Dualcone",
        ),
        ImplantSystem(
            "opra",
            "OPRA (threaded fixture, abutment and abutment screw)",
            ("abutment", "abutment_screw"),
            # "an abutment, partly inside the fixture and passing through the skin; and a central
            # (abutment) screw that holds the abutment to the fixture" [V]
            "Integrum patent US 11,464,606 (docs/sources.md#implant-components)",
        ),
        ImplantSystem(
            "opl",
            "OPL (press-fit, dual-cone adaptor)",
            ("dualcone",),
            # "The distal transcutaneous part is the dual-cone adaptor"
            # (docs/sources.md#implant-components).
            "Hoellwarth et al. JLLR 2022;8(2):93-102 (docs/sources.md#implant-components)",
        ),
        ImplantSystem(
            CRANIOFACIAL,
            "Bone-anchored craniofacial implant with an abutment carrying an epithesis",
            ("abutment",),
            # docs/sources.md#implant-components gives no craniofacial component list: the
            # clinic's own
            "",
        ),
    )
}

# When a record names no system (a part entered by hand, an older catalogue item), the clinic's
# usual system for the site is assumed and said so: the guide's dualcone for limbs, the clinic's
# abutment for head and neck (not validated).
DEFAULT_FOR_SITE = {"craniofacial": CRANIOFACIAL}


def system_for(code: str | None, *, site: str) -> ImplantSystem:
    """The system named by `code`, else the clinic's usual one for `site`."""
    if code and code in SYSTEMS:
        return SYSTEMS[code]
    return SYSTEMS[DEFAULT_FOR_SITE.get(site, CLINIC_PRESS_FIT)]
