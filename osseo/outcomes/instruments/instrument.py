"""What every scored questionnaire offers, and the one error a bad answer raises.

An instrument is a FHIR-R4-shaped Questionnaire (a plain dict, see
https://hl7.org/fhir/R4/questionnaire.html), the ordered scales it reports, and a pure
``score(answers)`` function. ``answers`` maps an item's ``linkId`` to the number of the chosen
response on the instrument's printed form. Nothing here imports Django.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

Answers = Mapping[str | int, Any]
Scores = dict[str, float | None]


class ScoringError(ValueError):
    """An answer cannot be scored: an unknown item, or a response outside the item's range.

    ``item`` is the item's ``linkId`` as a string (for RAND-36 its number, e.g. ``"21"``), so the
    API can name it in its 422 problem. Scorers raise this instead of clamping or guessing.
    """

    def __init__(self, item: str, message: str) -> None:
        super().__init__(f"item {item}: {message}")
        self.item = item
        self.message = message


class ScoringNotConfigured(RuntimeError):
    """The instrument's scoring rules have not been supplied, so no score can be computed."""


class Scale(NamedTuple):
    """One reported score: its code, its label, and which direction is better."""

    code: str
    label: str
    higher_is_better: bool


@dataclass(frozen=True)
class Instrument:
    """A questionnaire, its scales and its scorer, as the ``outcomes`` app will see them."""

    code: str
    build_questionnaire: Callable[[], dict[str, Any]]
    scales: tuple[Scale, ...]
    scorer: Callable[[Answers], Scores]
    # Residual-limb sites the instrument is meant for; empty means any site.
    sites: tuple[str, ...] = field(default=())

    @property
    def questionnaire(self) -> dict[str, Any]:
        """A fresh copy of the FHIR-shaped Questionnaire, safe for the caller to change."""
        return self.build_questionnaire()

    def score(self, answers: Answers) -> Scores:
        return self.scorer(answers)


def normalise_answers(answers: Answers, link_ids: Iterable[str]) -> dict[str, int]:
    """Return ``{linkId: response number}`` for the answered items, checking keys and types.

    Keys may be ``int`` or ``str`` (``1`` and ``"1"`` name the same item). A ``None`` value means
    the item was left unanswered and is dropped. Any other value must be an ``int`` (not a
    ``bool``, ``float`` or numeric string): a wrongly typed answer is an error, never coerced.
    Whether the number is in the item's range is the scorer's check.
    """
    known = set(link_ids)
    normalised: dict[str, int] = {}
    seen: set[str] = set()
    for key, value in answers.items():
        if isinstance(key, bool) or not isinstance(key, int | str):
            raise ScoringError(str(key), "item keys must be item numbers or linkIds")
        link_id = str(key).strip()
        if link_id not in known:
            raise ScoringError(link_id, "no such item in this questionnaire")
        if link_id in seen:
            raise ScoringError(link_id, "answered twice (as a number and as a string)")
        seen.add(link_id)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScoringError(
                link_id, f"the answer must be a whole response number, got {value!r}"
            )
        normalised[link_id] = value
    return normalised
