"""The invited patient sets a password through the e-mailed link and lands on their own record
(the coordinator's side, the patient's account page, is osseo/patients/invitation_views.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from osseo.editing import apply_errors
from osseo.errors import Conflict

from .invitation_actions import accept_invitation, tokens, valid_hours
from .models import Role, User


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, account_id: str, token: str) -> HttpResponse:
    """Public: the link is the credential. An expired or used link is refused (410) and says
    what to do; a good one sets the password, signs the patient in and opens their record."""
    account = (
        User.objects.select_related("membership__organisation")
        .filter(uuid=account_id, membership__role=Role.PATIENT)
        .first()
    )
    state = tokens.status(account, token) if account is not None else "invalid"
    clinic = account.membership.organisation if account is not None else None
    if account is None or state != "valid":
        return render(
            request,
            "accounts/invitation.html",
            {"state": state, "clinic": clinic, "hours": valid_hours(account) if account else 0},
            status=410,
        )
    form = SetPasswordForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accept_invitation(
                account=account, token=token, new_password=form.cleaned_data["new_password1"]
            )
        except (ValidationError, Conflict) as exc:
            apply_errors(form, exc)
        else:
            if request.user.is_authenticated:
                logout(request)
            login(request, account, backend="osseo.accounts.backends.LockoutBackend")
            messages.success(request, "Your password is set. This is your record.")
            return redirect("patients:dashboard")  # a patient's dashboard is their own record
    return render(
        request,
        "accounts/invitation.html",
        {"state": state, "clinic": clinic, "form": form, "account": account},
        status=422 if form.is_bound and form.errors else 200,
    )
