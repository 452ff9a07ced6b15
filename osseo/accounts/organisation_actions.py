"""Organisations, their contact details, and the rehabilitation partners a clinic works with.

The installation's administrator (a superuser or staff account, or the operator at the command
line: `osseo organisation create`) makes organisations; each organisation's clinic administrator
keeps its contact details; a clinic's administrator names the partners it refers to.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from osseo.audit.services import record
from osseo.contract import action, lock
from osseo.errors import Conflict, Missing

from .contact import CONTACT_FIELDS, clean_contact
from .models import Organisation, OrganisationKind, Partnership, User


def is_installation_admin(user: Any) -> bool:
    """The installation's administrator: a superuser or staff account (not a clinic role)."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.is_staff)
    )


@action()
def add_organisation(
    *,
    actor: User | None,
    name: str,
    slug: str,
    kind: str,
    contact: dict[str, Any] | None = None,
) -> Organisation:
    """The installation's administrator (or the operator: `actor=None`) adds a clinic or a
    rehabilitation partner, with its contact details if known."""
    if actor is not None and not is_installation_admin(actor):
        raise PermissionDenied("Only the installation's administrator adds organisations.")
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 200:
        errors["name"] = ["Enter the organisation's name (at most 200 characters)."]
    slug = (slug or "").strip()
    if not slug or slug != slugify(slug) or len(slug) > 60:
        errors["slug"] = [
            "Enter a short name for addresses: lower-case letters, digits and hyphens, "
            "at most 60 characters."
        ]
    elif Organisation.objects.filter(slug=slug).exists():
        errors["slug"] = ["Another organisation has that short name."]
    if kind not in OrganisationKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(OrganisationKind.values)}."]
    try:
        details = clean_contact(contact or {})
    except ValidationError as exc:
        errors.update(exc.message_dict)
        details = {}
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():  # a savepoint: a slug taken meanwhile is the same refusal
            organisation = Organisation.objects.create(name=name, slug=slug, kind=kind, **details)
    except IntegrityError as exc:
        raise ValidationError({"slug": ["Another organisation has that short name."]}) from exc
    record(
        "accounts.organisation.created",
        actor=actor,
        obj=organisation,
        changes={"name": [None, name], "slug": [None, slug], "kind": [None, kind]},
    )
    return organisation


@action(permission="organisation.contact", locks=["organisation"])
def update_organisation_contact(
    *,
    actor: User,
    organisation: Organisation,
    data: dict[str, Any],
    if_match: str | None = None,
) -> Organisation:
    """The organisation's clinic administrator changes its contact details (telephone, e-mail,
    postal address, out-of-hours line); only the fields named change."""
    if actor.membership.organisation_id != organisation.pk:
        raise PermissionDenied("You keep your own organisation's contact details only.")
    unknown = sorted(set(data) - set(CONTACT_FIELDS))
    if unknown:
        raise ValidationError({name: ["Not a contact detail."] for name in unknown})
    clean = clean_contact(data)
    changes = {
        name: [getattr(organisation, name), value]
        for name, value in clean.items()
        if getattr(organisation, name) != value
    }
    if not changes:
        return organisation
    for name, value in clean.items():
        setattr(organisation, name, value)
    organisation.save(update_fields=[*clean])
    record(
        "accounts.organisation.contact_changed",
        actor=actor,
        obj=organisation,
        changes=changes,
    )
    return organisation


@action(permission="partners.manage")
def add_partner(*, actor: User, partner: Organisation) -> Partnership:
    """The clinic's administrator names a rehabilitation partner the clinic refers patients to."""
    clinic = actor.membership.organisation
    lock(clinic)
    if partner.kind != OrganisationKind.REHAB_PARTNER:
        raise ValidationError({"partner": ["Choose a rehabilitation partner organisation."]})
    if partner.demonstration:
        raise ValidationError({"partner": ["A demonstration centre cannot be a partner."]})
    if Partnership.objects.filter(clinic=clinic, partner=partner, ended_at__isnull=True).exists():
        raise Conflict(
            f"{partner.name} is already one of {clinic.name}'s partners.",
            missing=[Missing("not_a_partner", "A rehabilitation partner not yet listed")],
        )
    return _start(clinic, partner, actor)


@action(permission="partners.manage", locks=["partnership"])
def end_partnership(*, actor: User, partnership: Partnership) -> Partnership:
    """The clinic stops referring to a partner. Referrals already made stay as they are: the
    partner keeps caring for those patients until each referral is withdrawn."""
    if partnership.clinic_id != actor.membership.organisation_id:
        raise PermissionDenied("That partnership belongs to another clinic.")
    if partnership.ended_at is not None:
        raise Conflict(
            f"The partnership with {partnership.partner.name} has already ended.",
            missing=[Missing("active_partnership", "An active partnership")],
        )
    partnership.ended_at, partnership.ended_by = timezone.now(), actor
    partnership.save(update_fields=["ended_at", "ended_by"])
    record(
        "accounts.partnership.ended",
        actor=actor,
        obj=partnership,
        changes={"partner": [partnership.partner.slug, None]},
    )
    return partnership


@action()
def add_partnership(*, clinic: Organisation, partner: Organisation) -> Partnership:
    """The operator's way (the demo, tests): no actor with a role, so no permission. Idempotent."""
    if clinic.kind != OrganisationKind.OI_CLINIC or partner.kind != OrganisationKind.REHAB_PARTNER:
        raise ValidationError({"partner": ["A clinic partners with a rehabilitation partner."]})
    existing = Partnership.objects.filter(clinic=clinic, partner=partner, ended_at__isnull=True)
    if existing.exists():
        return existing.get()
    return _start(clinic, partner, None)


def _start(clinic: Organisation, partner: Organisation, actor: User | None) -> Partnership:
    partnership = Partnership.objects.create(
        clinic=clinic, partner=partner, since=timezone.now(), added_by=actor
    )
    record(
        "accounts.partnership.added",
        actor=actor,
        obj=partnership,
        changes={"partner": [None, partner.slug]},
    )
    return partnership
