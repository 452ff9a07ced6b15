from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

from osseo.patients.schemas import IsoDate
from osseo.problem import PatchBody

from .codes import codings
from .models import EventKind, Outcome, TreatmentKind


class GradeOut(Schema):
    code: str
    label: str
    description: str
    kinds: list[str] = []


class GradingSystemOut(Schema):
    code: str
    name: str
    source: str
    applies_to: list[str]
    shipped: bool
    grades: list[GradeOut]

    @staticmethod
    def resolve_shipped(obj: Any) -> bool:
        return obj.organisation_id is None

    @staticmethod
    def resolve_grades(obj: Any) -> list[Any]:
        return list(obj.grades.all())


class GradeIn(Schema):
    code: str = Field(..., min_length=1, max_length=30)
    label: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    kinds: list[EventKind] = Field(
        [], max_length=12, description="The event kinds this grade describes; empty: any."
    )


class GradingSystemIn(Schema):
    code: str = Field(..., min_length=1, max_length=60)
    name: str = Field(..., min_length=1, max_length=200)
    source: str = Field(..., min_length=1, max_length=2000)
    applies_to: list[EventKind] = Field([], max_length=12)
    grades: list[GradeIn] = Field(..., min_length=1, max_length=20)


class AdverseEventIn(Schema):
    limb: uuid.UUID
    episode: uuid.UUID | None = None
    procedure: uuid.UUID | None = None
    device: uuid.UUID | None = None
    kind: EventKind
    description: str = Field("", max_length=4000)
    onset_on: IsoDate
    resolved_on: IsoDate | None = None
    outcome: Outcome = Outcome.ONGOING
    grading_system: str | None = Field(None, max_length=60, description="a grading system's code")
    grade: str | None = Field(None, max_length=30, description="a grade's code in that system")


class AdverseEventPatch(PatchBody):
    description: str | None = Field(None, max_length=4000)
    onset_on: IsoDate | None = None
    resolved_on: IsoDate | None = None
    outcome: Outcome | None = None
    grading_system: str | None = Field(None, max_length=60)
    grade: str | None = Field(None, max_length=30)


class CodingOut(Schema):
    system: str
    code: str
    display: str


class GradingOut(Schema):
    system: str
    system_name: str
    grade: str
    label: str
    source: str


class ProcedureRef(Schema):
    id: uuid.UUID = Field(alias="uuid")
    kind: str
    performed_on: dt.date
    status: str


class TreatmentIn(Schema):
    kind: TreatmentKind
    started_on: IsoDate
    ended_on: IsoDate | None = None
    details: str = Field("", max_length=4000)
    procedure: uuid.UUID | None = Field(
        None, description="an operation already recorded on this limb; else one is started"
    )
    removed_devices: list[uuid.UUID] = Field([], max_length=10)


class TreatmentOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    event: uuid.UUID = Field(alias="event.uuid")
    kind: str
    started_on: dt.date
    ended_on: dt.date | None
    details: str
    procedure: ProcedureRef | None


class AdverseEventOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    patient: uuid.UUID = Field(alias="patient.uuid")
    limb: uuid.UUID = Field(alias="limb.uuid")
    episode: uuid.UUID | None
    procedure: uuid.UUID | None
    device: uuid.UUID | None
    kind: str
    codings: list[CodingOut]
    description: str
    onset_on: dt.date
    resolved_on: dt.date | None
    outcome: str
    grading: GradingOut | None
    treatments: list[TreatmentOut]
    version: int = Field(description="Raised at every change; also sent as the ETag header.")

    @staticmethod
    def resolve_episode(obj: Any) -> Any:
        return obj.episode.uuid if obj.episode_id else None

    @staticmethod
    def resolve_procedure(obj: Any) -> Any:
        return obj.procedure.uuid if obj.procedure_id else None

    @staticmethod
    def resolve_device(obj: Any) -> Any:
        return obj.device.uuid if obj.device_id else None

    @staticmethod
    def resolve_codings(obj: Any) -> list[dict[str, str]]:
        return [c._asdict() for c in codings(obj.kind)]

    @staticmethod
    def resolve_grading(obj: Any) -> dict[str, str] | None:
        if obj.grading_system_id is None or obj.grade_id is None:
            return None
        return {
            "system": obj.grading_system.code,
            "system_name": obj.grading_system.name,
            "grade": obj.grade.code,
            "label": obj.grade.label,
            "source": obj.grading_system.source,
        }

    @staticmethod
    def resolve_treatments(obj: Any) -> list[Any]:
        return list(obj.treatments.all())


class AdverseEventPage(Schema):
    items: list[AdverseEventOut]
    count: int


class DeathIn(Schema):
    died_on: IsoDate
    cause: str = Field("", max_length=2000)
    related_event: uuid.UUID | None = None


class DeathOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    patient: uuid.UUID = Field(alias="patient.uuid")
    died_on: dt.date
    cause: str
    related_event: uuid.UUID | None

    @staticmethod
    def resolve_related_event(obj: Any) -> Any:
        return obj.related_event.uuid if obj.related_event_id else None
