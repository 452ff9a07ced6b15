from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from osseo.choices import OneOf
from osseo.patients.schemas import IsoDate
from osseo.surgery.models import RemovalReason

from .actions import REPLACEMENT_REASONS
from .models import MaintenanceKind, MaintenanceOutcome, StepsBasis

# Connector parts come off for fewer reasons than a device does (no explantation).
ReplacementReason = Annotated[RemovalReason, OneOf(REPLACEMENT_REASONS)]


class DayOut(Schema):
    date: dt.date
    steps: int


class DayIn(Schema):
    date: str = Field(..., max_length=40, description="YYYY-MM-DD")
    steps: int = Field(..., ge=0)


class DaysIn(Schema):
    days: list[DayIn] = Field(..., max_length=40000)


class ImportOut(Schema):
    added: int
    changed: int
    unchanged: int
    first_day: dt.date | None
    last_day: dt.date | None


class WeightIn(Schema):
    measured_on: IsoDate
    weight_kg: float = Field(..., ge=20, le=400, description="as for a loading log")


class WeightOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    measured_on: dt.date
    weight_kg: float
    code: str = "http://loinc.org|29463-7"


class ForecastOut(Schema):
    due_on: dt.date | None
    basis: str
    basis_text: str
    time_due_on: dt.date | None
    activity_due_on: dt.date | None
    cumulative_cycles: float | None
    limit_cycles: float | None
    daily_steps: float | None
    daily_cycles: float | None
    inspection: str
    notes: list[str]
    policy_validated: bool
    computed_at: dt.datetime


class PartOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    patient: uuid.UUID = Field(alias="patient.uuid")
    limb: uuid.UUID = Field(alias="limb.uuid")
    kind: str
    description: str
    gtin: str
    lot: str
    serial: str
    expiry: dt.date | None
    status: str
    placed_on: dt.date
    removed_on: dt.date | None
    removal_reason: str
    replaced_by: uuid.UUID | None = Field(None, alias="replaced_by.uuid")
    forecast: ForecastOut | None = None


class ReplacementIn(Schema):
    replaced_on: IsoDate
    reason: ReplacementReason
    code: str = Field("", max_length=200, description="GS1 data of the new part, as scanned")
    gtin: str = Field("", max_length=14)
    lot: str = Field("", max_length=20)
    serial: str = Field("", max_length=20)
    expiry: IsoDate | None = None
    size: str = Field("", max_length=60)
    description: str = Field("", max_length=200)
    confirm_expired: bool = False


class RecordingIn(Schema):
    recorded_on: IsoDate
    channel: str = Field("", max_length=100, description="the axial force column")
    rate_hz: float | None = Field(None, gt=0, le=100000)
    unit: str = Field("", max_length=20, description="the channel's unit if not in its header")
    steps_during: int | None = Field(None, ge=1, le=10_000_000)
    limb: uuid.UUID | None = Field(
        None,
        description="the limb the load cell was fitted to; required when the patient has more "
        "than one. The recording counts towards that limb's parts only.",
    )


class LoadAtOut(Schema):
    value: float
    time_s: float


class RecordingResultOut(Schema):
    samples: int
    duration_s: float
    cycles: float
    equivalent_cycles: float
    damage: float | None
    peak_n: float | None
    peak_time_s: float | None
    largest: list[dict[str, float]]
    matrix: dict[str, list[list[float]] | list[float]]
    steps: float
    steps_estimated: bool
    cycles_per_step: float | None
    caveat: str


class RecordingOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    patient: uuid.UUID = Field(alias="patient.uuid")
    recorded_on: dt.date
    limb: uuid.UUID | None = Field(description="the limb the load cell was fitted to")
    site: str | None = Field(description="that limb's implant site")
    original_name: str
    format: str
    size_bytes: int
    channel: str
    status: str
    progress: float
    problems: list[str]
    parameters: dict[str, float | str | bool | None]
    result: RecordingResultOut | None = None

    @staticmethod
    def resolve_limb(obj: Any) -> uuid.UUID | None:
        return obj.limb.uuid if obj.limb_id else None

    @staticmethod
    def resolve_site(obj: Any) -> str | None:
        return obj.limb.site if obj.limb_id else None


class DueOut(Schema):
    device: uuid.UUID = Field(alias="device.uuid")
    kind: str = Field(alias="device.kind")
    site: str = Field(alias="device.limb.site", description="the implant site of the part's limb")
    patient: uuid.UUID = Field(alias="device.patient.uuid")
    patient_name: str = Field(alias="device.patient.display_name")
    placed_on: dt.date = Field(alias="device.placed_on")
    due_on: dt.date
    overdue: bool
    basis: str
    basis_text: str
    inspection: str
    policy_validated: bool


class DuePage(Schema):
    items: list[DueOut]
    count: int


class PolicyIn(Schema):
    time_limit_months: int | None = Field(None, ge=1, le=240)
    activity_limit_cycles: float | None = Field(None, gt=0, le=1e12)
    reference_load_n: float | None = Field(None, gt=0, le=1e6)
    sn_exponent_m: float | None = Field(None, gt=0, le=30)
    steps_basis: StepsBasis = StepsBasis.BODY_WEIGHT
    cycles_per_step: float | None = Field(None, gt=0, le=1e6)
    cycles_per_step_min: float | None = Field(
        None, gt=0, le=1e6, description="a recording's cycles per step below this is not applied"
    )
    cycles_per_step_max: float | None = Field(
        None, gt=0, le=1e6, description="a recording's cycles per step above this is not applied"
    )
    overload_threshold_n: float | None = Field(None, gt=0, le=1e6)
    source: str = Field("", max_length=300)
    validated: bool = False


class PolicyOut(Schema):
    kind: str
    time_limit_months: int | None
    activity_limit_cycles: float | None
    reference_load_n: float | None
    sn_exponent_m: float | None
    steps_basis: str
    cycles_per_step: float | None
    cycles_per_step_min: float | None
    cycles_per_step_max: float | None
    overload_threshold_n: float | None
    source: str
    validated: bool
    label: str
    set_by: str = Field(alias="set_by.username")
    set_at: dt.datetime
    version: int = Field(description="Raised at every change; also sent as the ETag header.")


class ComponentIn(Schema):
    kind: Literal["knee", "foot", "elbow", "hand", "wrist", "safety_device", "adaptor", "other"]
    description: str = Field(..., min_length=1, max_length=200)


class MaintenanceIn(Schema):
    limb: uuid.UUID = Field(description="the limb whose parts were maintained")
    kind: MaintenanceKind
    performed_on: IsoDate
    device: uuid.UUID | None = Field(None, description="the connector part concerned, if one")
    torque_nm: float | None = Field(None, gt=0, le=200, description="with a torque check")
    outcome: MaintenanceOutcome | None = None
    components: list[ComponentIn] = Field(default_factory=list, max_length=20)
    notes: str = Field("", max_length=5000)


class MaintenanceOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    limb: uuid.UUID = Field(alias="limb.uuid")
    site: str = Field(alias="limb.site")
    device: uuid.UUID | None = None
    kind: str
    performed_on: dt.date
    torque_nm: float | None
    outcome: str
    components: list[dict[str, str]]
    notes: str
    recorded_by: str = Field(alias="recorded_by.username")

    @staticmethod
    def resolve_device(obj: Any) -> uuid.UUID | None:
        return obj.device.uuid if obj.device_id else None
