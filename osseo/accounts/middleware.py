"""What a signed-in account must do before anything else: enrol a second factor where its clinic
requires one for its role (osseo/accounts/twofactor.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import twofactor

# Pages an account may still reach: enrolling, signing out, the static files, the API (its
# token endpoint enforces the same rule), the health check.
OPEN_PREFIXES = ("/static/", "/api/", "/healthz")


class AccountRulesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not self._open(request.path)
            and twofactor.required_for(user)
            and not twofactor.has_second_factor(user)
        ):
            return redirect("accounts:two_factor")
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        return path.startswith(OPEN_PREFIXES) or path in {
            reverse("accounts:two_factor"),
            reverse("accounts:logout"),
        }
