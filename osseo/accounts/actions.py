"""Provisioning accounts, issuing API tokens and the clinic's settings.

The writes people make (a clinic administrator adding or deactivating a colleague's account,
setting a clinic setting) go through the action contract (`osseo.contract`): the permission, one
transaction, the rows they check locked and re-read first. Provisioning from the command line
or the demo seeder has no actor with a role: `create_user` is transactional without a permission.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from osseo.audit.services import record
from osseo.contract import action, check_version, lock
from osseo.errors import Conflict, Missing

from .clinic_settings import SPECS, resolve, validate_value
from .models import (
    STAFF_ROLES,
    ApiToken,
    ClinicSetting,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from .permissions import require_permission
from .twofactor import RECOVERY_CODES


@action()
def create_organisation(*, name: str, slug: str, kind: str) -> Organisation:
    """The operator's way (the demo, tests): no actor with a role, so no permission."""
    if kind not in OrganisationKind.values:
        raise ValidationError({"kind": [f"Choose one of: {', '.join(OrganisationKind.values)}."]})
    return Organisation.objects.create(name=name, slug=slug, kind=kind)


@action()
def create_user(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    organisation: Organisation,
    patient: Model | None = None,  # the patient role's record (a patients.Patient)
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    check_password: bool = True,
    must_change_password: bool = False,
) -> User:
    """Provision an account with its one membership; the patient role links to a patient.
    The operator's way (`osseo adduser`, the demo): no permission. A clinic administrator adds
    colleagues with `add_account`."""
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [f"Unknown role {role!r}; roles are: {', '.join(Role.values)}."]
    if role == Role.PATIENT and patient is None:
        errors["patient"] = ["A patient account must be linked to a patient record (--patient)."]
    if role != Role.PATIENT and patient is not None:
        errors["patient"] = ["Only a patient account is linked to a patient record."]
    if role == Role.PATIENT and patient is not None:
        cared = (
            type(patient)
            ._default_manager.filter(
                pk=patient.pk,
                care_teams__organisation=organisation,
                care_teams__until__isnull=True,
            )
            .exists()
        )
        if not cared:
            errors["patient"] = ["That patient is not cared for by this organisation."]
    taken = ["That username is taken."]
    if User.objects.filter(username=username).exists():
        errors["username"] = taken
    if not username or len(username) > 150:
        errors["username"] = ["Enter a username of at most 150 characters."]
    if check_password:
        try:
            validate_password(password, User(username=username, first_name=first_name))
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():  # a savepoint: a username taken meanwhile is the same refusal
            user = User.objects.create_user(
                username=username,
                password=password,
                first_name=first_name,
                last_name=last_name,
                email=email,
                must_change_password=must_change_password,
                password_changed_at=timezone.now(),
            )
    except IntegrityError as exc:
        raise ValidationError({"username": taken}) from exc
    Membership.objects.create(
        user=user,
        organisation=organisation,
        role=role,
        patient_id=None if patient is None else patient.pk,
    )
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


@action(permission="accounts.manage")
def add_account(
    *,
    actor: User,
    username: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """A clinic administrator adds a staff account to their own organisation, with a one-time
    password the colleague must change at first sign-in (patient accounts are linked to a
    record by the operator: `osseo adduser`)."""
    if role not in STAFF_ROLES:
        raise ValidationError({"role": ["Choose a staff role."]})
    return create_user(
        actor=actor,
        username=username,
        password=password,
        role=role,
        organisation=actor.membership.organisation,
        first_name=first_name,
        last_name=last_name,
        email=email,
        must_change_password=True,
    )


@action(locks=["user"])
def issue_api_token(*, user: User) -> str:
    """A new bearer token (returned once; only its digest is kept). The account is locked first:
    one deactivated meanwhile gets no token (deactivating deletes the tokens it has)."""
    if not user.is_active:
        raise PermissionDenied("This account is deactivated.")
    raw = secrets.token_urlsafe(32)
    organisation = user.membership.organisation if hasattr(user, "membership") else None
    hours = resolve(organisation, "api_token_hours").value
    ApiToken.objects.filter(user=user, expires_at__lte=timezone.now()).delete()  # spent ones
    ApiToken.objects.create(
        user=user,
        digest=ApiToken.digest_of(raw),
        expires_at=timezone.now() + timedelta(hours=hours),
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
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RESOLUTION:
        # Best-effort and at most once a minute per token: not a write the user asked for.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# How finely a token's "last used" is kept: one write a minute at most, not one per request.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


@action(locks=["token"])
def revoke_api_token(*, actor: User, token: ApiToken) -> None:
    """The token's owner, or a clinic administrator of the owner's organisation, revokes it."""
    owner = token.user
    if owner.pk != actor.pk:
        require_permission(actor, "accounts.manage")
        if owner.membership.organisation_id != actor.membership.organisation_id:
            raise PermissionDenied("That token belongs to another organisation's account.")
    record(
        "accounts.token.revoked",
        actor=actor,
        obj=owner,
        changes={"token": [str(token.uuid), None]},
    )
    token.delete()


@action()
def purge_expired_tokens() -> int:
    """Remove the tokens past their expiry (`osseo tokens purge`, the worker); how many."""
    count, _ = ApiToken.objects.filter(expires_at__lte=timezone.now()).delete()
    if count:
        record("accounts.tokens.purged", actor=None, changes={"count": [None, count]})
    return count


# Passwords (osseo/accounts/passwords.py says when one must be changed).
@action(locks=["user"])
def change_password(*, user: User, new_password: str) -> None:
    """The signed-in user chooses a new password (after a temporary or expired one, too)."""
    _set_password(user, new_password, field="new_password2")
    record("accounts.password.changed", actor=user, obj=user)


@action(locks=["user"])
def reset_password(*, user: User, new_password: str) -> None:
    """The user sets a new password through an e-mailed reset link; their API tokens stop."""
    _set_password(user, new_password, field="new_password2")
    ApiToken.objects.filter(user=user).delete()
    record("accounts.password.reset", actor=user, obj=user)


@action(permission="accounts.manage", locks=["account"])
def issue_temporary_password(*, actor: User, account: User) -> str:
    """A clinic administrator resets a colleague's password to a temporary one (returned once),
    which the colleague must change at their next sign-in; their API tokens stop."""
    if account.membership.organisation_id != actor.membership.organisation_id:
        raise PermissionDenied("That account belongs to another organisation.")
    if account.pk == actor.pk:
        raise Conflict(
            "Change your own password on your account page.",
            missing=[Missing("another_account", "A colleague's account")],
        )
    temporary = secrets.token_urlsafe(12)
    account.set_password(temporary)
    account.must_change_password = True
    account.save(update_fields=["password", "must_change_password"])
    ApiToken.objects.filter(user=account).delete()
    record("accounts.password.issued", actor=actor, obj=account)
    return temporary


def _set_password(user: User, new_password: str, *, field: str) -> None:
    if user.check_password(new_password):
        raise ValidationError({field: ["Choose a password different from the current one."]})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({field: list(exc.messages)}) from exc
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])


@action(permission="settings.manage")
def set_clinic_setting(
    *,
    actor: User,
    key: str,
    value: Any = None,
    source: str | None = None,
    validated: bool | None = None,
    if_match: str | None = None,
) -> ClinicSetting:
    """A clinic admin sets one of the clinic's settings; audited with before and after.

    Only what is named changes (None keeps it): `value` (for a setting whose value is an object,
    the parts given, over the current ones), `source`, `validated`; so a colleague's change to
    another part survives. A first change starts from the default value, unsourced and not
    validated: the default's source belongs to the default's value. The row may not exist yet:
    the organisation is locked instead of it, then the row; `if_match` names the version the
    change was decided on (the default is version 1, the first saved row version 2)."""
    if key not in SPECS:
        raise ValidationError({"key": [f"Unknown setting {key!r}."]})
    organisation = actor.membership.organisation
    lock(organisation)
    row = (
        ClinicSetting.objects.select_for_update().filter(organisation=organisation, key=key).first()
    )
    check_version(row or ClinicSetting(organisation=organisation, key=key), if_match)
    before = resolve(organisation, key)
    current = row.value if row else SPECS[key].default
    if value is None:
        value = current
    elif isinstance(value, dict) and isinstance(current, dict):
        value = {**current, **value}
    clean = validate_value(key, value)
    source = ((row.source if row else "") if source is None else source.strip())[:300]
    validated = (row.validated if row else False) if validated is None else validated
    if validated and not source:
        raise ValidationError({"source": ["A validated value names its source."]})
    if row is not None and (row.value, row.source, row.validated) == (clean, source, validated):
        return row
    if row is None:
        row = ClinicSetting(organisation=organisation, key=key, version=2)
    row.value, row.source, row.validated = clean, source, validated
    row.set_by, row.set_at = actor, timezone.now()
    row.save()
    record(
        "accounts.setting.changed",
        actor=actor,
        changes={
            key: [before.value, clean],
            "source": [before.source, source],
            "validated": [before.validated, validated],
        },
    )
    return row


@action(permission="accounts.manage", locks=["account"])
def set_account_active(*, actor: User, account: User, active: bool) -> User:
    """Deactivate (or re-activate) a colleague's account; audited. Sessions and tokens stop.
    `active` is the state asked for, not a toggle: decided on the locked account, so a second
    administrator's click on a stale page is refused (409) instead of undoing the first."""
    if account.membership.organisation_id != actor.membership.organisation_id:
        raise PermissionDenied("That account belongs to another organisation.")
    if account.pk == actor.pk and not active:
        raise Conflict(
            "You cannot deactivate your own account.",
            missing=[Missing("another_administrator", "Another clinic administrator to do it")],
        )
    if account.is_active == active:
        state = "active" if active else "deactivated"
        raise Conflict(
            f"{account.username}'s account is already {state}.",
            missing=[
                Missing("account_deactivated", "A deactivated account")
                if active
                else Missing("account_active", "An active account")
            ],
        )
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


# Two-factor sign-in (osseo/accounts/twofactor.py). Recovery codes are shown once, at enrolment.
@action(locks=["user"])
def start_totp_enrolment(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user (any earlier unconfirmed one is dropped);
    it counts only once `confirm_totp_enrolment` has seen a code from it."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@action(locks=["user"])
def confirm_totp_enrolment(*, user: User, code: str) -> list[str]:
    """Confirm the user's new authenticator with a code from it; replaces any earlier one and
    issues fresh recovery codes (returned once)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        raise ValidationError({"code": ["Start the enrolment again: no authenticator is waiting."]})
    if not device.verify_token("".join(code.split())):
        raise ValidationError(
            {"code": ["That code is not right; check the app's clock and try again."]}
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    record("accounts.otp.enrolled", actor=user, obj=user)
    return codes


@action(locks=["user"])
def enrol_totp_for(*, user: User, key: str | None = None) -> tuple[str, list[str]]:
    """The operator enrols a user (`osseo otp enrol NAME`, the demo seeder): a confirmed
    authenticator and recovery codes; returns its `otpauth://` URI and the codes, once."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice(user=user, name="Authenticator app", confirmed=True)
    if key is not None:
        device.key = key
    device.save()
    codes = _new_recovery_codes(user)
    record("accounts.otp.enrolled", actor=None, obj=user)
    return device.config_url, codes


@action(permission="accounts.manage", locks=["account"])
def reset_second_factor(*, actor: User, account: User) -> None:
    """A clinic administrator removes a colleague's lost authenticator and recovery codes; the
    colleague enrols again at the next sign-in if their role requires it."""
    if account.membership.organisation_id != actor.membership.organisation_id:
        raise PermissionDenied("That account belongs to another organisation.")
    TOTPDevice.objects.filter(user=account).delete()
    StaticDevice.objects.filter(user=account).delete()
    record("accounts.otp.reset", actor=actor, obj=account)


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes
