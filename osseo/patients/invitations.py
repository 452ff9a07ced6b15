"""A coordinator invites a patient to their own account: the account is made (with no usable
password) if the patient has none, and the link to set a password is e-mailed. The link's token
and its acceptance are the accounts layer's (osseo/accounts/invitation_actions.py).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from osseo.accounts.actions import create_user
from osseo.accounts.invitation_actions import send_invitation, tokens, valid_hours
from osseo.accounts.models import Membership, Role, User
from osseo.audit.services import record
from osseo.contract import action
from osseo.errors import Conflict, Missing

from .models import Patient


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
    transaction.on_commit(lambda: send_invitation(subject, body, email))
    return Invitation(account, email, expires_at, link)
