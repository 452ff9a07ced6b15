"""A coordinator invites a patient to an account (the patient's account page, linked from the
patient's record); the invited patient sets a password through the e-mailed link and lands on
their own record."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from osseo.editing import apply_errors
from osseo.errors import Conflict
from osseo.patients.queries import get_patient_for
from osseo.typed import SchemaForm

from .clinic_settings import resolve
from .invitation_actions import accept_invitation, invite_patient, tokens, valid_hours
from .invitation_api import InvitationIn
from .models import Membership, Role, User


class InviteForm(SchemaForm):
    schema = InvitationIn

    email = forms.EmailField(
        max_length=254,
        label="The patient's e-mail address",
        help_text="The link to set a password is sent here; the mail names your clinic only.",
    )


def _state(patient: Any) -> dict[str, Any]:
    membership = Membership.objects.select_related("user").filter(patient=patient).first()
    if membership is None:
        return {"state": "none", "account": None}
    account = membership.user
    return {"state": "active" if account.has_usable_password() else "invited", "account": account}


@login_required
@require_http_methods(["GET", "POST"])
def patient_account(request: HttpRequest, patient_id: str) -> HttpResponse:
    user: Any = request.user
    writing = request.method == "POST"
    patient = get_patient_for(user, patient_id, permission="patient.invite", audit_read=not writing)
    form = InviteForm(request.POST or None, initial={"email": patient.email})
    conflict = False
    if writing and form.is_valid():
        try:
            invitation = invite_patient(
                actor=user,
                patient=patient,
                email=form.cleaned_data["email"],
                base_url=request.build_absolute_uri("/"),
            )
        except (ValidationError, Conflict) as exc:
            apply_errors(form, exc)
            conflict = isinstance(exc, Conflict)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}; the link works once, until "
                f"{invitation.expires_at:%-d %b %Y %H:%M} UTC.",
            )
            return redirect("accounts:patient_account", patient_id=patient.uuid)
    setting = resolve(user.membership.organisation, "patient_invitation_hours")
    status = 409 if conflict else 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "accounts/patient_account.html",
        {"patient": patient, "form": form, "setting": setting, **_state(patient)},
        status=status,
    )


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
