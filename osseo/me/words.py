"""The patient's own pages in plain words: where each phase of the pathway leaves them and what
comes next, how a limb is named, when a part is due. Descriptions of Osseo's pathway
(osseo/pathway/models.py) in the voice of the clinic's guide (docs/sources.md#clinic-guide); no
clinical rule or number is set here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from osseo.sites import PROFILES
from osseo.surgery.guide import CRANIOFACIAL_WORDS
from osseo.surgery.guide import limb_words as limb_words  # the guide's, for their pages
from osseo.surgery.operative import PART_WORDS
from osseo.surgery.systems import system_for


@dataclass(frozen=True)
class PhaseWords:
    title: str  # where they are, as a heading
    now: str  # what it means
    next: str  # what comes next


# The pathway's phases as the patient lives them. Surgery and rehabilitation follow the guide
# ("Post-Surgery Rehabilitation": with the clinic's rehabilitation partner, with the team's
# information sheets; docs/sources.md#clinic-guide); follow-up visits follow the clinic's schedule
# (docs/sources.md#follow-up-schedule); connector parts need regular maintenance
# (docs/sources.md#connector-parts).
PHASES: dict[str, PhaseWords] = {
    "referral": PhaseWords(
        "Your referral has reached the clinic",
        "The clinic has your referral and is looking at it.",
        "The team will contact you to arrange an assessment.",
    ),
    "assessment": PhaseWords(
        "You are being assessed",
        "The team is finding out whether osseointegration is right for you. Your case is "
        "discussed at a meeting of the whole team (the MDT).",
        "The team will talk the result through with you.",
    ),
    "planning": PhaseWords(
        "Your surgery is being planned",
        "Your surgeon is planning your operation: one operation or more, the anaesthetic and "
        "the implant.",
        "Your plan and your guide fill in as the plan is made. The clinic will agree the date "
        "with you.",
    ),
    "surgery": PhaseWords(
        "Your surgery",
        "This is the time of your operation, or operations if your surgery is in stages.",
        "After surgery comes rehabilitation, with the rehabilitation team.",
    ),
    "rehabilitation": PhaseWords(
        "Rehabilitation",
        "You are working with the rehabilitation team to get used to your prosthesis. Your team "
        "gives you information sheets for this phase.",
        "Keep your diary and answer the questionnaires the clinic asks. Check-ups follow the "
        "clinic's schedule.",
    ),
    "follow_up": PhaseWords(
        "Follow-up",
        "Your care continues with regular check-ups. The parts that connect your implant to your "
        "prosthesis need regular maintenance and replacement, depending on how active you are.",
        "The clinic books your check-ups and tells you when a part is due for a service.",
    ),
    "declined": PhaseWords(
        "Not going ahead",
        "Osseointegration is not going ahead for this limb.",
        "If you have any questions about this, please contact the clinic.",
    ),
    "closed": PhaseWords(
        "This part of your care has ended",
        "The clinic has closed this part of your care.",
        "If you need the clinic again, please contact them.",
    ),
}

# Head and neck implants: the clinic's guide speaks of limbs only, so after surgery these sites
# say what the clinic's own head-and-neck words say (osseo/surgery/guide.py, CRANIOFACIAL_WORDS),
# never the limb's prosthesis and rehabilitation (the site profile's guide text decides).
CRANIOFACIAL_PHASES: dict[str, PhaseWords] = {
    "rehabilitation": PhaseWords(
        "After your operation",
        CRANIOFACIAL_WORDS["after"],
        "Your team will tell you the next step.",
    ),
    "follow_up": PhaseWords(
        "Follow-up",
        "Your care continues with regular check-ups. " + CRANIOFACIAL_WORDS["parts"],
        "The clinic books your check-ups and tells you when a part is due for a service.",
    ),
}


# A limb whose implant a signed explantation took out (and none placed since): whatever the
# episode's phase, not "after surgery comes rehabilitation" nor parts to maintain.
EXPLANTED = PhaseWords(
    "Your implant has been taken out",
    "Your implant was taken out in an operation.",
    "Your team will talk with you about what comes next. If you have any questions, please "
    "contact the clinic.",
)


def phase_words(phase: str, site: str) -> PhaseWords | None:
    """Where this phase leaves the patient, in the words for their implant's site."""
    if PROFILES[site].guide_text == "craniofacial" and phase in CRANIOFACIAL_PHASES:
        return CRANIOFACIAL_PHASES[phase]
    return PHASES.get(phase)


def parts_care(site: str) -> str:
    """How the parts on this site's implant are looked after: the guide's words for a limb's
    dualcone ("Attachment of Dualcone", docs/sources.md#clinic-guide), the clinic's own for a head
    or neck abutment."""
    if PROFILES[site].guide_text == "craniofacial":
        return CRANIOFACIAL_WORDS["parts"]
    return (
        "The parts that connect your implant to your prosthesis are designed to reduce wear and "
        "tear on the implant from daily activity. Like the parts of your prosthesis, they need "
        "regular maintenance and replacement; how often depends on how active you are."
    )


# The steps shown as "where you are": the pathway in order (declined and closed are not steps).
PATHWAY = ("referral", "assessment", "planning", "surgery", "rehabilitation", "follow_up")
STEP_NAMES = {
    "referral": "Referral",
    "assessment": "Assessment",
    "planning": "Planning",
    "surgery": "Surgery",
    "rehabilitation": "Rehabilitation",
    "follow_up": "Follow-up",
}


def pathway_steps(phase: str) -> list[dict[str, str]]:
    """Each step of the pathway with its state for this phase: done, current or to come."""
    if phase not in PATHWAY:
        return []
    here = PATHWAY.index(phase)
    return [
        {
            "name": STEP_NAMES[code],
            "state": "done" if i < here else "current" if i == here else "todo",
        }
        for i, code in enumerate(PATHWAY)
    ]


def month_words(day: dt.date) -> str:
    """ "March 2027": when a part is due, said as a month (a forecast, not a date)."""
    return day.strftime("%B %Y")


# An operation the patient has had, in plain words (the kinds of osseo/surgery/models.py,
# ProcedureKind); the second stage attaches the implant system's own parts (a limb's dualcone, a
# head or neck abutment), as the guide's stages say (osseo/surgery/guide.py, STAGE_WORDS).
OPERATION_WORDS = {
    "single_stage": "Your implant operation, in one stage",
    "stage_1": "Your first operation: the implant placed in the bone",
    "stage_2": "Your second operation: the {parts} attached to the implant",
    "stage_n": "A further operation of your surgery in stages",
    "revision": "An operation to renew or repair your implant or its parts (a revision)",
    "explantation": "An operation to take out your implant",
    "debridement": "An operation to clean the wound and the tissue around your implant",
    "soft_tissue_refashioning": "An operation to reshape the skin and soft tissue around your "
    "implant",
}


def parts_words(plan: Any, site: str) -> str:
    """ "dualcone adaptor", "abutment": the parts the implant system attaches to the implant."""
    system = system_for(plan.implant.system if plan and plan.implant else None, site=site)
    return " and ".join(PART_WORDS.get(p, p) for p in system.parts)


def operation_words(kind: str, parts: str) -> str:
    return OPERATION_WORDS.get(kind, "An operation").format(parts=parts)
