"""RAND 36-Item Health Survey 1.0: its items and RAND's published scoring.

The survey is RAND's, developed as part of the Medical Outcomes Study (MOS). RAND's terms of use
let anyone use it without further permission provided changes are identified as the user's and
printed copies carry a credit line saying it was developed at RAND as part of the MOS
(RAND, "Terms and Conditions for Using the 36-Item Short Form Survey (SF-36)",
https://www.rand.org/health/surveys_tools/mos/36-item-short-form.html).

Item wording and response labels follow RAND's "RAND 36-Item Health Survey 1.0 Questionnaire
Items" page (https://www.rand.org/health/surveys_tools/mos/36-item-short-form/survey-instrument.html).
The only change Osseo makes is structural: the shared instructions ("stems") that head a block of
items on RAND's form are separate ``display`` items here.

Scoring is RAND's two steps: recode each item to 0-100 (Table 1 below), then average the recoded
items of each scale (Table 2 below), leaving unanswered items out of the average.
"""

from __future__ import annotations

import copy
from types import MappingProxyType
from typing import Any

from osseo.interop.systems import QUESTIONNAIRE, local
from osseo.outcomes.instruments.instrument import (
    Answers,
    Instrument,
    Scale,
    Scores,
    ScoringError,
    normalise_answers,
)

QUESTIONNAIRE_URL = f"{QUESTIONNAIRE}/rand-36"  # osseo/interop/systems.py
# A local code system: a response's code is its number on RAND's form for that item. No LOINC or
# SNOMED codes are used (none is verified for RAND-36; see docs/sources.md#verified-codes).
ANSWER_SYSTEM = local("rand36-answer")

# --- Response options, in the order and with the numbers printed on RAND's form --------------
_EXCELLENT_TO_POOR = ("Excellent", "Very good", "Good", "Fair", "Poor")
_CHANGE_SINCE_LAST_YEAR = (
    "Much better now than one year ago",
    "Somewhat better now than one year ago",
    "About the same",
    "Somewhat worse now than one year ago",
    "Much worse now than one year ago",
)
_LIMITED = ("Yes, limited a lot", "Yes, limited a little", "No, not limited at all")
_YES_NO = ("Yes", "No")
_SOCIAL_EXTENT = ("Not at all", "Slightly", "Moderately", "Quite a bit", "Extremely")
_PAIN_SEVERITY = ("None", "Very mild", "Mild", "Moderate", "Severe", "Very severe")
_PAIN_INTERFERENCE = ("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely")
_TIME_SIX = (
    "All of the time",
    "Most of the time",
    "A good bit of the time",
    "Some of the time",
    "A little of the time",
    "None of the time",
)
_TIME_FIVE = (
    "All of the time",
    "Most of the time",
    "Some of the time",
    "A little of the time",
    "None of the time",
)
_TRUE_FALSE = ("Definitely true", "Mostly true", "Don't know", "Mostly false", "Definitely false")

# --- Block instructions, shown before the item they precede ----------------------------------
_STEMS: dict[int, tuple[str, str]] = {
    3: (
        "stem-activities",
        "The following items are about activities you might do during a typical day. "
        "Does your health now limit you in these activities? If so, how much?",
    ),
    13: (
        "stem-physical-health",
        "During the past 4 weeks, have you had any of the following problems with your work "
        "or other regular daily activities as a result of your physical health?",
    ),
    17: (
        "stem-emotional-problems",
        "During the past 4 weeks, have you had any of the following problems with your work "
        "or other regular daily activities as a result of any emotional problems (such as "
        "feeling depressed or anxious)?",
    ),
    23: (
        "stem-feelings",
        "These questions are about how you feel and how things have been with you during the "
        "past 4 weeks. For each question, please give the one answer that comes closest to the "
        "way you have been feeling. How much of the time during the past 4 weeks...",
    ),
    33: (
        "stem-true-false",
        "How TRUE or FALSE is each of the following statements for you.",
    ),
}

# --- The 36 items: (number, RAND's wording, response labels) ---------------------------------
_ITEMS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (1, "In general, would you say your health is:", _EXCELLENT_TO_POOR),
    (
        2,
        "Compared to one year ago, how would you rate your health in general now?",
        _CHANGE_SINCE_LAST_YEAR,
    ),
    (
        3,
        "Vigorous activities, such as running, lifting heavy objects, participating in "
        "strenuous sports",
        _LIMITED,
    ),
    (
        4,
        "Moderate activities, such as moving a table, pushing a vacuum cleaner, bowling, or "
        "playing golf",
        _LIMITED,
    ),
    (5, "Lifting or carrying groceries", _LIMITED),
    (6, "Climbing several flights of stairs", _LIMITED),
    (7, "Climbing one flight of stairs", _LIMITED),
    (8, "Bending, kneeling, or stooping", _LIMITED),
    (9, "Walking more than a mile", _LIMITED),
    (10, "Walking several blocks", _LIMITED),
    (11, "Walking one block", _LIMITED),
    (12, "Bathing or dressing yourself", _LIMITED),
    (13, "Cut down the amount of time you spent on work or other activities", _YES_NO),
    (14, "Accomplished less than you would like", _YES_NO),
    (15, "Were limited in the kind of work or other activities", _YES_NO),
    (
        16,
        "Had difficulty performing the work or other activities (for example, it took extra "
        "effort)",
        _YES_NO,
    ),
    (17, "Cut down the amount of time you spent on work or other activities", _YES_NO),
    (18, "Accomplished less than you would like", _YES_NO),
    (19, "Didn't do work or other activities as carefully as usual", _YES_NO),
    (
        20,
        "During the past 4 weeks, to what extent has your physical health or emotional "
        "problems interfered with your normal social activities with family, friends, "
        "neighbors, or groups?",
        _SOCIAL_EXTENT,
    ),
    (21, "How much bodily pain have you had during the past 4 weeks?", _PAIN_SEVERITY),
    (
        22,
        "During the past 4 weeks, how much did pain interfere with your normal work "
        "(including both work outside the home and housework)?",
        _PAIN_INTERFERENCE,
    ),
    (23, "Did you feel full of pep?", _TIME_SIX),
    (24, "Have you been a very nervous person?", _TIME_SIX),
    (25, "Have you felt so down in the dumps that nothing could cheer you up?", _TIME_SIX),
    (26, "Have you felt calm and peaceful?", _TIME_SIX),
    (27, "Did you have a lot of energy?", _TIME_SIX),
    (28, "Have you felt downhearted and blue?", _TIME_SIX),
    (29, "Did you feel worn out?", _TIME_SIX),
    (30, "Have you been a happy person?", _TIME_SIX),
    (31, "Did you feel tired?", _TIME_SIX),
    (
        32,
        "During the past 4 weeks, how much of the time has your physical health or emotional "
        "problems interfered with your social activities (like visiting with friends, "
        "relatives, etc.)?",
        _TIME_FIVE,
    ),
    (33, "I seem to get sick a little easier than other people", _TRUE_FALSE),
    (34, "I am as healthy as anybody I know", _TRUE_FALSE),
    (35, "I expect my health to get worse", _TRUE_FALSE),
    (36, "My health is excellent", _TRUE_FALSE),
)

# --- RAND Table 1, "Step 1: Recoding Items": original response number -> recoded value -------
# Source: RAND, "Medical Outcomes Study: 36-Item Short Form Survey Scoring Instructions",
# "Scoring Rules for the RAND 36-Item Health Survey (Version 1.0)", Table 1,
# http://www.rand.org/health/surveys_tools/mos/mos_core_36item_scoring.html
# Transcribed row by row; cross-checked against the same table reproduced in "Scoring the RAND
# SF-36-item Health Survey 1.0", http://chiro.org/LINKS/How_to_score_the_SF-36.shtml (from Top
# Clin Chiro 1994;1(1):51-59). Each item scores 0-100, a high score the more favourable state.
_RECODE_TABLE: tuple[tuple[tuple[int, ...], dict[int, int]], ...] = (
    ((1, 2, 20, 22, 34, 36), {1: 100, 2: 75, 3: 50, 4: 25, 5: 0}),
    ((3, 4, 5, 6, 7, 8, 9, 10, 11, 12), {1: 0, 2: 50, 3: 100}),
    ((13, 14, 15, 16, 17, 18, 19), {1: 0, 2: 100}),
    ((21, 23, 26, 27, 30), {1: 100, 2: 80, 3: 60, 4: 40, 5: 20, 6: 0}),
    ((24, 25, 28, 29, 31), {1: 0, 2: 20, 3: 40, 4: 60, 5: 80, 6: 100}),
    ((32, 33, 35), {1: 0, 2: 25, 3: 50, 4: 75, 5: 100}),
)
RECODE: MappingProxyType[int, MappingProxyType[int, int]] = MappingProxyType(
    {item: MappingProxyType(values) for items, values in _RECODE_TABLE for item in items}
)

# --- RAND Table 2, "Step 2: Averaging Items to Form Scales" (same source as Table 1) ---------
# Item 2 (change in health) belongs to no scale. Every scale is scored so higher is better.
_SCALE_TABLE: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("physical_functioning", "Physical functioning", (3, 4, 5, 6, 7, 8, 9, 10, 11, 12)),
    ("role_physical", "Role limitations due to physical health", (13, 14, 15, 16)),
    ("role_emotional", "Role limitations due to emotional problems", (17, 18, 19)),
    ("energy_fatigue", "Energy/fatigue", (23, 27, 29, 31)),
    ("emotional_wellbeing", "Emotional well-being", (24, 25, 26, 28, 30)),
    ("social_functioning", "Social functioning", (20, 32)),
    ("pain", "Pain", (21, 22)),
    ("general_health", "General health", (1, 33, 34, 35, 36)),
)
SCALES: tuple[Scale, ...] = tuple(
    Scale(code, label, higher_is_better=True) for code, label, _ in _SCALE_TABLE
)
SCALE_ITEMS: MappingProxyType[str, tuple[int, ...]] = MappingProxyType(
    {code: items for code, _, items in _SCALE_TABLE}
)

LINK_IDS: tuple[str, ...] = tuple(str(number) for number, _, _ in _ITEMS)


def score(answers: Answers) -> Scores:
    """Score RAND-36 answers with RAND's published method.

    ``answers`` maps an item number (``1`` or ``"1"``) to the number of the chosen response on
    RAND's form. An unanswered item (absent, or ``None``) is left out of its scale's average; a
    scale with no answered item is ``None``. An unknown item, or a response number the item does
    not have, raises :class:`ScoringError` naming the item. Scores are not rounded.
    """
    recoded: dict[int, int] = {}
    for link_id, response in normalise_answers(answers, LINK_IDS).items():
        item = int(link_id)
        values = RECODE[item]
        if response not in values:
            raise ScoringError(
                link_id,
                f"response {response} is outside this item's range {min(values)}-{max(values)}",
            )
        recoded[item] = values[response]

    scores: Scores = {}
    for code, items in SCALE_ITEMS.items():
        answered = [recoded[item] for item in items if item in recoded]
        scores[code] = sum(answered) / len(answered) if answered else None
    return scores


def _build_questionnaire() -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for number, text, labels in _ITEMS:
        if number in _STEMS:
            stem_id, stem_text = _STEMS[number]
            items.append({"linkId": stem_id, "type": "display", "text": stem_text})
        items.append(
            {
                "linkId": str(number),
                "prefix": f"{number}.",
                "text": text,
                "type": "choice",
                "required": False,
                "answerOption": [
                    {
                        "valueCoding": {
                            "system": ANSWER_SYSTEM,
                            "code": str(position),
                            "display": label,
                        }
                    }
                    for position, label in enumerate(labels, start=1)
                ],
            }
        )
    return {
        "resourceType": "Questionnaire",
        "url": QUESTIONNAIRE_URL,
        "version": "1.0",
        "name": "RAND36",
        "title": "RAND 36-Item Health Survey 1.0",
        "status": "active",
        "description": (
            "The RAND 36-Item Health Survey 1.0, scored with RAND's published method: each "
            "item recoded to 0-100 and each of eight scales the mean of its answered items."
        ),
        "copyright": (
            "Public domain. This survey was developed at RAND as part of the Medical Outcomes "
            "Study. Osseo presents each block's instructions as a separate display item; the "
            "item wording is otherwise RAND's."
        ),
        "item": items,
    }


_QUESTIONNAIRE = _build_questionnaire()


def questionnaire() -> dict[str, Any]:
    """The RAND-36 as a FHIR-R4-shaped Questionnaire dict (a fresh copy each call)."""
    return copy.deepcopy(_QUESTIONNAIRE)


INSTRUMENT = Instrument(
    code="rand-36",
    build_questionnaire=questionnaire,
    scales=SCALES,
    scorer=score,
)
