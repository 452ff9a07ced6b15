"""Reads of enquiries: the access-checked getter every triage view and endpoint goes through.

Scope: an enquiry belongs to the clinic it was sent to; another clinic's enquiry is "not found"
(404, its existence not revealed). Inside the clinic, only roles holding `enquiry.triage`
(coordinators and clinic admins) may read it: others get 403.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from osseo.accounts.models import Organisation, OrganisationKind, User
from osseo.accounts.permissions import has_permission
from osseo.audit.services import record
from osseo.patients.models import Patient
from osseo.patients.nhs import normalise_nhs_number
from osseo.patients.queries import patients_for

from .models import Enquiry, EnquirySettings, EnquiryStatus


def enquiries_for(user: User) -> QuerySet[Enquiry]:
    """The enquiries sent to the user's clinic (whatever the role: the getter checks the role)."""
    membership = getattr(user, "membership", None)
    if membership is None or not user.is_active:
        return Enquiry.objects.none()
    return Enquiry.objects.filter(organisation_id=membership.organisation_id)


def triage_queue(user: User, status: str = "") -> QuerySet[Enquiry]:
    """The clinic's queue for a coordinator or clinic admin: one status oldest first, or all
    newest first."""
    if not has_permission(user, "enquiry.triage"):
        raise PermissionDenied("Your role may not triage enquiries.")
    qs = enquiries_for(user).select_related("patient", "episode")
    if status:
        return qs.filter(status=status).order_by("received_at", "id")
    return qs.order_by("-received_at", "-id")


def new_enquiry_count(user: User) -> int | None:
    """How many new enquiries wait, for those who may triage them; None for everyone else."""
    if not has_permission(user, "enquiry.triage"):
        return None
    return enquiries_for(user).filter(status=EnquiryStatus.NEW).count()


def get_enquiry_for(
    user: User, enquiry_id: Any, *, permission: str = "enquiry.triage", audit_read: bool = True
) -> Enquiry:
    """The enquiry, if sent to the user's clinic and the user holds `permission`; reads audited."""
    try:
        key = (
            enquiry_id
            if isinstance(enquiry_id, uuid_module.UUID)
            else uuid_module.UUID(str(enquiry_id))
        )
        enquiry = (
            enquiries_for(user)
            .select_related("organisation", "patient", "episode__limb", "converted_by")
            .get(uuid=key)
        )
    except (ValueError, Enquiry.DoesNotExist) as exc:
        raise Http404("No such enquiry.") from exc
    if not has_permission(user, permission):
        raise PermissionDenied(f"Your role may not do this ({permission}).")
    if audit_read:
        record("portal.enquiry.viewed", actor=user, patient=enquiry.patient, obj=enquiry)
    return enquiry


def enquiry_page(enquiry: Enquiry) -> Enquiry:
    """The enquiry with its notes and their authors loaded (no N+1)."""
    return (
        Enquiry.objects.select_related("organisation", "patient", "episode__limb", "converted_by")
        .prefetch_related("notes__author")
        .get(pk=enquiry.pk)
    )


# Receiving clinics ----------------------------------------------------------------------------


def receiving_clinics() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.OI_CLINIC).order_by("id")


def receiving_clinic(slug: str | None) -> Organisation | None:
    """The clinic an enquiry goes to: the one named by `slug`; without one, the clinic named by
    `OSSEO_ENQUIRY_CLINIC`, else the first OI clinic created (the only one, in most installs).
    None when there is no such clinic (a rehabilitation partner receives no enquiries)."""
    clinics = receiving_clinics()
    if slug:
        return clinics.filter(slug=slug).first()
    default = getattr(settings, "OSSEO_ENQUIRY_CLINIC", "")
    if default:
        return clinics.filter(slug=default).first()
    return clinics.first()


# Retention ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Retention:
    days: int
    validated: bool  # False: the default or a number the clinic has not confirmed
    basis: str
    set_by: str
    set_at: dt.datetime | None

    @property
    def label(self) -> str:
        return "validated" if self.validated else "not validated"


def retention_for(organisation: Organisation) -> Retention:
    row = EnquirySettings.objects.select_related("set_by").filter(organisation=organisation).first()
    if row is None:
        return Retention(settings.OSSEO_ENQUIRY_RETENTION_DAYS, False, "Osseo's default", "", None)
    who = row.set_by.get_full_name() or row.set_by.username if row.set_by else ""
    return Retention(row.retention_days, row.validated, row.basis, who, row.set_at)


def notify_address(organisation: Organisation) -> str:
    row = EnquirySettings.objects.filter(organisation=organisation).first()
    if row is not None and row.notify_email:
        return row.notify_email
    return str(getattr(settings, "OSSEO_CLINIC_NOTIFY_EMAIL", "") or "")


def expired_enquiries(now: dt.datetime) -> list[Enquiry]:
    """Unconverted enquiries past retention, oldest first: the shorter of the period stated to
    the enquirer when they consented and their clinic's current period."""
    expired: list[Enquiry] = []
    clinic_ids = Enquiry.objects.values_list("organisation_id", flat=True).distinct()
    for organisation in Organisation.objects.filter(pk__in=clinic_ids).order_by("id"):
        clinic_days = retention_for(organisation).days
        candidates = (
            Enquiry.objects.filter(organisation=organisation, received_at__lt=now)
            .exclude(status=EnquiryStatus.CONVERTED)
            .select_related("organisation")
            .order_by("received_at", "id")
        )
        expired.extend(
            e
            for e in candidates
            if e.received_at + dt.timedelta(days=min(clinic_days, e.retention_days)) <= now
        )
    return expired


# Conversion -----------------------------------------------------------------------------------


def possible_duplicates(
    user: User, *, given_name: str, family_name: str, birth_date: dt.date | None, nhs_number: str
) -> list[Patient]:
    """Patients in the user's care scope who may be this person: the same NHS number, or the same
    given and family name and date of birth (names compared case-insensitively)."""
    match = Q(pk__in=[])
    nhs = normalise_nhs_number(nhs_number or "")
    if nhs:
        match |= Q(nhs_number=nhs)
    if given_name and family_name and birth_date:
        match |= Q(
            given_name__iexact=given_name.strip(),
            family_name__iexact=family_name.strip(),
            birth_date=birth_date,
        )
    return list(patients_for(user).filter(match).prefetch_related("limbs").order_by("id")[:10])
