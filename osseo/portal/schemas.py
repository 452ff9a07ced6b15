from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator

from osseo.choices import OneOf, OrBlank
from osseo.patients.models import Cause, Sex, Side, Site
from osseo.patients.schemas import IsoDate

from .models import EnquiryStatus
from .triage import MANUAL
from .validation import LIMITS, NOTE_LIMIT, REASON_LIMIT, plausible_year

# The foundation's cause codes, or "" when the enquirer would rather not say.
EnquiryCause = Annotated[Cause | Literal[""], OrBlank()]


class EnquiryIn(Schema):
    """A public enquiry. At least one of `email` and `phone`; `consent` must be true."""

    clinic: str = Field(
        "",
        max_length=60,
        description="the receiving clinic's slug; empty: the only (or first) OI clinic",
    )
    name: str = Field(min_length=1, max_length=LIMITS["name"])
    email: str = Field("", max_length=LIMITS["email"])
    phone: str = Field("", max_length=LIMITS["phone"])
    site: Site
    side: Side
    amputation_year: Annotated[int | None, AfterValidator(plausible_year)] = Field(
        None, description="from 1900 to this year"
    )
    cause: EnquiryCause = ""
    prosthesis_problems: str = Field("", max_length=LIMITS["prosthesis_problems"])
    heard_from: str = Field("", max_length=LIMITS["heard_from"])
    consent: bool = Field(
        description="agrees to be contacted and to the enquiry being kept for the stated period"
    )
    message: str = Field("", max_length=LIMITS["message"])


class EnquiryReceipt(Schema):
    id: uuid.UUID = Field(alias="uuid")
    clinic: str = Field(alias="organisation.slug")
    received_at: dt.datetime
    retention_days: int


class NoteOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    at: dt.datetime
    author: str = Field(alias="author.username")
    text: str


class EnquiryOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    status: str
    source: str
    received_at: dt.datetime
    status_changed_at: dt.datetime
    close_reason: str
    name: str
    email: str
    phone: str
    site: str
    side: str
    amputation_year: int | None
    cause: str
    prosthesis_problems: str
    heard_from: str
    message: str
    retention_days: int
    patient: uuid.UUID | None = Field(None, description="the patient it became")
    episode: uuid.UUID | None = Field(None, description="the referral episode it opened")
    converted_at: dt.datetime | None
    version: int = Field(description="Raised at every triage step; also sent as the ETag header.")

    @staticmethod
    def resolve_patient(obj: Any) -> uuid.UUID | None:
        return obj.patient.uuid if obj.patient_id else None

    @staticmethod
    def resolve_episode(obj: Any) -> uuid.UUID | None:
        return obj.episode.uuid if obj.episode_id else None


class EnquiryDetail(EnquiryOut):
    notes: list[NoteOut]


class EnquiryPage(Schema):
    items: list[EnquiryOut]
    count: int


class NoteIn(Schema):
    text: str = Field(min_length=1, max_length=NOTE_LIMIT)


class StatusIn(Schema):
    status: Annotated[EnquiryStatus, OneOf(MANUAL)]
    reason: str = Field("", max_length=REASON_LIMIT)


class ConversionIn(Schema):
    """The patient and limb the enquiry becomes. `patient`: link an existing patient instead of
    creating one; `create_new`: create one even though a possible duplicate is on record."""

    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    birth_date: IsoDate
    sex: Sex
    nhs_number: str = Field("", max_length=14)
    record_number: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    site: Site
    side: Side
    amputation_date: IsoDate | None = None
    cause: Cause
    patient: uuid.UUID | None = None
    create_new: bool = False
