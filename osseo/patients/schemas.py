from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator

from osseo.choices import OrBlank
from osseo.problem import PatchBody

from .models import Cause, FundingRoute, Sex, Side, Site

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: Any) -> Any:
    """Dates come as ISO 8601 strings (YYYY-MM-DD); a number, or a string of one (which pydantic
    would read as seconds since 1970), is not a date."""
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("Enter a date as YYYY-MM-DD.")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only)]


class PatientIn(Schema):
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    birth_date: IsoDate
    sex: Sex
    nhs_number: str = Field("", max_length=14, description="10 digits; spaces allowed")
    record_number: str = Field("", max_length=40)
    funding_route: Annotated[FundingRoute | Literal[""], OrBlank()] = ""
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    address: str = Field("", max_length=500)


class PatientPatch(PatchBody):
    given_name: str | None = Field(None, min_length=1, max_length=100)
    family_name: str | None = Field(None, min_length=1, max_length=100)
    birth_date: IsoDate | None = None
    sex: Sex | None = None
    nhs_number: str | None = Field(None, max_length=14)
    record_number: str | None = Field(None, max_length=40)
    funding_route: Annotated[FundingRoute | Literal[""], OrBlank()] | None = None
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    address: str | None = Field(None, max_length=500)


class PatientOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    given_name: str
    family_name: str
    birth_date: dt.date
    sex: str
    nhs_number: str
    record_number: str
    funding_route: str
    email: str
    phone: str
    address: str
    version: int = Field(description="Raised at every change; also sent as the ETag header.")


class LimbIn(Schema):
    site: Site
    side: Side
    amputation_date: IsoDate | None = None
    cause: Cause
    notes: str = Field("", max_length=5000)


class LimbOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    site: str
    side: str
    amputation_date: dt.date | None
    cause: str
    notes: str


class EpisodeSummary(Schema):
    id: uuid.UUID = Field(alias="uuid")
    limb: uuid.UUID = Field(alias="limb.uuid")
    phase: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None


class PatientDetail(PatientOut):
    limbs: list[LimbOut]
    episodes: list[EpisodeSummary]


class PatientPage(Schema):
    items: list[PatientOut]
    count: int
