from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator, StrictInt

from osseo.patients.schemas import IsoDate


def _whole_number(value: Any) -> Any:
    """The document says "integer", and in JSON Schema 2.0 is one; a fraction, a string of
    digits or a boolean is still no response number."""
    if type(value) is float and value.is_integer():
        return int(value)
    return value


Answer = Annotated[StrictInt, Field(ge=-1000, le=1000), BeforeValidator(_whole_number)]
Answers = dict[str, Answer | None]
Points = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]


class ScoreIn(Schema):
    answers: Answers = Field(
        ...,
        description="item number (linkId) -> the number of the chosen response on the form; "
        "null or absent = unanswered",
    )


class ScaleOut(Schema):
    code: str
    label: str
    higher_is_better: bool


class ScoringOut(Schema):
    configured: bool
    validated: bool
    source: str
    note: str


class QuestionnaireOut(Schema):
    code: str
    title: str
    url: str
    version: str
    scales: list[ScaleOut]
    sites: list[str]
    scoring: ScoringOut


class ResponseIn(Schema):
    questionnaire: str = Field(..., max_length=40, description="e.g. rand-36 or q-tfa")
    authored_on: IsoDate
    answers: Answers
    limb: uuid.UUID | None = None
    episode: uuid.UUID | None = None


class ScoreOut(Schema):
    scale: str
    value: float | None


class ResponseOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    questionnaire: str = Field(alias="questionnaire.code")
    patient: uuid.UUID = Field(alias="patient.uuid")
    limb: uuid.UUID | None
    episode: uuid.UUID | None
    authored_on: dt.date
    status: str
    answers: dict[str, int]
    scored: bool
    scoring_note: str
    rules_source: str
    rules_validated: bool
    scores: list[ScoreOut]

    @staticmethod
    def resolve_limb(obj: Any) -> Any:
        return obj.limb.uuid if obj.limb_id else None

    @staticmethod
    def resolve_episode(obj: Any) -> Any:
        return obj.episode.uuid if obj.episode_id else None

    @staticmethod
    def resolve_scores(obj: Any) -> list[Any]:
        return list(obj.scores.all())


class ResponsePage(Schema):
    items: list[ResponseOut]
    count: int


class RulesIn(Schema):
    """The clinic's Q-TFA scoring rules (see osseo/outcomes/instruments/qtfa.py QtfaRules)."""

    source: str = Field(..., max_length=300, description="where the numbers were read")
    validated: bool = Field(False, description="checked by a clinician against the instrument")
    hours_per_day: dict[str, Points] = Field(..., description="response number -> hours")
    section_points: dict[str, dict[str, Points]] = Field(
        ..., description="section -> response number -> points 0-100"
    )
    item_points: dict[str, dict[str, Points]] = Field(
        {}, description="linkId -> response number -> points, for items scored differently"
    )
