"""A patient's account stays on the patient's own pages.

A signed-in patient who opens any staff page gets 403 ("not allowed", with a link to their own
pages), whatever the page and method: one rule, so no staff screen shows a patient even a
stripped-down view. The one exception is the site's front door (`/`, where signing in lands),
which sends them to `/me/`. Their account pages (sign out, password, two-factor) stay open, and
the API answers by its own checks (own data only, or 403).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .access import is_patient

# Pages outside /me/ that a patient's account may open: signing in and out, the account's
# password and second factor, accepting an invitation, their own calendar feed's address.
PATIENT_MAY_OPEN = frozenset(
    {
        "accounts:login",
        "accounts:sign_in_code",
        "accounts:logout",
        "accounts:account",
        "accounts:password_change",
        "accounts:password_reset",
        "accounts:password_reset_sent",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
        "accounts:two_factor",
        "accounts:invitation",
        "scheduling:calendar",
        "scheduling:calendar_feed",
    }
)
OPEN_PREFIXES = ("/api/", "/static/", "/healthz")


class PatientOwnPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.path.startswith(OPEN_PREFIXES) or not is_patient(request.user):
            return None
        match = request.resolver_match
        if match is None or match.namespace == "me" or match.view_name in PATIENT_MAY_OPEN:
            return None
        if match.view_name == "patients:dashboard":
            return redirect("me:home")
        raise PermissionDenied(
            "This page is for the clinic's staff. Your own pages are under My care."
        )
