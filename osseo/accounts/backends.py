"""The one authentication backend: Django's username and password check behind the lockout.

The attempt is counted (`lockout.begin`) before the password is checked. The caller finishes the
sign-in: after a second factor where the account has one, it calls `lockout.succeeded`; until it
does, the attempt stays counted as a failure (so a wrong or missing one-time code counts too).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from osseo.audit.services import record

from . import lockout
from .models import User


def attempt_of(request: HttpRequest | None) -> lockout.Attempt | None:
    return getattr(request, "osseo_signin_attempt", None)


class LockoutBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
        attempt = lockout.begin(username, address)
        if request is not None:
            request.osseo_signin_attempt = attempt  # type: ignore[attr-defined]
        if attempt.refused:
            raise PermissionDenied("sign-in paused")  # Django stops here: no password check
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            failed(username, "password")
        return user  # type: ignore[return-value]


def failed(username: str, reason: str) -> None:
    """Audit a failed attempt (with the client address the audit context holds)."""
    user = User.objects.filter(username=username).first()
    record(
        "accounts.user.sign_in_failed",
        actor=user,
        changes={"username": username[:150], "reason": reason},
    )
