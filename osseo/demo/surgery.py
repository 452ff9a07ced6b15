"""Demo surgical data: a generic catalogue and the assessments, plans and operations of the cohort.

Generic entries only: no commercial product data is invented. GTINs are built on GS1's own
example company prefix 950600013 (used in GS1's documentation), so they parse and never match
a real product.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from osseo.accounts.models import User
from osseo.pathway.models import Episode
from osseo.surgery import actions, rules
from osseo.surgery.models import ImplantCatalogueItem
from osseo.surgery.systems import system_for

DEMO_PREFIX = "950600013"  # GS1's example company prefix


def gtin14(item_reference: int) -> str:
    """A GTIN-14 on GS1's example prefix with its mod-10 check digit."""
    body = "0" + DEMO_PREFIX + f"{item_reference:03d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


SIZES = {
    "femur": ([12, 14, 16, 18, 20], [140, 160, 180]),
    "tibia": ([10, 12, 14, 16], [100, 120, 140]),
    "humerus": ([10, 12, 14], [100, 120]),
    "radius_ulna": ([8, 10], [80, 100]),
    "hand": ([4, 5], [12, 16]),
    "craniofacial": ([4], [4, 6]),
}


def surgery_day(episode: Episode, n: int) -> dt.date:
    """Operations spread over about eight years (so the registry has follow-up to show), always
    a year or more after the amputation and at least five months before today."""
    today = timezone.localdate()
    day = today - dt.timedelta(days=300 + (n * 61) % 2900)
    amputated = episode.limb.amputation_date
    if amputated is not None and day < amputated + dt.timedelta(days=365):
        day = min(amputated + dt.timedelta(days=365 + 7 * n), today - dt.timedelta(days=300))
    return day


def seed_catalogue(admin: User) -> dict[str, Any]:
    ref = 100
    for site, (diameters, lengths) in SIZES.items():
        for d in diameters:
            for length in lengths:
                ref += 1
                actions.add_catalogue_item(
                    actor=admin,
                    data={
                        "kind": "implant",
                        "manufacturer": "Generic (demo)",
                        "model": f"Demo press-fit {site.replace('_', '/')} implant",
                        "gtin": gtin14(ref),
                        "site": site,
                        "system": "craniofacial_abutment"
                        if site == "craniofacial"
                        else "clinic_press_fit",
                        "fixation": "press_fit",
                        "diameter_mm": d,
                        "length_mm": length,
                    },
                )
    dualcone = actions.add_catalogue_item(
        actor=admin,
        data={
            "kind": "dualcone",
            "manufacturer": "Generic (demo)",
            "model": "Demo dualcone",
            "gtin": gtin14(900),
        },
    )
    return {"dualcone": dualcone}


# The demo's MDT: the clinic's surgeon (who decides) and prosthetist, and the partner's
# rehabilitation physician named as an outside professional (NICE IPG270,
# docs/sources.md#nice-ipg270).
DEMO_REHAB_PHYSICIAN = {
    "name": "Dr Esyllt Roskilly (demo)",
    "discipline": "rehabilitation_physician",
    "organisation": "Demo Rehabilitation Partner",
}


def assess(
    staff: dict[str, User], episode: Episode, *, eligible: bool, n: int, decision: str = ""
) -> None:
    """The MDT's decision, recorded by the coordinator; when the rules raise a flag, "eligible"
    is recorded by the deciding surgeon with the reason the flags were outweighed."""
    site = episode.limb.site
    diameters, lengths = SIZES[site]
    surgeon = staff["surgeon"]
    data: dict[str, Any] = {
        "assessed_on": surgery_day(episode, n) - dt.timedelta(days=90),
        "participants": [
            {"user": surgeon, "discipline": "surgeon"},
            {"user": staff["prosthetist"], "discipline": "prosthetist"},
            {"user": staff["anaesthetist"], "discipline": "anaesthetist"},
            {"user": staff["coordinator"], "discipline": "coordinator"},
            DEMO_REHAB_PHYSICIAN,
        ],
        "decided_by": surgeon,
        "indications": ["pain", "skin_breakdown"] if n % 2 else ["poor_fit"],
        "prior_socket_use": True,
        "prosthetic_rehab_months": 12 + n % 30,
        "dysvascular": not eligible,
        "expectations_discussed": True,
        "imaging_modality": "ct" if n % 3 else "xray",
        "canal_diameter_mm": Decimal(diameters[-1]) + Decimal("0.5"),
        "usable_length_mm": Decimal(lengths[-1]) + 10,
        "decision": decision or ("eligible" if eligible else "not_eligible"),
        "decision_reason": ""
        if eligible
        else "Dysvascular limb: risks outweigh the benefit (demo).",
        "funding_route": "nhs",
    }
    actor = staff["coordinator"]
    if data["decision"] == "eligible" and actions.assessment_flags(episode, data):
        actor = surgeon
        data["decision_reason"] = (
            "Flags weighed at the MDT: good distal perfusion on duplex and the vascular "
            "surgeon's agreement; the benefit outweighs the risk (demo)."
        )
    elif data["decision"] == "defer":
        data["decision_reason"] = "Awaiting a vascular opinion before deciding (demo)."
    actions.record_assessment(actor=actor, episode=episode, data=data)


def plan(staff: dict[str, User], episode: Episode, *, staged: bool, agree: bool = True) -> None:
    """The surgeon's plan; the anaesthetist agrees its anaesthesia (unless `agree` is False: a
    patient held at the gate of the operation)."""
    actor = staff["surgeon"]
    site = episode.limb.site
    recommended = rules.recommended_strategy(site)
    strategy = "staged" if staged else recommended
    org = actor.membership.organisation
    implant = (
        ImplantCatalogueItem.objects.filter(organisation=org, kind="implant", site=site)
        .order_by("-diameter_mm", "-length_mm")
        .first()
    )
    made = actions.create_plan(
        actor=actor,
        episode=episode,
        data={
            "strategy": strategy,
            "strategy_reason": "" if strategy == recommended else "Bone quality (demo).",
            # Lower limbs: general with an epidural block; others: general (guide, "The Surgery").
            "anaesthesia": "general_epidural"
            if site in ("femur", "tibia")
            else rules.anaesthesia_options(site)[0].code,
            "implant": implant,
        },
    )
    if agree:
        actions.agree_anaesthesia(actor=staff["anaesthetist"], plan=made)


def operate(
    actor: User,
    episode: Episode,
    *,
    kind: str,
    n: int,
    dualcone: ImplantCatalogueItem,
    sign: bool = True,
) -> None:
    on = surgery_day(episode, n) + (
        dt.timedelta(days=150) if kind == "stage_2" else dt.timedelta(0)
    )
    procedure = actions.start_procedure(actor=actor, episode=episode, kind=kind, performed_on=on)
    plan_ = episode.plans.first()
    data: dict[str, Any] = {
        "anaesthesia": {"given": plan_.anaesthesia if plan_ else "general"},
        "incision": {"notes": "Distal incision (demo)."},
        "heterotopic_ossification": {"found": n % 4 == 0, "removed": n % 4 == 0},
        "soft_tissue": {"technique": "myodesis"},
        "extras": {
            "cultures_taken": True,
            "antibiotics": "Per protocol (demo)",
            "blood_loss_ml": 200 + n,
        },
    }
    if kind in ("single_stage", "stage_1"):
        implant = plan_.implant if plan_ else None
        data["bone_preparation"] = {
            "reamed_diameter_mm": float(implant.diameter_mm)
            if implant and implant.diameter_mm
            else 10
        }
        data["implant_insertion"] = {"fixation": "press_fit", "stability": "stable"}
        actions.place_device(
            actor=actor,
            procedure=procedure,
            kind="implant",
            data={
                "gtin": implant.gtin if implant else gtin14(101),
                "lot": f"DEMO-IMP-{n // 6:02d}",
                "serial": f"S{n:05d}",
                "expiry": on + dt.timedelta(days=900),
            },
            catalogue_item=implant,
        )
    if kind in ("single_stage", "stage_2"):
        data["closure"] = {
            "skin_flap": True,
            "fat_removed": True,
            "sutures": True,
            "staples": True,
            "stoma_created": True,
        }
        data["dualcone"] = {"notes": "Attached (demo)."}
        # The parts through the skin are the implant system's (osseo/surgery/systems.py).
        implant_item = plan_.implant if plan_ else None
        system = system_for(implant_item.system if implant_item else None, site=episode.limb.site)
        for i, part in enumerate(system.parts):
            item = dualcone if part == "dualcone" else None
            actions.place_device(
                actor=actor,
                procedure=procedure,
                kind=part,
                data={
                    "gtin": item.gtin if item else gtin14(910 + i),
                    "lot": f"DEMO-{part[:2].upper()}-{n // 4:02d}",
                    "expiry": on + dt.timedelta(days=900),
                },
                catalogue_item=item,
            )
    actions.save_operative_record(actor=actor, procedure=procedure, data=data)
    if sign:
        actions.sign_operative_record(actor=actor, procedure=procedure)
