"""The personalised patient guide: the clinic's guide, narrowed to this patient's plan.

Wording follows the seed guide (../shared/seed/osseointegration-patient-guide.txt) and claims no
more than it does; every section names where it comes from.
"""

from __future__ import annotations

from typing import Any

from osseo.accounts.models import OrganisationKind, Role
from osseo.pathway.models import Episode

from .operative import STEPS
from .rules import ANAESTHESIA_LABELS

SITE_WORDS = {
    "femur": "your thigh bone (femur)",
    "tibia": "your shin bone (tibia)",
    "humerus": "your upper-arm bone (humerus)",
    "radius_ulna": "your forearm bones (radius and ulna)",
    "hand": "the bones of your hand",
    "craniofacial": "the bone of your head or face",
}

ANAESTHESIA_WORDS = {
    "general": "You will be asleep under a general anaesthetic.",
    "general_spinal": "You will be asleep under a general anaesthetic, combined with a spinal "
    "block to numb your legs.",
    "general_epidural": "You will be asleep under a general anaesthetic, combined with an "
    "epidural block to numb your legs.",
    "general_brachial_plexus": "You will be asleep under a general anaesthetic, and a nerve block "
    "(brachial plexus block) will numb your arm.",
    "regional_iv_sedation": "Your limb will be numbed with a regional anaesthetic, and you will "
    "be given medicine through a drip to make you relaxed and sleepy (sedation).",
}


def guide_context(episode: Episode) -> dict[str, Any]:
    patient, limb = episode.patient, episode.limb
    plan = episode.plans.select_related("implant").first()
    clinic = (
        episode.patient.care_teams.filter(
            organisation__kind=OrganisationKind.OI_CLINIC, until__isnull=True
        )
        .select_related("organisation")
        .first()
    )
    organisation = clinic.organisation if clinic else None
    coordinators = (
        [
            m.user.get_full_name() or m.user.username
            for m in organisation.memberships.filter(role=Role.COORDINATOR).select_related("user")
        ]
        if organisation
        else []
    )
    staged = bool(plan and plan.strategy == "staged")
    steps = [s for s in STEPS if s.plain]
    return {
        "patient": patient,
        "episode": episode,
        "limb": limb,
        "plan": plan,
        "site_words": SITE_WORDS.get(limb.site, "your bone"),
        "staged": staged,
        "window": f"{plan.window_min} to {plan.window_max} {plan.window_unit}"
        if plan and plan.window_unit
        else "",
        "stages": list(plan.stages.all()) if plan else [],
        "anaesthesia_words": ANAESTHESIA_WORDS.get(plan.anaesthesia, "") if plan else "",
        "anaesthesia_label": ANAESTHESIA_LABELS.get(plan.anaesthesia, "") if plan else "",
        "steps": steps,
        "organisation": organisation,
        "coordinators": coordinators,
        "press_fit": bool(plan and plan.fixation == "press_fit"),
    }
