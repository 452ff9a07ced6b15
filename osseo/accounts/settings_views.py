"""The clinic administrator's settings screen."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from osseo.patients.forms import apply_errors

from .actions import set_clinic_setting
from .clinic_settings import SPECS, resolve
from .forms import StageWindowForm
from .permissions import has_permission


@login_required
@require_http_methods(["GET", "POST"])
def clinic_settings(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not has_permission(user, "settings.manage"):
        raise PermissionDenied
    organisation = user.membership.organisation
    current = resolve(organisation, "stage_window")
    form = StageWindowForm(
        request.POST or None,
        # The default's source belongs to the default's value: a new value starts unsourced.
        initial={
            **current.value,
            "source": "" if current.is_default else current.source,
            "validated": False if current.is_default else current.validated,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            set_clinic_setting(
                actor=user,
                key="stage_window",
                value={"min": data["min"], "max": data["max"], "unit": data["unit"]},
                source=data["source"],
                validated=data["validated"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)  # type: ignore[arg-type]
        else:
            messages.success(request, "Setting saved.")
            return redirect("accounts:settings")
    settings_rows = [resolve(organisation, key) for key in SPECS]
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request, "accounts/settings.html", {"form": form, "rows": settings_rows}, status=status
    )
