"""Patient accounts from the screen: a coordinator invites a patient, who sets a password.

The invitation is an e-mailed link holding a token from Django's password-reset token generator
(its own salt): an HMAC, keyed with the SECRET_KEY, of the account's id, its password hash, its
last sign-in and the time it was made. Setting the password (or a newer invitation, which
replaces the unusable password) changes the hash, so a link works once; it expires after the
clinic's `patient_invitation_hours`. The mail names the clinic only: no clinical detail.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from osseo.audit.services import record
from osseo.contract import action
from osseo.errors import Conflict, Missing
from osseo.patients.models import Patient

from .actions import _set_password, create_user
from .clinic_settings import resolve
from .models import Membership, Role, User

log = logging.getLogger(__name__)

Status = Literal["valid", "expired", "invalid"]


class InvitationTokens(PasswordResetTokenGenerator):
    key_salt = "osseo.accounts.invitation_actions.InvitationTokens"

    def status(self, user: User, token: str) -> Status:
        """Whether the token is this account's and unused ("invalid" if not), and in time."""
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return "invalid"
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                break
        else:
            return "invalid"
        age = self._num_seconds(self._now()) - ts
        return "valid" if age <= valid_hours(user) * 3600 else "expired"


tokens = InvitationTokens()


def valid_hours(user: User) -> int:
    return int(resolve(user.membership.organisation, "patient_invitation_hours").value)


@dataclass(frozen=True)
class Invitation:
    account: User
    email: str
    expires_at: datetime
    link: str


def _username_for(email: str, patient: Patient) -> str:
    wanted = email.lower()[:150]
    if not User.objects.filter(username__iexact=wanted).exists():
        return wanted
    return f"patient-{patient.uuid.hex[:12]}"


@action(permission="patient.invite", locks=["patient"])
def invite_patient(*, actor: User, patient: Patient, email: str = "", base_url: str) -> Invitation:
    """Make (or keep) the patient's account at the actor's clinic and e-mail them a link to set
    their password. A patient who already has a password is refused (409); an earlier link of
    an account not yet set up stops working."""
    clinic = actor.membership.organisation
    if not patient.care_teams.filter(organisation=clinic, until__isnull=True).exists():
        raise PermissionDenied("Your clinic does not care for this patient.")
    membership = Membership.objects.select_related("user").filter(patient=patient).first()
    if membership is not None and membership.user.has_usable_password():
        raise Conflict(
            "This patient already has an account; they can reset a forgotten password from "
            "the sign-in page.",
            missing=[Missing("no_account", "A patient without an account yet")],
        )
    if membership is not None and membership.organisation_id != clinic.pk:
        raise PermissionDenied("The patient's account belongs to another clinic.")
    email = (email or patient.email or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(
            {"email": ["Enter the patient's e-mail address: the invitation is sent there."]}
        ) from exc
    if membership is None:
        account = create_user(
            actor=actor,
            username=_username_for(email, patient),
            password=secrets.token_urlsafe(32),
            role=Role.PATIENT,
            organisation=clinic,
            patient=patient,
            first_name=patient.given_name,
            last_name=patient.family_name,
            email=email,
            check_password=False,
        )
    else:
        account = membership.user
    account.email = email
    account.set_unusable_password()  # a random one: any earlier link stops working
    account.save(update_fields=["email", "password"])
    token = tokens.make_token(account)
    link = base_url.rstrip("/") + reverse(
        "accounts:invitation", kwargs={"account_id": account.uuid, "token": token}
    )
    hours = valid_hours(account)
    expires_at = timezone.now() + timedelta(hours=hours)
    record(
        "accounts.patient.invited",
        actor=actor,
        patient=patient,
        obj=account,
        changes={"username": [None, account.username], "valid_hours": [None, hours]},
    )
    context = {
        "clinic": clinic,
        "link": link,
        "username": account.username,
        "expires_at": expires_at,
        "hours": hours,
    }
    subject = f"{clinic.name}: set up your Osseo account"
    body = render_to_string("accounts/invitation_email.txt", context)
    transaction.on_commit(lambda: _send(subject, body, email))
    return Invitation(account, email, expires_at, link)


def _send(subject: str, body: str, to: str) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:  # the invitation stands; the coordinator sees it and can send it again
        log.exception("Could not send the invitation %r", subject)


@action(locks=["account"])
def accept_invitation(*, account: User, token: str, new_password: str) -> User:
    """The invited patient sets their password through the link (checked again under the lock:
    two tabs cannot both use it); the link then stops working."""
    state = tokens.status(account, token)
    if state != "valid" or account.membership.role != Role.PATIENT:
        raise Conflict(
            "This invitation link has expired."
            if state == "expired"
            else "This invitation link has already been used or was replaced by a newer one.",
            missing=[Missing("invitation", "A new invitation from your clinic")],
        )
    _set_password(account, new_password, field="new_password2")
    record(
        "accounts.invitation.accepted",
        actor=account,
        patient=account.membership.patient,
        obj=account,
    )
    return account
