"""The clinic's week over the API: worklist, MDT meetings, appointments."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AwareDatetime

from osseo.accounts.disciplines import Discipline
from osseo.choices import OneOf
from osseo.patients.schemas import IsoDate
from osseo.problem import PatchBody

from .models import AppointmentKind, AppointmentStatus


class WorkItemOut(Schema):
    patient: uuid.UUID | None = Field(None, description="None for work naming no patient")
    patient_name: str = ""
    text: str
    url: str
    urgent: bool


class WorkPanelOut(Schema):
    kind: str = Field(..., description="plans_to_agree, records_to_sign, stages_due, ...")
    title: str
    count: int
    items: list[WorkItemOut]
    more_url: str
    note: str


class WorklistOut(Schema):
    panels: list[WorkPanelOut]


class AttendeeIn(Schema):
    """A colleague (`user`), or an outside professional by `name` with their `organisation`;
    each with the discipline they attend in."""

    user: uuid.UUID | None = None
    name: str = Field("", max_length=200)
    organisation: str = Field("", max_length=200)
    discipline: Discipline


class AttendeeOut(Schema):
    id: int
    user: uuid.UUID | None = Field(None, alias="user.uuid")
    name: str
    organisation: str
    discipline: str


class MeetingIn(Schema):
    starts_at: AwareDatetime
    place: str = Field("", max_length=200)
    notes: str = Field("", max_length=4000)
    attendees: list[AttendeeIn] = Field([], max_length=40)
    agenda: list[uuid.UUID] = Field(
        [], max_length=60, description="Episodes in assessment to put on the agenda"
    )


class AgendaItemOut(Schema):
    position: int
    episode: uuid.UUID
    patient: uuid.UUID
    decision: str | None
    assessment: uuid.UUID | None


class MeetingOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    starts_at: dt.datetime
    place: str
    notes: str
    attendees: list[AttendeeOut]
    agenda: list[AgendaItemOut]
    cancelled_at: dt.datetime | None = Field(None, description="when it was called off, if it was")
    cancel_reason: str = ""


class MeetingPatch(PatchBody):
    """A meeting not yet held, moved: the date and time or the place named change."""

    starts_at: AwareDatetime | None = None
    place: str | None = Field(None, max_length=200)


class MeetingCancellationIn(Schema):
    reason: str = Field(..., min_length=1, max_length=1000, description="why it is cancelled")


class MeetingPage(Schema):
    items: list[MeetingOut]
    count: int


class MeetingParams(Schema):
    upcoming: bool = Field(False, description="only meetings from today on")


class DueItemOut(Schema):
    code: str
    label: str
    source: str


class AppointmentIn(Schema):
    kind: AppointmentKind
    starts_at: AwareDatetime
    minutes: int = Field(30, ge=5, le=480)
    place: str = Field(..., min_length=1, max_length=200)
    clinician: uuid.UUID
    episode: uuid.UUID | None = None
    visit_due: IsoDate | None = Field(
        None, description="a follow-up visit: the scheduled visit's date it is for"
    )


class AppointmentOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    patient: uuid.UUID = Field(alias="patient.uuid")
    episode: uuid.UUID | None = Field(None, alias="episode.uuid")
    kind: str
    starts_at: dt.datetime
    minutes: int
    place: str
    clinician: uuid.UUID = Field(alias="clinician.uuid")
    clinician_name: str
    visit_due: dt.date | None
    visit_label: str
    due: list[DueItemOut]
    done: list[str]
    status: str
    cancel_reason: str = Field("", description="why it was cancelled, when it was")
    notes: str = Field("", alias="outcome_notes", description="recorded when it was held")

    @staticmethod
    def resolve_clinician_name(obj: Any) -> str:
        return str(obj.clinician.get_full_name() or obj.clinician.username)


class AppointmentPatch(PatchBody):
    """A booked appointment moved: the fields named change, the others stay; always a reason."""

    starts_at: AwareDatetime | None = None
    minutes: int | None = Field(None, ge=5, le=480)
    place: str | None = Field(None, min_length=1, max_length=200)
    clinician: uuid.UUID | None = None
    reason: str = Field(..., min_length=1, max_length=1000, description="why it moves")


class AppointmentCancellationIn(Schema):
    reason: str = Field(..., min_length=1, max_length=1000, description="why it is cancelled")


class AppointmentOutcomeIn(Schema):
    """What became of a booking once its day has come: held (with the codes of what was due that
    was done) or missed."""

    status: Annotated[AppointmentStatus, OneOf([AppointmentStatus.DONE, AppointmentStatus.MISSED])]
    done: list[str] = Field([], max_length=40, description="codes from the appointment's `due`")
    notes: str = Field("", max_length=5000)


class AppointmentPage(Schema):
    items: list[AppointmentOut]
    count: int


class AppointmentParams(Schema):
    from_: IsoDate | None = Field(None, alias="from", description="from this day (default today)")
    to: IsoDate | None = Field(None, description="up to this day, inclusive (default: 7 days on)")
    clinician: uuid.UUID | None = None
