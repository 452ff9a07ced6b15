"""Clinic administrators manage their organisation's accounts."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from osseo.editing import apply_errors
from osseo.errors import Conflict

from .actions import add_account, issue_temporary_password, set_account_active
from .models import Membership, Role, User
from .permissions import has_permission

STAFF_CHOICES = [(r.value, r.label) for r in Role if r != Role.PATIENT]


class AccountForm(forms.Form):
    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150, required=False, label="First name")
    last_name = forms.CharField(max_length=150, required=False, label="Last name")
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=STAFF_CHOICES)


@login_required
@require_http_methods(["GET", "POST"])
def accounts(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not has_permission(user, "accounts.manage"):
        raise PermissionDenied
    organisation = user.membership.organisation
    form = AccountForm(request.POST if "create" in request.POST else None)
    issued: str | None = None
    conflict = False
    if request.method == "POST" and "toggle" in request.POST:
        target = User.objects.filter(
            uuid=request.POST.get("toggle", ""), membership__organisation=organisation
        ).first()
        if target is None:
            raise PermissionDenied
        # The state the button asked for (not a toggle): a page opened before a colleague's
        # click does not undo it.
        wanted = request.POST.get("active")
        if wanted not in ("0", "1"):
            return HttpResponseBadRequest("Say whether the account is to be active.")
        try:
            set_account_active(actor=user, account=target, active=wanted == "1")
        except Conflict as exc:
            messages.error(request, str(exc))
            conflict = True
        else:
            messages.success(
                request,
                f"{target.username} {'re-activated' if target.is_active else 'deactivated'}.",
            )
            return redirect("accounts:accounts")
    if request.method == "POST" and "reset_password" in request.POST:
        target = User.objects.filter(
            uuid=request.POST.get("reset_password", ""), membership__organisation=organisation
        ).first()
        if target is None:
            raise PermissionDenied
        try:
            issued = issue_temporary_password(actor=user, account=target)
        except Conflict as exc:
            messages.error(request, str(exc))
            conflict = True
        else:
            messages.success(
                request, f"{target.username} must choose a new password at their next sign-in."
            )
    if request.method == "POST" and form.is_valid():
        # A one-time password for the new colleague, shown once to the administrator.
        issued = secrets.token_urlsafe(12)
        try:
            add_account(
                actor=user,
                username=form.cleaned_data["username"],
                password=issued,
                role=form.cleaned_data["role"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                email=form.cleaned_data["email"],
            )
        except ValidationError as exc:
            issued = None
            apply_errors(form, exc)  # type: ignore[arg-type]
        else:
            messages.success(request, f"Account {form.cleaned_data['username']} created.")
            form = AccountForm()
    members = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("role", "user__username")
    )
    status = 409 if conflict else 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "accounts/accounts.html",
        {"members": members, "form": form, "issued": issued},
        status=status,
    )
