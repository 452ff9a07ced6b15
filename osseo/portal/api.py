"""Enquiries over the API: a public `POST /enquiries`; everything else is the clinic's triage.

The same actions and access-checked getter as the screens. The public endpoint needs no token,
is rate-limited per client address (shared with the page) and answers only a receipt.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field as NinjaField
from ninja import Query, Router, Schema, Status

from osseo.contract import etag_of
from osseo.patients.queries import get_patient_for
from osseo.problem import IfMatch, edit_errors, errors

from . import actions, throttle
from .models import EnquirySource, EnquiryStatus
from .queries import enquiry_page, get_enquiry_for, receiving_clinic, triage_queue
from .schemas import (
    ConversionIn,
    EnquiryDetail,
    EnquiryIn,
    EnquiryPage,
    EnquiryReceipt,
    NoteIn,
    NoteOut,
    StatusIn,
)

router = Router(tags=["enquiries"])


@router.post(
    "/enquiries",
    auth=None,
    throttle=[throttle.EnquiryThrottle()],
    response={201: EnquiryReceipt, **errors(429)},
    operation_id="send_enquiry",
    summary="Send a public enquiry (no authentication; rate-limited per client address)",
)
def send_enquiry(request: HttpRequest, payload: EnquiryIn) -> Status[Any]:
    clinic = receiving_clinic(payload.clinic)
    if clinic is None:
        raise ValidationError({"clinic": ["No clinic receives enquiries under that name."]})
    enquiry = actions.receive_enquiry(
        organisation=clinic,
        data=payload.dict(exclude={"clinic"}),
        source=EnquirySource.API,
        base_url=request.build_absolute_uri("/"),
    )
    throttle.count_sent(request)
    return Status(201, enquiry)


class EnquiryListParams(Schema):
    status: EnquiryStatus | None = None
    limit: int = NinjaField(25, ge=1, le=100)
    offset: int = NinjaField(0, ge=0, le=1_000_000)


@router.get(
    "/enquiries",
    response={200: EnquiryPage, **errors(403)},
    operation_id="list_enquiries",
    summary="The clinic's enquiry queue (coordinators and clinic admins)",
)
def list_enquiries(request: HttpRequest, params: Query[EnquiryListParams]) -> dict[str, Any]:
    qs = triage_queue(request.user, params.status or "")  # type: ignore[arg-type]
    return {"items": list(qs[params.offset : params.offset + params.limit]), "count": qs.count()}


@router.get(
    "/enquiries/{enquiry_id}",
    response={200: EnquiryDetail, **errors(403, 404)},
    operation_id="get_enquiry",
)
def get_enquiry(request: HttpRequest, enquiry_id: uuid.UUID, response: HttpResponse) -> Any:
    """The enquiry with its notes; its `ETag` is the version a triage step may name in
    `If-Match`."""
    enquiry = get_enquiry_for(request.user, enquiry_id)  # type: ignore[arg-type]
    response["ETag"] = etag_of(enquiry)
    return enquiry_page(enquiry)


@router.post(
    "/enquiries/{enquiry_id}/notes",
    response={201: NoteOut, **edit_errors()},
    operation_id="add_enquiry_note",
)
def add_enquiry_note(
    request: HttpRequest, enquiry_id: uuid.UUID, payload: NoteIn, if_match: IfMatch = None
) -> Status[Any]:
    """Add a note; the enquiry's version rises (it lists its notes)."""
    enquiry = get_enquiry_for(request.user, enquiry_id, audit_read=False)  # type: ignore[arg-type]
    note = actions.add_note(
        actor=request.user,  # type: ignore[arg-type]
        enquiry=enquiry,
        text=payload.text,
        if_match=if_match,
    )
    return Status(201, note)


@router.post(
    "/enquiries/{enquiry_id}/status",
    response={200: EnquiryDetail, **edit_errors()},
    operation_id="set_enquiry_status",
    summary="Mark an enquiry contacted, or close it with a reason",
)
def set_enquiry_status(
    request: HttpRequest,
    enquiry_id: uuid.UUID,
    payload: StatusIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """A move the enquiry's status forbids (closed and converted are final) is a 409 naming what
    the move needs."""
    enquiry = get_enquiry_for(request.user, enquiry_id, audit_read=False)  # type: ignore[arg-type]
    actions.set_status(
        actor=request.user,  # type: ignore[arg-type]
        enquiry=enquiry,
        status=payload.status,
        reason=payload.reason,
        if_match=if_match,
    )
    response["ETag"] = etag_of(enquiry)
    return enquiry_page(enquiry)


@router.post(
    "/enquiries/{enquiry_id}/conversion",
    response={201: EnquiryDetail, **edit_errors()},
    operation_id="convert_enquiry",
    summary="Convert an enquiry into a patient (new or existing) and a referral episode",
)
def convert_enquiry(
    request: HttpRequest,
    enquiry_id: uuid.UUID,
    payload: ConversionIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Status[Any]:
    """An enquiry converted already (or closed) is a 409: converting twice makes one patient."""
    user = request.user
    enquiry = get_enquiry_for(user, enquiry_id, audit_read=False)  # type: ignore[arg-type]
    existing = (
        get_patient_for(user, payload.patient, permission="limb.create", audit_read=False)  # type: ignore[arg-type]
        if payload.patient
        else None
    )
    data = payload.dict()
    converted = actions.convert_enquiry(
        actor=user,  # type: ignore[arg-type]
        enquiry=enquiry,
        patient_data={
            k: data[k]
            for k in (
                "given_name",
                "family_name",
                "birth_date",
                "sex",
                "nhs_number",
                "record_number",
                "email",
                "phone",
            )
        },
        limb_data={
            **{k: data[k] for k in ("site", "side", "amputation_date", "cause")},
            "notes": "",
        },
        existing_patient=existing,
        create_new=payload.create_new,
        if_match=if_match,
    )
    response["ETag"] = etag_of(converted)
    return Status(201, enquiry_page(converted))
