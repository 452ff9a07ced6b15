"""A coordinator invites a patient to their own account: the patient's account page, linked
from the patient's record (the link the patient then follows: osseo/accounts/invitation_views)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from osseo.accounts.clinic_settings import resolve
from osseo.accounts.models import Membership
from osseo.editing import apply_errors
from osseo.errors import Conflict
from osseo.typed import SchemaForm

from .invitation_api import InvitationIn
from .invitations import invite_patient
from .queries import get_patient_for


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
            return redirect("patients:account", patient_id=patient.uuid)
    setting = resolve(user.membership.organisation, "patient_invitation_hours")
    status = 409 if conflict else 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "patients/account.html",
        {"patient": patient, "form": form, "setting": setting, **_state(patient)},
        status=status,
    )
