"""The clinic's MDT composition setting (issue 17): which disciplines must take part in an
eligibility decision. NICE's floor (a surgeon, a rehabilitation physician, a prosthetist) is always
ticked and cannot be removed; the clinic may add others."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from osseo.accounts.actions import set_clinic_setting
from osseo.accounts.clinic_settings import resolve
from osseo.accounts.disciplines import REQUIRED, REQUIRED_SOURCE, Discipline
from osseo.accounts.permissions import has_permission
from osseo.patients.forms import apply_errors


class MdtDisciplinesForm(forms.Form):
    extra = forms.MultipleChoiceField(
        label="Also required at this clinic's MDT",
        choices=[(d, label) for d, label in Discipline.choices if d not in REQUIRED],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


@login_required
@require_http_methods(["GET", "POST"])
def mdt_settings(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not has_permission(user, "settings.manage"):
        raise PermissionDenied
    organisation = user.membership.organisation
    current = resolve(organisation, "mdt_disciplines")
    form = MdtDisciplinesForm(
        request.POST or None,
        initial={"extra": [d for d in current.value if d not in REQUIRED]},
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            set_clinic_setting(
                actor=user,
                key="mdt_disciplines",
                value=[*REQUIRED, *form.cleaned_data["extra"]],
                source="Clinic decision, over " + REQUIRED_SOURCE,
                validated=True,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            status = 422
        else:
            messages.success(request, "MDT composition saved.")
            return redirect("surgery:mdt_settings")
    return render(
        request,
        "surgery/mdt_settings.html",
        {
            "form": form,
            "required": [Discipline(d).label for d in REQUIRED],
            "required_source": REQUIRED_SOURCE,
            "current": [Discipline(d).label for d in current.value if d in Discipline.values],
        },
        status=status,
    )
