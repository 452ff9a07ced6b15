"""The signed-in user's own account page: password, two-factor sign-in and API tokens."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import twofactor
from .actions import revoke_api_token
from .clinic_settings import resolve
from .queries import live_tokens, token_for


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if request.method == "POST":
        try:
            token_id = uuid.UUID(request.POST.get("revoke", ""))
        except ValueError as exc:
            raise Http404("No such token.") from exc
        revoke_api_token(actor=user, token=token_for(user, token_id))
        messages.success(request, "The token was revoked: clients using it are signed out.")
        return redirect("accounts:account")
    membership = getattr(user, "membership", None)
    organisation = membership.organisation if membership else None
    return render(
        request,
        "accounts/account.html",
        {
            "tokens": live_tokens(user),
            "token_hours": resolve(organisation, "api_token_hours"),
            "enrolled": twofactor.has_second_factor(user),
        },
    )
