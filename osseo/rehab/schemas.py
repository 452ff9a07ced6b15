"""API shapes for rehabilitation. Loads in kg, durations in minutes and hours (SI where it fits)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from ninja import Field, Schema

from osseo.patients.models import Site
from osseo.patients.schemas import IsoDate

from .models import FunctionTestKind, Measure, WalkingAid

FlagCode = Literal["under_loading", "over_loading", "pain_over_gate"]


class PhaseIn(Schema):
    start_day: int = Field(..., ge=1, le=3650, description="day 1 = the plan's start date")
    end_day: int = Field(..., ge=1, le=3650)
    target_percent_body_weight: float | None = Field(None, gt=0, le=100)
    target_kg: float | None = Field(None, gt=0, le=400)
    sessions_per_day: int | None = Field(None, ge=1, le=24)
    minutes_per_session: int | None = Field(None, ge=1, le=600)
    walking_aid: bool = Field(True, description="a walking aid is allowed in this phase")
    pain_gate_nrs: int | None = Field(
        None, ge=1, le=10, description="advance only while the pain NRS stays below this"
    )
    description: str = Field("", max_length=500)
    validated: bool = False
    ramp: bool = Field(
        False,
        description="the target is a ceiling reached progressively ('up to'), not a fixed load",
    )
    floor_percent_body_weight: float | None = Field(
        None, ge=0, le=100, description="a ramp's least load, in the target's unit"
    )
    floor_kg: float | None = Field(None, ge=0, le=400)
    target_amount: float | None = Field(
        None, gt=0, le=1440, description="the target of a programme in wear hours or minutes"
    )
    floor_amount: float | None = Field(
        None, ge=0, le=1440, description="a ramp's floor in wear hours or minutes"
    )


class PhaseOut(Schema):
    start_day: int
    end_day: int
    target_percent_body_weight: float | None
    target_kg: float | None
    sessions_per_day: int | None
    minutes_per_session: int | None
    walking_aid: bool
    pain_gate_nrs: int | None
    description: str
    validated: bool
    ramp: bool = False
    floor_percent_body_weight: float | None = None
    floor_kg: float | None = None
    target_amount: float | None = None
    floor_amount: float | None = None


class ProtocolIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    source: str = Field("", max_length=500)
    notes: str = Field("", max_length=5000)
    sites: list[Site] = Field(
        default_factory=list,
        max_length=6,
        description="the implant sites it applies to; a plan for another site is refused",
    )
    measure: Measure = Field(
        Measure.LOAD,
        description="what it prescribes: load (kg or % body weight), wear hours or minutes a day",
    )
    phases: list[PhaseIn] = Field(..., min_length=1, max_length=50)


class ProtocolOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    name: str
    source: str
    validated: bool
    reference: bool = Field(alias="is_reference", description="shipped; copy it to edit")
    notes: str
    sites: list[str] = Field(description="the implant sites it applies to")
    measure: str = Field(description="load, wear_hours or minutes")
    unit: str = Field(description="the unit of its targets and of a day's log: kg, h or min")
    phases: list[PhaseOut]
    version: int = Field(description="Raised at every change; also sent as the ETag header.")

    @staticmethod
    def resolve_phases(obj: Any) -> list[Any]:
        return list(obj.phases.all())

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        from .rules import MEASURE_UNITS

        return MEASURE_UNITS[obj.measure]


class ReferralIn(Schema):
    organisation: uuid.UUID = Field(..., description="the rehabilitation partner's id")
    protocol: uuid.UUID | None = None
    note: str = Field("", max_length=5000)


class WithdrawalIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class ReferralOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    patient: uuid.UUID = Field(alias="patient.uuid")
    organisation: uuid.UUID = Field(alias="organisation.uuid")
    organisation_name: str = Field(alias="organisation.name")
    protocol: uuid.UUID | None = None
    note: str
    referred_by: str = Field(alias="referred_by.username")
    referred_at: dt.datetime
    active: bool
    withdrawn_at: dt.datetime | None
    withdrawal_reason: str

    @staticmethod
    def resolve_protocol(obj: Any) -> uuid.UUID | None:
        return obj.protocol.uuid if obj.protocol_id else None


class RehabPlanIn(Schema):
    protocol: uuid.UUID
    limb: uuid.UUID | None = Field(
        None, description="the treated limb; required when the patient has more than one"
    )
    start_date: IsoDate = Field(..., description="day 1 of the protocol")
    body_weight_kg: float | None = Field(
        None,
        ge=20,
        le=400,
        description="required when the programme's targets are in % body weight",
    )


class RehabPlanOut(Schema):
    id: uuid.UUID
    patient: uuid.UUID
    limb: uuid.UUID | None
    site: str | None
    protocol: uuid.UUID
    protocol_name: str
    protocol_source: str
    start_date: dt.date
    end_date: dt.date
    measure: str = Field(description="load, wear_hours or minutes")
    unit: str = Field(description="kg, h or min")
    body_weight_kg: float | None
    phases: list[PhaseOut]
    missing_log: list[dt.date] = Field(
        description="days of a loading phase, up to yesterday, with no log"
    )
    created_by: str
    created_at: dt.datetime


class PrescriptionParams(Schema):
    date: IsoDate


class PrescriptionOut(Schema):
    plan: uuid.UUID
    date: dt.date
    day: int = Field(description="day 1 = the plan's start date")
    status: Literal["before_start", "in_phase", "between_phases", "after_end"]
    phase: int | None = Field(description="1-based phase number, or null outside every phase")
    target_kg: float | None
    target_percent_body_weight: float | None
    sessions_per_day: int | None
    minutes_per_session: int | None
    walking_aid: bool | None
    pain_gate_nrs: int | None
    validated: bool
    held: bool = Field(description="pain went over the gate: the load stays at an earlier phase")
    held_at_phase: int | None
    floor_kg: float | None = Field(description="under-loading is judged against this")
    ceiling_kg: float | None = Field(description="over-loading is judged against this")
    ramp: bool = Field(description="the target is a ceiling reached progressively")
    limits_from_phase: int | None = Field(
        description="a phase without a prescription keeps this earlier phase's gate and ceiling"
    )
    measure: str = Field(description="load, wear_hours or minutes")
    unit: str = Field(description="the unit of target, floor and ceiling: kg, h or min")
    target: float | None = Field(description="the day's target in the plan's unit")
    floor: float | None = Field(description="under the prescription below this, in the unit")
    ceiling: float | None = Field(description="over the prescription above this, in the unit")


class LogIn(Schema):
    date: IsoDate
    applied_kg: float | None = Field(None, ge=0, le=400, description="required in a load plan")
    pain_nrs: int = Field(..., ge=0, le=10)
    walking_aid: WalkingAid | None = None
    wear_hours: float | None = Field(
        None, ge=0, le=24, description="required in a plan in wear hours"
    )
    minutes: int | None = Field(None, ge=0, le=1440, description="required in a plan in minutes")


class LogOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    date: dt.date
    applied_kg: float | None
    prescribed_kg: float | None
    prescribed_amount: float | None = Field(description="the day's target in the plan's unit")
    pain_nrs: int
    walking_aid: str
    wear_hours: float | None
    minutes: int | None
    flags: list[FlagCode]
    logged_by: str = Field(alias="logged_by.username")
    logged_at: dt.datetime


class LogCorrectionIn(Schema):
    applied_kg: float | None = Field(None, ge=0, le=400)
    pain_nrs: int | None = Field(None, ge=0, le=10)
    walking_aid: WalkingAid | None = None
    wear_hours: float | None = Field(None, ge=0, le=24)
    minutes: int | None = Field(None, ge=0, le=1440)
    reason: str = Field(..., min_length=1, max_length=2000)


class LogRange(Schema):
    date_from: IsoDate | None = Field(None, alias="from")
    date_to: IsoDate | None = Field(None, alias="to")


class Coding(Schema):
    system: str
    code: str
    display: str


class FunctionTestIn(Schema):
    kind: FunctionTestKind
    performed_on: IsoDate
    value: float = Field(..., ge=0, le=10000)
    notes: str = Field("", max_length=5000)


class FunctionTestOut(Schema):
    id: uuid.UUID
    kind: str
    code: Coding
    performed_on: dt.date
    value: float
    unit: str
    notes: str
    recorded_by: str


class FunctionTestParams(Schema):
    kind: FunctionTestKind | None = None


class FollowUpParams(Schema):
    status: Literal["due", "overdue", "all"] = "all"
    within_days: int = Field(30, ge=0, le=366, description="'due' looks this many days ahead")


class FollowUpRowOut(Schema):
    patient: uuid.UUID
    patient_name: str
    episode: uuid.UUID
    surgery_date: dt.date
    visit: str
    due_date: dt.date
    status: Literal["due", "overdue"]
    overdue_days: int


class FollowUpPage(Schema):
    items: list[FollowUpRowOut]
    count: int


class FollowUpIn(Schema):
    due_date: IsoDate = Field(..., description="the scheduled visit this satisfies")
    done_on: IsoDate
    notes: str = Field("", max_length=5000)


class FollowUpOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    episode: uuid.UUID = Field(alias="episode.uuid")
    due_date: dt.date
    done_on: dt.date
    notes: str
