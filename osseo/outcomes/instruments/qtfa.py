"""Q-TFA, the Questionnaire for Persons with a Transfemoral Amputation: structure and scoring.

Hagberg K, Brånemark R, Hägg O. Questionnaire for Persons with a Transfemoral Amputation (Q-TFA):
initial validity and reliability of a new outcome measure. J Rehabil Res Dev 2004;41(5):695-706.
https://www.rehab.research.va.gov/jour/04/41/5/abshagberg.html

Osseo ships the structure and the scoring arithmetic, never the item wording: permission to
reproduce the instrument is the clinic's to obtain, and the clinic supplies the wording in a file
(see :func:`load_item_text`). Without it each item reads "Q-TFA item <linkId> (wording supplied by
the clinic)". The ``linkId`` values are Osseo's own (``capability.3``), not the printed numbering.

What is verified, and against what:

* [V] Four scores, each 0-100: prosthetic use, mobility, problem, global (Hagberg 2004 abstract).
* [V] Prosthetic use is days per week the prosthesis is worn multiplied by hours worn per day;
  100 means 7 days a week for more than 15 hours a day. Mobility is the average of three
  subscores: capability (12 items), use of walking aid (2 items) and walking habits (5 items).
  A higher problem score means more serious problems. Global summarises 3 questions answered on
  a 5-point Likert scale, 100 the best overall situation. (NICE interventional procedures
  consultation 2473, "Outcome measures", https://nice.org.uk/consultations/2473/7/outcome-measures)
* [V] The problem section has 30 separate problem items (Hagberg K, Hansson E, Brånemark R.
  Outcome of percutaneous osseointegrated prostheses for patients with unilateral transfemoral
  amputation at two-year follow-up. Arch Phys Med Rehabil 2014, doi 10.1016/j.apmr.2014.07.009).

NOT verified (the published scoring tables were not available to us), so none is a constant here;
each is a field of :class:`QtfaRules`, which the clinic supplies from the Q-TFA manual/paper:

* the response options of every item and the points (0-100) each response is worth;
* the hours each response of the hours-per-day item stands for;
* how a section's item points combine (Osseo takes their mean, which equals a linear 0-100
  transform of the raw sum when the points are equally spaced: an ASSUMPTION, not verified);
* how days x hours is put on 0-100 (Osseo takes days x hours / (7 x the top hours value) x 100,
  which gives 100 for 7 days at the top hours response: an ASSUMPTION, not verified);
* that all 30 problem items enter the problem score (ASSUMPTION, not verified);
* the handling of unanswered items. Osseo computes no score from a section with an unanswered
  item (the score is ``None``) rather than impute: a conservative choice, not Hagberg's rule.

Until rules are supplied, :func:`score` raises :class:`ScoringNotConfigured`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from osseo.interop.systems import QUESTIONNAIRE
from osseo.outcomes.instruments.instrument import (
    Answers,
    Instrument,
    Scale,
    Scores,
    ScoringError,
    ScoringNotConfigured,
    normalise_answers,
)
from osseo.outcomes.instruments.item_text import read_item_text

QUESTIONNAIRE_URL = f"{QUESTIONNAIRE}/q-tfa"  # osseo/interop/systems.py

# The residual-limb site the Q-TFA is for: transfemoral amputation.
SITES = ("femur",)

DAYS = "use.days"
HOURS = "use.hours"
MAX_DAYS_PER_WEEK = 7

# Sections of items whose points the clinic's rules supply: (section, label, item count).
# Counts: NICE consultation 2473 (capability 12, walking aid 2, walking habits 5, global 3);
# Hagberg et al. 2014 (30 problem items). See the module docstring.
_SECTIONS: tuple[tuple[str, str, int], ...] = (
    ("capability", "Capability", 12),
    ("walking-aid", "Use of walking aid", 2),
    ("walking-habits", "Walking habits", 5),
    ("problem", "Problems", 30),
    ("global", "Global", 3),
)
SECTION_LABELS: dict[str, str] = {section: label for section, label, _ in _SECTIONS}
SECTION_ITEMS: dict[str, tuple[str, ...]] = {
    section: tuple(f"{section}.{n}" for n in range(1, count + 1)) for section, _, count in _SECTIONS
}
MOBILITY_SECTIONS = ("capability", "walking-aid", "walking-habits")

LINK_IDS: tuple[str, ...] = (
    DAYS,
    HOURS,
    *(link_id for items in SECTION_ITEMS.values() for link_id in items),
)

SCALES: tuple[Scale, ...] = (
    Scale("prosthetic_use", "Prosthetic use", higher_is_better=True),
    Scale("mobility", "Mobility", higher_is_better=True),
    Scale("problem", "Problem", higher_is_better=False),
    Scale("global", "Global", higher_is_better=True),
)


@dataclass(frozen=True)
class QtfaRules:
    """The Q-TFA numbers Osseo could not verify, supplied by the clinic. NOT VALIDATED by Osseo.

    ``hours_per_day``: response number of the hours-per-day item -> hours it stands for.
    ``section_points``: section (``capability``, ``walking-aid``, ``walking-habits``,
    ``problem``, ``global``) -> response number -> points on 0-100. For ``problem`` the points
    must already run the published way round (higher = worse).
    ``item_points``: linkId -> response number -> points, for an item scored differently from
    the rest of its section (a reversed item, say); it takes precedence over its section's.
    ``source``: where the numbers were read (shown beside the scores).
    ``validated``: whether a clinician has checked them against the published instrument.
    """

    source: str
    hours_per_day: Mapping[int, float]
    section_points: Mapping[str, Mapping[int, float]]
    item_points: Mapping[str, Mapping[int, float]] = field(default_factory=dict)
    validated: bool = False

    def __post_init__(self) -> None:
        if not self.source.strip():
            raise ValueError("Q-TFA rules need a source: where were these numbers read?")
        _check_points("hours_per_day", self.hours_per_day, upper=None)
        if max(self.hours_per_day.values()) <= 0:
            raise ValueError("hours_per_day: the top response must stand for more than 0 hours")
        for section, points in self.section_points.items():
            if section not in SECTION_ITEMS:
                raise ValueError(f"section_points: no Q-TFA section {section!r}")
            _check_points(f"section_points[{section!r}]", points, upper=100)
        for link_id, points in self.item_points.items():
            if link_id not in LINK_IDS or link_id in (DAYS, HOURS):
                raise ValueError(f"item_points: no scored Q-TFA item {link_id!r}")
            _check_points(f"item_points[{link_id!r}]", points, upper=100)
        missing = [
            link_id
            for section, items in SECTION_ITEMS.items()
            for link_id in items
            if section not in self.section_points and link_id not in self.item_points
        ]
        if missing:
            raise ValueError(f"no points given for items: {', '.join(missing)}")

    def points_for(self, link_id: str) -> Mapping[int, float]:
        if link_id in self.item_points:
            return self.item_points[link_id]
        return self.section_points[link_id.split(".", 1)[0]]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> QtfaRules:
        """Build rules from parsed JSON, whose response numbers are string keys.

        ``{"source": "...", "validated": false, "hours_per_day": {"1": 0, ...},
        "section_points": {"capability": {"1": 0, ...}, ...}, "item_points": {...}}``
        """
        unknown = set(data) - {
            "source",
            "validated",
            "hours_per_day",
            "section_points",
            "item_points",
        }
        if unknown:
            raise ValueError(f"unknown Q-TFA rules keys: {', '.join(sorted(unknown))}")
        try:
            return cls(
                source=str(data["source"]),
                validated=bool(data.get("validated", False)),
                hours_per_day=_response_table("hours_per_day", data["hours_per_day"]),
                section_points={
                    section: _response_table(f"section_points[{section!r}]", table)
                    for section, table in data["section_points"].items()
                },
                item_points={
                    link_id: _response_table(f"item_points[{link_id!r}]", table)
                    for link_id, table in data.get("item_points", {}).items()
                },
            )
        except KeyError as missing:
            raise ValueError(f"Q-TFA rules need {missing.args[0]!r}") from None


def _check_points(name: str, table: Mapping[int, float], upper: float | None) -> None:
    if not table:
        raise ValueError(f"{name}: empty")
    for response, points in table.items():
        if isinstance(response, bool) or not isinstance(response, int):
            raise ValueError(f"{name}: response numbers must be integers, got {response!r}")
        if isinstance(points, bool) or not isinstance(points, int | float):
            raise ValueError(f"{name}[{response}]: must be a number, got {points!r}")
        if points < 0 or (upper is not None and points > upper):
            limit = f"0-{upper}" if upper is not None else "at least 0"
            raise ValueError(f"{name}[{response}] = {points}: must be {limit}")


def _response_table(name: str, table: Any) -> dict[int, float]:
    if not isinstance(table, Mapping):
        raise ValueError(f"{name}: must map response numbers to values")
    converted: dict[int, float] = {}
    for key, value in table.items():
        try:
            response = int(key)
        except ValueError:
            raise ValueError(f"{name}: response number {key!r} is not an integer") from None
        converted[response] = value
    return converted


def score(answers: Answers, rules: QtfaRules | None = None) -> Scores:
    """Compute the four Q-TFA scores from answers keyed by Osseo's Q-TFA ``linkId``.

    Raises :class:`ScoringNotConfigured` without rules, and :class:`ScoringError` naming the
    item for an unknown item or a response the rules do not list. A score whose items are not
    all answered is ``None``. See the module docstring for what is verified and what is assumed.
    """
    if rules is None:
        raise ScoringNotConfigured(
            "Q-TFA scoring needs the clinic's scoring rules (QtfaRules): the response points "
            "and hours-per-day values of Hagberg et al. 2004 are not verified in Osseo."
        )
    given = normalise_answers(answers, LINK_IDS)
    for link_id, response in given.items():
        if link_id == DAYS:
            allowed: Mapping[int, float] = {d: d for d in range(MAX_DAYS_PER_WEEK + 1)}
        elif link_id == HOURS:
            allowed = rules.hours_per_day
        else:
            allowed = rules.points_for(link_id)
        if response not in allowed:
            listed = ", ".join(str(r) for r in sorted(allowed))
            raise ScoringError(link_id, f"response {response} is not one of {listed}")

    sections = {
        section: _mean([rules.points_for(i)[given[i]] for i in items if i in given], len(items))
        for section, items in SECTION_ITEMS.items()
    }
    # [V] Mobility is the mean of the capability, walking-aid and walking-habits subscores
    # (NICE 2473); it is empty unless all three are complete.
    subscores = [sub for s in MOBILITY_SECTIONS if (sub := sections[s]) is not None]
    complete = len(subscores) == len(MOBILITY_SECTIONS)
    mobility = sum(subscores) / len(subscores) if complete else None
    return {
        "prosthetic_use": _prosthetic_use(given, rules),
        "mobility": mobility,
        "problem": sections["problem"],
        "global": sections["global"],
    }


def _mean(points: list[float], expected: int) -> float | None:
    # Every item of the section must be answered: no imputation (Osseo's choice, see above).
    if len(points) < expected:
        return None
    return sum(points) / expected


def _prosthetic_use(given: Mapping[str, int], rules: QtfaRules) -> float | None:
    if DAYS not in given or HOURS not in given:
        return None
    # [V] days per week x hours per day; 100 is 7 days a week at more than 15 hours a day, so the
    # rules' top hours response must be that one. The linear scaling in between is an
    # ASSUMPTION, not verified (see the module docstring).
    top_hours = max(rules.hours_per_day.values())
    hours = rules.hours_per_day[given[HOURS]]
    return 100 * given[DAYS] * hours / (MAX_DAYS_PER_WEEK * top_hours)


def rules_shape() -> dict[str, Any]:
    """The shape of the rules JSON, to show a clinic admin what to fill in (not valid rules:
    every table is for the clinic to fill from the published instrument)."""
    return {
        "source": "Where the numbers were read, e.g. the Q-TFA manual, page and table",
        "validated": False,
        "hours_per_day": {"<response number>": "<hours it stands for>"},
        "section_points": {
            section: {"<response number>": "<points, 0-100>"} for section, _, _ in _SECTIONS
        },
        "item_points": {"<linkId of an item scored differently, e.g. capability.12>": {}},
    }


# linkIds the clinic's wording file may name: the groups and every answerable item.
TEXT_LINK_IDS: tuple[str, ...] = ("use", *(s for s, _, _ in _SECTIONS), *LINK_IDS)


def placeholder_text(link_id: str) -> str:
    return f"Q-TFA item {link_id} (wording supplied by the clinic)"


def responses_of(link_id: str, rules: QtfaRules) -> list[int]:
    """The response numbers an item accepts under the clinic's rules, in order."""
    if link_id == DAYS:
        return list(range(MAX_DAYS_PER_WEEK + 1))
    if link_id == HOURS:
        return sorted(rules.hours_per_day)
    return sorted(rules.points_for(link_id))


def option_text(text: Mapping[str, str], link_id: str, response: int) -> str:
    """A response's wording: the item's own (``capability.3#2``), else its section's
    (``capability#2``), else the bare response number."""
    section = link_id.split(".", 1)[0]
    return text.get(f"{link_id}#{response}") or text.get(f"{section}#{response}") or str(response)


def questionnaire(
    item_text: Mapping[str, str] | None = None, rules: QtfaRules | None = None
) -> dict[str, Any]:
    """The Q-TFA structure as a FHIR-R4-shaped Questionnaire, with the clinic's wording if given.

    ``item_text`` maps a ``linkId`` (an item, or a section's group) to its wording, and
    ``<linkId>#<response>`` or ``<section>#<response>`` to a response's wording; what it leaves
    out keeps the placeholder text. With the clinic's ``rules``, every item lists the responses
    the rules score as ``answerOption`` (``choice`` items); without them items take a number.
    """
    text = dict(item_text or {})

    def answerable(link_id: str, extensions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        item: dict[str, Any] = {
            "linkId": link_id,
            "text": text.get(link_id, placeholder_text(link_id)),
            "type": "integer",
            "required": False,
        }
        if rules is not None:
            item["type"] = "choice"
            item["answerOption"] = [
                {"valueCoding": {"code": str(n), "display": option_text(text, link_id, n)}}
                for n in responses_of(link_id, rules)
            ]
        elif extensions:
            item["extension"] = extensions
        return item

    groups: list[dict[str, Any]] = [
        {
            "linkId": "use",
            "text": text.get("use", "Prosthetic use"),
            "type": "group",
            "item": [
                answerable(
                    DAYS,
                    [
                        {
                            "url": "http://hl7.org/fhir/StructureDefinition/minValue",
                            "valueInteger": 0,
                        },
                        {
                            "url": "http://hl7.org/fhir/StructureDefinition/maxValue",
                            "valueInteger": MAX_DAYS_PER_WEEK,
                        },
                    ],
                ),
                answerable(HOURS),
            ],
        }
    ]
    for section, label, _ in _SECTIONS:
        groups.append(
            {
                "linkId": section,
                "text": text.get(section, label),
                "type": "group",
                "item": [answerable(link_id) for link_id in SECTION_ITEMS[section]],
            }
        )
    return {
        "resourceType": "Questionnaire",
        "url": QUESTIONNAIRE_URL,
        "name": "QTFA",
        "title": "Questionnaire for Persons with a Transfemoral Amputation (Q-TFA)",
        "status": "draft",
        "description": (
            "Structure of the Q-TFA (Hagberg, Brånemark, Hägg, J Rehabil Res Dev "
            "2004;41(5):695-706). Answers are the response numbers on the clinic's form. "
            "Item wording is supplied by the clinic; the scoring rules are the clinic's "
            "and are not validated by Osseo."
        ),
        "copyright": (
            "The Q-TFA is the work of Hagberg K, Brånemark R and Hägg O. Osseo does not "
            "distribute its wording; permission to reproduce it is the clinic's to obtain."
        ),
        "item": groups,
    }


def load_item_text(path: str | Path) -> dict[str, Any]:
    """The Q-TFA questionnaire with the wording read from the clinic's file merged in.

    The file is JSON (``{"capability.1": "wording", ...}``) or CSV (header ``linkId,text``);
    see :func:`osseo.outcomes.instruments.item_text.read_item_text` for the format and errors.
    """
    return questionnaire(read_item_text(path, known_link_ids=TEXT_LINK_IDS, options=True))


def instrument(
    rules: QtfaRules | None = None, item_text: Mapping[str, str] | None = None
) -> Instrument:
    """The Q-TFA as an :class:`Instrument`, scored with ``rules`` and worded with ``item_text``."""
    return Instrument(
        code="q-tfa",
        build_questionnaire=partial(questionnaire, item_text, rules),
        scales=SCALES,
        scorer=partial(score, rules=rules),
        sites=SITES,
    )
