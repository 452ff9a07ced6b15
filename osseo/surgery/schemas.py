from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from osseo.accounts.disciplines import Discipline
from osseo.choices import OrBlank
from osseo.patients.models import FundingRoute, Side, Site
from osseo.patients.schemas import IsoDate
from osseo.problem import PatchBody

from .models import (
    Decision,
    DeviceKind,
    Fixation,
    ImplantSystemCode,
    Indication,
    ProcedureKind,
    RemovalReason,
    Strategy,
)


class PreviewIn(Schema):
    site: Site
    side: Side
    strategy: Strategy | None = None
    previous_stage: IsoDate | None = None


class CodeLabel(Schema):
    code: str
    label: str


class Rationale(Schema):
    text: str
    source: str


class PreviewOut(Schema):
    strategy: Strategy
    recommended_strategy: Strategy
    anaesthesia_options: list[CodeLabel]
    default_fixation: Fixation
    rationale: list[Rationale]
    stage_window: dict[str, Any] | None = None


class ParticipantIn(Schema):
    """One person at the MDT: a colleague (`user`), or an outside professional by `name` with
    their `organisation`; each with the discipline they took part in."""

    user: uuid.UUID | None = None
    name: str = Field("", max_length=200)
    organisation: str = Field("", max_length=200)
    discipline: Discipline


class ParticipantOut(Schema):
    user: uuid.UUID | None = Field(None, alias="user.uuid")
    name: str
    organisation: str
    discipline: str


class AssessmentIn(Schema):
    assessed_on: IsoDate | None = None
    participants: list[ParticipantIn] = Field(..., min_length=1, max_length=20)
    decided_by: uuid.UUID = Field(
        ..., description="The surgeon among the participants who made the decision."
    )
    indications: list[Indication] = []
    indication_notes: str = Field("", max_length=2000)
    prior_socket_use: bool | None = None
    prosthetic_rehab_months: int | None = Field(None, ge=0, le=1200)
    dysvascular: bool = False
    diabetes: bool = False
    smoking: Literal["never", "former", "current", ""] = ""
    short_or_poor_bone: bool = False
    active_infection: bool = False
    expectations_discussed: bool = False
    imaging_modality: Literal["xray", "ct", "mri", ""] = ""
    canal_diameter_mm: float | None = Field(None, gt=0, lt=1000)
    usable_length_mm: float | None = Field(None, gt=0, lt=1000)
    decision: Decision
    decision_reason: str = Field("", max_length=4000)
    funding_route: Annotated[FundingRoute | Literal[""], OrBlank()] = ""


class FlagOut(Schema):
    code: str
    text: str
    source: str
    suggests: str | None = None


class AssessmentOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    episode: uuid.UUID = Field(alias="episode.uuid")
    assessed_on: dt.date
    participants: list[ParticipantOut]
    decided_by: uuid.UUID | None = Field(None, alias="decided_by.uuid")
    indications: list[str]
    prior_socket_use: bool | None
    prosthetic_rehab_months: int | None
    decision: str
    decision_reason: str
    canal_diameter_mm: float | None
    usable_length_mm: float | None
    flags: list[FlagOut]


class StageIn(Schema):
    planned_date: IsoDate | None = None
    outside_window_reason: str = Field("", max_length=2000)


class SurgicalPlanIn(Schema):
    strategy: Strategy | None = None
    strategy_reason: str = Field("", max_length=2000)
    anaesthesia: str = Field(..., max_length=40)
    fixation: Fixation | None = None
    implant: uuid.UUID | None = None
    planned_date: IsoDate | None = None
    stages: list[StageIn] = Field([], max_length=10)
    notes: str = Field("", max_length=4000)


class SurgicalPlanPatch(PatchBody):
    strategy: Strategy | None = None
    strategy_reason: str | None = Field(None, max_length=2000)
    anaesthesia: str | None = Field(None, max_length=40)
    fixation: Fixation | None = None
    implant: uuid.UUID | None = None
    planned_date: IsoDate | None = None
    stages: list[StageIn] | None = Field(None, max_length=10)
    notes: str | None = Field(None, max_length=4000)


class StageOut(Schema):
    number: int
    planned_date: dt.date | None
    outside_window_reason: str


class SurgicalPlanOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    episode: uuid.UUID = Field(alias="episode.uuid")
    strategy: str
    strategy_reason: str
    anaesthesia: str
    anaesthesia_agreed_by: str | None = Field(None, alias="anaesthesia_agreed_by.username")
    fixation: str
    implant: uuid.UUID | None = Field(None, alias="implant.uuid")
    planned_date: dt.date | None
    stage_window: str
    stages: list[StageOut]
    notes: str
    version: int = Field(description="Raised at every change; also sent as the ETag header.")

    @staticmethod
    def resolve_stage_window(obj: Any) -> str:
        return f"{obj.window_min} to {obj.window_max} {obj.window_unit}" if obj.window_unit else ""


class CatalogueOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    kind: str
    manufacturer: str
    model: str
    gtin: str
    site: str
    system: str
    fixation: str
    diameter_mm: float | None
    length_mm: float | None


class ProcedureIn(Schema):
    kind: ProcedureKind
    performed_on: IsoDate
    stage_number: int | None = Field(None, ge=1, le=10)
    final_stage: bool | None = None


class RecordIn(Schema):
    data: dict[str, dict[str, Any]]


class DeviceCorrectionIn(Schema):
    """The fields of a placed device an amendment corrects; only those sent are changed."""

    gtin: str | None = Field(None, max_length=14)
    lot: str | None = Field(None, max_length=20)
    serial: str | None = Field(None, max_length=20)
    size: str | None = Field(None, max_length=60)
    expiry: IsoDate | None = None


class AmendmentIn(Schema):
    data: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="The record's fields to change, by step."
    )
    reason: str = Field(..., min_length=1, max_length=2000)
    devices: dict[uuid.UUID, DeviceCorrectionIn] = Field(
        default_factory=dict,
        description="Corrections of the devices this record placed, by the device's id "
        "(a wrong GTIN, lot, serial, size or expiry on the signed record).",
    )


class DeviceIn(Schema):
    kind: DeviceKind
    code: str = Field("", max_length=200, description="GS1 data as scanned or as printed")
    gtin: str = Field("", max_length=14)
    lot: str = Field("", max_length=20)
    serial: str = Field("", max_length=20)
    expiry: IsoDate | None = None
    production_date: IsoDate | None = None
    size: str = Field("", max_length=60)
    description: str = Field("", max_length=200)
    catalogue_item: uuid.UUID | None = None
    confirm_expired: bool = False


class DeviceOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    patient: uuid.UUID = Field(alias="patient.uuid")
    kind: str
    description: str
    gtin: str
    udi_issuer: str = Field("", description="gs1 or hibcc: who issued the UDI read")
    udi_di: str = Field("", description="The UDI device identifier (GTIN, or HIBCC LIC+PCN+U)")
    lot: str
    serial: str
    expiry: dt.date | None
    production_date: dt.date | None
    status: str
    placed_on: dt.date
    placed_by: uuid.UUID | None = Field(None, alias="placed_by.uuid")
    removed_on: dt.date | None
    removal_reason: str


class RecallOut(DeviceOut):
    """A device found by a recall search, with its patient's contact details for the letter."""

    patient_name: str = Field(alias="patient.display_name")
    patient_email: str = Field(alias="patient.email")
    patient_phone: str = Field(alias="patient.phone")
    patient_address: str = Field(alias="patient.address")


class RecallPage(Schema):
    items: list[RecallOut]
    count: int


class VersionOut(Schema):
    number: int
    data: dict[str, Any]
    amendment_reason: str
    author: str = Field(alias="author.username")
    created_at: dt.datetime


class ProcedureOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    episode: uuid.UUID = Field(alias="episode.uuid")
    patient: uuid.UUID = Field(alias="patient.uuid")
    kind: str
    stage_number: int | None
    final_stage: bool
    performed_on: dt.date
    surgeon: str = Field(alias="surgeon.username")
    status: str
    signed_by: str | None = Field(None, alias="signed_by.username")
    signed_at: dt.datetime | None
    versions: list[VersionOut]
    devices: list[DeviceOut] = Field(alias="devices_placed")
    missing: list[str] = []
    version: int = Field(
        description="Raised when the record, its devices or its status change; also sent as the "
        "ETag header."
    )


class ParseIn(Schema):
    code: str = Field(..., min_length=1, max_length=200)


class ParseOut(Schema):
    gtin: str
    lot: str | None
    serial: str | None
    expiry: dt.date | None
    production_date: dt.date | None
    expired: bool


class CatalogueIn(Schema):
    kind: DeviceKind = DeviceKind.IMPLANT
    manufacturer: str = Field(..., min_length=1, max_length=120)
    model: str = Field(..., min_length=1, max_length=120)
    gtin: str = Field("", max_length=14)
    site: Annotated[Site | Literal[""], OrBlank()] = ""
    system: Annotated[ImplantSystemCode | Literal[""], OrBlank()] = ""
    fixation: Annotated[Fixation | Literal[""], OrBlank()] = ""
    diameter_mm: float | None = Field(None, gt=0, lt=1000)
    length_mm: float | None = Field(None, gt=0, lt=1000)


class RemovalIn(Schema):
    removed_on: IsoDate
    reason: RemovalReason
    procedure: uuid.UUID | None = None
