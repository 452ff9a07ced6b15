"""What a signed-in account must do before anything else, checked on every page:

- a session idle for longer than the clinic's `session_idle_minutes` ends (signed out);
- a password issued by an administrator, or expired under the clinic's policy, is changed first
  (osseo/accounts/passwords.py);
- a second factor is enrolled where the clinic requires one for the account's role
  (osseo/accounts/twofactor.py).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from osseo.audit.services import record

from . import passwords, twofactor
from .clinic_settings import resolve

# Pages an account may still reach: enrolling, signing out, the static files, the API (its
# own authentication enforces the same rules, osseo/api.py), the health check.
OPEN_PREFIXES = ("/static/", "/api/", "/healthz")
# The session key holding the time (a POSIX timestamp) of the account's last request.
LAST_SEEN = "osseo_last_seen"


def idle_too_long(request: HttpRequest) -> bool:
    """Whether the signed-in session has been idle past its clinic's limit; notes this request
    as activity otherwise."""
    now = timezone.now().timestamp()
    last = request.session.get(LAST_SEEN)
    membership = getattr(request.user, "membership", None)
    if isinstance(last, int | float) and membership is not None:
        minutes = resolve(membership.organisation, "session_idle_minutes").value
        if now - last > minutes * 60:
            return True
    request.session[LAST_SEEN] = now
    return False


class AccountRulesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if idle_too_long(request):
            record("accounts.session.idle_ended", actor=user, obj=user)
            logout(request)
            if request.path.startswith("/api/"):
                return self.get_response(request)  # now anonymous: the API answers 401
            messages.info(request, "You were signed out after a period without activity.")
            login = reverse("accounts:login")
            return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
        if self._open(request.path):
            return self.get_response(request)
        if passwords.change_due(user) and request.path != reverse("accounts:password_change"):
            return redirect("accounts:password_change")
        if (
            request.path != reverse("accounts:two_factor")
            and twofactor.required_for(user)
            and not twofactor.has_second_factor(user)
        ):
            return redirect("accounts:two_factor")
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        return path.startswith(OPEN_PREFIXES) or path == reverse("accounts:logout")
