"""The signed-in account's organisation: its contact details, and a clinic's rehabilitation
partners. Writes go through osseo/accounts/organisation_actions.py."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from osseo.contract import etag_of
from osseo.problem import IfMatch, PatchBody, edit_errors, errors, write_errors

from .models import Organisation, OrganisationKind, Partnership
from .organisation_actions import add_partner, end_partnership, update_organisation_contact
from .permissions import has_permission
from .queries import partnerships_of

router = Router(tags=["organisations"])

TELEPHONE = (
    "A UK number as it is dialled at home (020 7946 0000) or an international one with + and "
    "the country code; kept as people read it. Empty: none."
)


class OrganisationContactOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    name: str
    slug: str
    kind: str = Field(description="oi_clinic or rehab_partner")
    telephone: str = Field(description="Empty when not given.")
    email: str = Field(description="Empty when not given.")
    address: str = Field(description="Lines separated by newlines; empty when not given.")
    out_of_hours: str = Field(description="The line to ring when closed; empty when not given.")


class OrganisationContactPatch(PatchBody):
    telephone: str | None = Field(None, max_length=40, description=TELEPHONE)
    email: str | None = Field(None, max_length=254)
    address: str | None = Field(None, max_length=500)
    out_of_hours: str | None = Field(None, max_length=40, description=TELEPHONE)


def _own(request: HttpRequest) -> Organisation:
    membership = getattr(request.user, "membership", None)
    if membership is None:
        raise PermissionDenied("Your account belongs to no organisation.")
    return membership.organisation


@router.get(
    "/organisation",
    response={200: OrganisationContactOut, **errors(403)},
    operation_id="get_own_organisation",
    summary="Your organisation and its contact details",
)
def get_own_organisation(request: HttpRequest, response: HttpResponse) -> Any:
    organisation = _own(request)
    response["ETag"] = etag_of(organisation)
    return organisation


@router.patch(
    "/organisation",
    response={200: OrganisationContactOut, **edit_errors()},
    operation_id="update_own_organisation_contact",
    summary="Change your organisation's contact details (its clinic administrator)",
)
def update_own_organisation_contact(
    request: HttpRequest,
    payload: OrganisationContactPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Only the fields named change; an empty string removes one. A telephone number that is
    not one, or an e-mail address that is not one, is refused by field (422)."""
    organisation = update_organisation_contact(
        actor=request.user,  # type: ignore[arg-type]
        organisation=_own(request),
        data={k: v or "" for k, v in payload.dict(exclude_unset=True).items()},
        if_match=if_match,
    )
    response["ETag"] = etag_of(organisation)
    return organisation


class PartnerOut(Schema):
    id: uuid.UUID = Field(alias="uuid", description="The partnership's id.")
    partner: uuid.UUID = Field(alias="partner.uuid", description="The partner organisation's id.")
    name: str = Field(alias="partner.name")
    telephone: str = Field(alias="partner.telephone")
    email: str = Field(alias="partner.email")
    since: datetime


class PartnerList(Schema):
    items: list[PartnerOut]
    count: int


class PartnerIn(Schema):
    partner: uuid.UUID = Field(..., description="The rehabilitation partner organisation's id.")


def _clinic(request: HttpRequest) -> Organisation:
    organisation = _own(request)
    if organisation.kind != OrganisationKind.OI_CLINIC:
        raise PermissionDenied("Only a clinic has rehabilitation partners.")
    return organisation


@router.get(
    "/partners",
    response={200: PartnerList, **errors(403)},
    operation_id="list_partners",
    summary="The rehabilitation partners your clinic refers patients to",
)
def list_partners(request: HttpRequest) -> dict[str, Any]:
    """Referrals go only to these. Any of the clinic's staff may read the list."""
    membership = getattr(request.user, "membership", None)
    if membership is None or membership.role == "patient":
        raise PermissionDenied("Staff only.")
    items = list(partnerships_of(_clinic(request)))
    return {"items": items, "count": len(items)}


@router.post(
    "/partners",
    response={201: PartnerOut, **write_errors()},
    operation_id="add_partner",
    summary="Add a rehabilitation partner your clinic refers patients to (its administrator)",
)
def add_partner_endpoint(request: HttpRequest, payload: PartnerIn) -> Any:
    if not has_permission(request.user, "partners.manage"):  # type: ignore[arg-type]
        raise PermissionDenied("Your role may not do this (partners.manage).")
    partner = Organisation.objects.filter(
        uuid=payload.partner, kind=OrganisationKind.REHAB_PARTNER, demonstration=False
    ).first()
    if partner is None:
        raise ValidationError({"partner": ["No such rehabilitation partner."]})
    return Status(201, add_partner(actor=request.user, partner=partner))  # type: ignore[arg-type]


@router.delete(
    "/partners/{partnership_id}",
    response={204: None, **write_errors()},
    operation_id="end_partnership",
    summary="Stop referring to a partner (its administrator); referrals made stay",
)
def end_partnership_endpoint(request: HttpRequest, partnership_id: uuid.UUID) -> Status[None]:
    if not has_permission(request.user, "partners.manage"):  # type: ignore[arg-type]
        raise PermissionDenied("Your role may not do this (partners.manage).")
    partnership = (
        Partnership.objects.select_related("partner")
        .filter(uuid=partnership_id, clinic=_clinic(request), ended_at__isnull=True)
        .first()
    )
    if partnership is None:
        raise Http404("No such partnership.")
    end_partnership(actor=request.user, partnership=partnership)  # type: ignore[arg-type]
    return Status(204, None)
