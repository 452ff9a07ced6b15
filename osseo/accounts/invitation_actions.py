"""Patient accounts from the screen: a coordinator invites a patient (the patients app's
`osseo/patients/invitations.py`), who sets a password through the link (here).

The invitation is an e-mailed link holding a token from Django's password-reset token generator
(its own salt): an HMAC, keyed with the SECRET_KEY, of the account's id, its password hash, its
last sign-in and the time it was made. Setting the password (or a newer invitation, which
replaces the unusable password) changes the hash, so a link works once; it expires after the
clinic's `patient_invitation_hours`. The mail names the clinic only: no clinical detail.
"""

from __future__ import annotations

import logging
from typing import Literal

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from osseo.audit.services import record
from osseo.contract import action
from osseo.errors import Conflict, Missing

from .actions import _set_password
from .clinic_settings import resolve
from .models import Role, User

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


def send_invitation(subject: str, body: str, to: str) -> None:
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
