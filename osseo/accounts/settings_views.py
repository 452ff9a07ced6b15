"""The clinic administrator's settings screen."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from osseo.patients.forms import apply_errors

from .actions import set_clinic_setting
from .clinic_settings import SPECS, ResolvedSetting, resolve
from .forms import MinAtRiskForm, StageWindowForm
from .permissions import has_permission


def _initial(current: ResolvedSetting, value: dict[str, Any]) -> dict[str, Any]:
    # The default's source belongs to the default's value: a new value starts unsourced.
    return {
        **value,
        "source": "" if current.is_default else current.source,
        "validated": False if current.is_default else current.validated,
    }


@login_required
@require_http_methods(["GET", "POST"])
def clinic_settings(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not has_permission(user, "settings.manage"):
        raise PermissionDenied
    organisation = user.membership.organisation
    posted = request.POST.get("key") if request.method == "POST" else None
    window = resolve(organisation, "stage_window")
    at_risk = resolve(organisation, "registry_min_at_risk")
    window_form = StageWindowForm(
        request.POST if posted == "stage_window" else None, initial=_initial(window, window.value)
    )
    at_risk_form = MinAtRiskForm(
        request.POST if posted == "registry_min_at_risk" else None,
        initial=_initial(at_risk, {"value": at_risk.value}),
        prefix="atrisk",  # two forms on one page: unique field ids
    )
    form: forms.Form | None = {
        "stage_window": window_form,
        "registry_min_at_risk": at_risk_form,
    }.get(posted or "")
    if form is not None and form.is_valid():
        data = form.cleaned_data
        value: Any = (
            {"min": data["min"], "max": data["max"], "unit": data["unit"]}
            if posted == "stage_window"
            else data["value"]
        )
        try:
            set_clinic_setting(
                actor=user,
                key=str(posted),
                value=value,
                source=data["source"],
                validated=data["validated"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)  # type: ignore[arg-type]
        else:
            messages.success(request, "Setting saved.")
            return redirect("accounts:settings")
    rows = [resolve(organisation, key) for key in SPECS]
    status = 422 if form is not None and form.errors else 200
    return render(
        request,
        "accounts/settings.html",
        {"form": window_form, "at_risk_form": at_risk_form, "rows": rows},
        status=status,
    )
