"""When an account must choose a new password before doing anything else.

- A password a clinic administrator issued (a new account, a reset) is temporary: the user
  changes it at their first sign-in (`User.must_change_password`).
- A password older than the clinic's `password_max_age_days` (a clinic setting; 0, the default,
  means passwords do not expire) has expired.

The browser is sent to the change-password page (osseo/accounts/middleware.py); the API answers
403 with the problem type `PASSWORD_CHANGE_REQUIRED` (osseo/api.py) until the password is changed.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from .clinic_settings import resolve
from .models import User

# The problem type (RFC 9457 §3.1.1, a URI reference) of the API's 403 for such an account.
PASSWORD_CHANGE_REQUIRED = "/problems/password-change-required"  # noqa: S105 (a URI)


class PasswordChangeRequired(PermissionDenied):
    """The API's refusal (403) while the account's password must be changed."""


def check_api_access(user: User, path: str) -> None:
    """Refuse an API request of an account whose password must be changed, except to the
    account's own endpoints (`/api/v1/auth/...`: changing the password, its tokens)."""
    reason = change_due(user)
    if reason and not path.startswith("/api/v1/auth/"):
        raise PasswordChangeRequired(
            reason_text(reason) + " Use POST /api/v1/auth/password or the account page."
        )


def change_due(user: User) -> str:
    """Why the user must change their password now ("issued", "expired"), or "" when not."""
    if user.must_change_password:
        return "issued"
    membership = getattr(user, "membership", None)
    if membership is None:
        return ""
    days = resolve(membership.organisation, "password_max_age_days").value
    if not days:
        return ""
    chosen = user.password_changed_at or user.date_joined
    return "expired" if timezone.now() >= chosen + timedelta(days=days) else ""


def reason_text(reason: str) -> str:
    if reason == "issued":
        return "Your password was issued by an administrator: choose your own before going on."
    return "Your password has expired under your clinic's policy: choose a new one."
