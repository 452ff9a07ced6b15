"""Provisioning accounts and issuing API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from osseo.audit.services import record
from osseo.patients.models import Patient

from .models import ApiToken, Membership, Organisation, OrganisationKind, Role, User


def create_organisation(*, name: str, slug: str, kind: str) -> Organisation:
    if kind not in OrganisationKind.values:
        raise ValidationError({"kind": [f"Choose one of: {', '.join(OrganisationKind.values)}."]})
    return Organisation.objects.create(name=name, slug=slug, kind=kind)


def create_user(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    organisation: Organisation,
    patient: Patient | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    check_password: bool = True,
) -> User:
    """Provision an account with its one membership; the patient role links to a patient."""
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [f"Unknown role {role!r}; roles are: {', '.join(Role.values)}."]
    if role == Role.PATIENT and patient is None:
        errors["patient"] = ["A patient account must be linked to a patient record (--patient)."]
    if role != Role.PATIENT and patient is not None:
        errors["patient"] = ["Only a patient account is linked to a patient record."]
    if role == Role.PATIENT and patient is not None:
        cared = patient.care_teams.filter(organisation=organisation, until__isnull=True).exists()
        if not cared:
            errors["patient"] = ["That patient is not cared for by this organisation."]
    if User.objects.filter(username=username).exists():
        errors["username"] = ["That username is taken."]
    if not username or len(username) > 150:
        errors["username"] = ["Enter a username of at most 150 characters."]
    if check_password:
        try:
            validate_password(password, User(username=username, first_name=first_name))
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            password=password,
            first_name=first_name,
            last_name=last_name,
            email=email,
        )
        Membership.objects.create(user=user, organisation=organisation, role=role, patient=patient)
        record(
            "accounts.user.created",
            actor=actor,
            patient=patient,
            obj=user,
            changes={
                "username": [None, username],
                "role": [None, role],
                "organisation": [None, organisation.slug],
            },
        )
    return user


def issue_api_token(*, user: User) -> str:
    """A new bearer token (returned once; only its digest is kept)."""
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.create(
            user=user,
            digest=ApiToken.digest_of(raw),
            expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_HOURS),
        )
        record("accounts.token.issued", actor=user, obj=user)
    return raw


def user_for_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user__membership__organisation")
        .filter(digest=ApiToken.digest_of(raw), expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token.user


def set_clinic_setting(
    *, actor: User, key: str, value: Any, source: str = "", validated: bool = False
) -> None:
    """A clinic admin sets one of the clinic's settings; audited with before and after."""
    from django.core.exceptions import PermissionDenied

    from .clinic_settings import SPECS, resolve, validate_value
    from .models import ClinicSetting
    from .permissions import has_permission

    if not has_permission(actor, "settings.manage"):
        raise PermissionDenied("Only a clinic administrator changes clinic settings.")
    if key not in SPECS:
        raise ValidationError({"key": [f"Unknown setting {key!r}."]})
    clean = validate_value(key, value)
    source = (source or "").strip()
    if validated and not source:
        raise ValidationError({"source": ["A validated value names its source."]})
    organisation = actor.membership.organisation
    before = resolve(organisation, key)
    with transaction.atomic():
        ClinicSetting.objects.update_or_create(
            organisation=organisation,
            key=key,
            defaults={
                "value": clean,
                "source": source[:300],
                "validated": validated,
                "set_by": actor,
                "set_at": timezone.now(),
            },
        )
        record(
            "accounts.setting.changed",
            actor=actor,
            changes={
                key: [before.value, clean],
                "source": [before.source, source],
                "validated": [before.validated, validated],
            },
        )


def set_account_active(*, actor: User, account: User, active: bool) -> User:
    """Deactivate (or re-activate) a colleague's account; audited. Sessions and tokens stop."""
    from django.core.exceptions import PermissionDenied

    from .permissions import has_permission

    if not has_permission(actor, "accounts.manage"):
        raise PermissionDenied("Only a clinic administrator manages accounts.")
    if account.membership.organisation_id != actor.membership.organisation_id:
        raise PermissionDenied("That account belongs to another organisation.")
    with transaction.atomic():
        account.is_active = active
        account.save(update_fields=["is_active"])
        if not active:
            ApiToken.objects.filter(user=account).delete()
        record(
            "accounts.user.activated" if active else "accounts.user.deactivated",
            actor=actor,
            obj=account,
            changes={"is_active": [not active, active]},
        )
    return account
