"""Pure rules of when a patient is asked for a questionnaire, and what an answer may be.

Plain values in, plain values out; the ORM layer (queries, actions) calls them.

When: outcomes are recorded before surgery, then at each follow-up visit of the clinic's schedule
(3, 6 and 12 months, then yearly by default: docs/sources.md#follow-up-schedule). An occasion
opens `OPENS_BEFORE_DAYS` before its visit, the same horizon as the clinic's follow-up due list
(rehab.queries.visits_due_of), so the answers are in by the visit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

FOLLOW_UP_SOURCE = "docs/sources.md#follow-up-schedule"
# Not a clinical number: how early a visit's questionnaires are offered, the horizon of the
# clinic's own follow-up due list.
OPENS_BEFORE_DAYS = 30


class ScheduledVisit(Protocol):
    @property
    def label(self) -> str: ...  # "6 months", "1 year"

    @property
    def due(self) -> dt.date: ...


@dataclass(frozen=True)
class Occasion:
    """The occasion a questionnaire is asked for now: answers on or after `opens` count for it."""

    label: str  # in the patient's words: "before your operation", "6 months after your operation"
    opens: dt.date
    visit_on: dt.date | None  # the follow-up visit it is for (None: before surgery)

    def answered(self, last_answered: dt.date | None) -> bool:
        return last_answered is not None and last_answered >= self.opens


def occasion(
    *,
    today: dt.date,
    opened_on: dt.date,
    surgery: dt.date | None,
    visits: Sequence[ScheduledVisit],
) -> Occasion | None:
    """The current occasion of an episode: before surgery (from the day the episode opened),
    else the latest visit of the schedule (`visits`, from the surgery date, in date order) that
    has opened by `today`; None between the operation and the first visit's opening."""
    if surgery is None:
        return Occasion("before your operation", opened_on, None)
    horizon = today + dt.timedelta(days=OPENS_BEFORE_DAYS)
    current = [v for v in visits if v.due <= horizon]
    if not current:
        return None
    visit = current[-1]
    opens = max(visit.due - dt.timedelta(days=OPENS_BEFORE_DAYS), surgery)
    return Occasion(f"{visit.label} after your operation", opens, visit.due)


def items_of(definition: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The questions of a FHIR-shaped Questionnaire in order (groups opened, display text left
    out: a display item is shown with the question after it)."""
    found: list[dict[str, Any]] = []

    def walk(items: Iterable[Mapping[str, Any]]) -> None:
        for item in items:
            if item.get("type") == "group":
                walk(item.get("item", []))
            elif item.get("type") != "display":
                found.append(dict(item))

    walk(definition.get("item", []))
    return found


def allowed_values(item: Mapping[str, Any]) -> tuple[set[int] | None, int | None, int | None]:
    """(the response numbers a choice item offers, or None; an integer item's min and max)."""
    codes = {
        int(o["valueCoding"]["code"])
        for o in item.get("answerOption", [])
        if str(o.get("valueCoding", {}).get("code", "")).lstrip("-").isdigit()
    }
    low = high = None
    for ext in item.get("extension", []):
        if ext.get("url", "").endswith("/minValue"):
            low = ext.get("valueInteger")
        elif ext.get("url", "").endswith("/maxValue"):
            high = ext.get("valueInteger")
    return (codes or None), low, high


def answer_problems(definition: Mapping[str, Any], answers: Mapping[str, int]) -> dict[str, str]:
    """{linkId: why} for answers the questionnaire does not offer (a choice it does not list, a
    number outside its bounds); answers already keyed by known linkIds."""
    items = {item["linkId"]: item for item in items_of(definition)}
    problems: dict[str, str] = {}
    for link_id, value in answers.items():
        codes, low, high = allowed_values(items[link_id])
        if codes is not None and value not in codes:
            problems[link_id] = "Choose one of the answers offered."
        elif low is not None and value < low:
            problems[link_id] = f"The answer is at least {low}."
        elif high is not None and value > high:
            problems[link_id] = f"The answer is at most {high}."
    return problems


@dataclass(frozen=True)
class Question:
    """One question as a patient answers it, one at a time: the instructions shown before it (a
    display item of the questionnaire, repeated on each question it introduces), its words, and
    the answers it offers (response number, words) or an integer's bounds."""

    link_id: str
    prefix: str
    text: str
    stem: str
    group: str
    options: tuple[tuple[int, str], ...]
    low: int | None
    high: int | None


def questions_of(definition: Mapping[str, Any]) -> list[Question]:
    """The questions of a FHIR-shaped Questionnaire in order, each with the instructions before it
    and its group's title."""
    found: list[Question] = []

    def walk(items: Iterable[Mapping[str, Any]], group: str) -> None:
        stem, block = "", None
        for item in items:
            kind = item.get("type")
            if kind == "group":
                walk(item.get("item", []), str(item.get("text", "")))
                stem, block = "", None
            elif kind == "display":
                stem, block = str(item.get("text", "")), None
            else:
                codes, low, high = allowed_values(item)
                options = tuple(
                    (int(o["valueCoding"]["code"]), str(o["valueCoding"].get("display", "")))
                    for o in item.get("answerOption", [])
                    if codes is not None and int(o["valueCoding"]["code"]) in codes
                )
                # Instructions head the items after them that offer the same answers (a block
                # on the printed form); a question with other answers ends the block.
                if block is None:
                    block = options
                elif options != block:
                    stem = ""
                found.append(
                    Question(
                        link_id=str(item["linkId"]),
                        prefix=str(item.get("prefix", "")),
                        text=str(item.get("text", "")),
                        stem=stem,
                        group=group,
                        options=options,
                        low=low,
                        high=high,
                    )
                )

    walk(definition.get("item", []), "")
    return found
