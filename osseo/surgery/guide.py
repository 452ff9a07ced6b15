"""The personalised patient guide: the clinic's guide, narrowed to this patient's plan.

Wording follows the seed guide (docs/sources.md#clinic-guide) and claims no
more than it does; every section names where it comes from.
"""

from __future__ import annotations

from typing import Any

from osseo.accounts.models import OrganisationKind, Role
from osseo.pathway.models import Episode
from osseo.patients.sites import PROFILES

from .operative import PART_WORDS, STEPS
from .rules import ANAESTHESIA_LABELS
from .systems import system_for

SITE_WORDS = {
    "femur": "your thigh bone (femur)",
    "tibia": "your shin bone (tibia)",
    "humerus": "your upper-arm bone (humerus)",
    "radius_ulna": "your forearm bones (radius and ulna)",
    "hand": "the bones of your hand",
    "craniofacial": "the bone of your head or face",
}


def limb_words(limb: Any) -> str:
    """ "your left thigh bone (femur)": a limb in the guide's words, with its side."""
    words = SITE_WORDS.get(limb.site, "your bone")
    side = limb.side if limb.side in ("left", "right") else ""
    return words.replace("your ", f"your {side} ", 1) if side else words


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


# The head-and-neck guide: the clinic's guide speaks of limbs only, so these words are the
# clinic's own and are shown labelled "not validated" (osseo/patients/sites.py, guide_text).
CRANIOFACIAL_WORDS = {
    "operation": "A small implant is placed into the bone of your head or face. An abutment "
    "joins it and passes through the skin; it carries your epithesis (facial prosthesis).",
    "incision": "An incision is made over the bone where the implant goes, to expose the bone.",
    "heterotopic_ossification": "",
    "soft_tissue": "The skin and soft tissue around the implant site are thinned and shaped so "
    "that the skin lies still around the abutment.",
    "bone_preparation": "The bone is prepared with special instruments so that the implant "
    "fits it.",
    "implant_insertion": "The implant is placed into the prepared bone.",
    "closure": "The skin is closed; where the abutment passes through, a small opening is left.",
    "parts": "The abutment carries your epithesis (facial prosthesis). It needs regular "
    "cleaning and check-ups by your team.",
    "after": "Once the abutment is in place and the skin has healed, your epithesis is made and "
    "fitted to it.",
}

# What each stage does in a staged plan: "S1 insert implant; S2 attach abutment" (NICE IPG270
# §2.2, docs/sources.md#implant-fixation); the parts named are the implant system's.
STAGE_WORDS = {
    1: "The first operation places the implant in the bone and closes the skin over it; it is "
    "left to join with the bone (integrate).",
    2: "The second operation opens the skin at a small opening and attaches the {parts} to the "
    "implant, ready for your prosthesis.",
}

# Guide, "Implant Insertion": quoted as the clinic's guide says it, never as a finding
# (docs/sources.md#one-or-two-stages: no published source supports it directly).
PRESS_FIT_QUOTE = (
    "The implants we use at Relimb are “press fit” which have been shown to have fewer "
    "complications, particularly in the lower limb."
)


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
    # The rehabilitation partners the patient is referred to now, with their contact details.
    partners = [
        r.organisation
        for r in patient.referrals.filter(withdrawn_at__isnull=True).select_related("organisation")
    ]
    staged = bool(plan and plan.strategy == "staged")
    profile = PROFILES[limb.site]
    craniofacial = profile.guide_text == "craniofacial"
    system = system_for(plan.implant.system if plan and plan.implant else None, site=limb.site)
    part_words = " and ".join(PART_WORDS.get(p, p) for p in system.parts)
    # The anaesthesia has its own section (from the plan); the guide's steps follow, in the
    # site's words; the transcutaneous part is the implant system's.
    steps = []
    for step in STEPS:
        if not step.plain or step.key == "anaesthesia":
            continue
        if step.key == "dualcone":
            plain = (
                CRANIOFACIAL_WORDS["parts"]
                if craniofacial
                else f"The {part_words} {'is' if len(system.parts) == 1 else 'are'} attached to "
                "the end of the bone-anchor and will connect to your prosthesis."
            )
            steps.append({"title": f"Attachment of the {part_words}", "plain": plain})
            continue
        plain = CRANIOFACIAL_WORDS.get(step.key, step.plain) if craniofacial else step.plain
        if plain:
            steps.append({"title": step.title, "plain": plain})
    stage_words = [STAGE_WORDS[n].format(parts=part_words) for n in (1, 2) if staged]
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
        "partners": partners,
        "coordinators": coordinators,
        "press_fit": bool(plan and plan.fixation == "press_fit") and not craniofacial,
        "press_fit_quote": PRESS_FIT_QUOTE,
        "craniofacial": craniofacial,
        "craniofacial_words": CRANIOFACIAL_WORDS,
        "part_words": part_words,
        "system": system,
        "stage_words": stage_words,
        "regional": bool(plan and plan.anaesthesia == "regional_iv_sedation"),
    }
