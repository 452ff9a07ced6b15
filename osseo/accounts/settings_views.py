"""The clinic administrator's settings screen. Each form carries the version of its setting as
opened: a colleague's change since is kept, or shown where both changed the same part."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from osseo.editing import VersionedForm, apply_errors, save_edit
from osseo.errors import StaleVersion
from osseo.plausible import MAX_YEARS_AHEAD

from .actions import set_clinic_setting
from .clinic_settings import SPECS, ResolvedSetting, resolve, who_set
from .forms import (
    FollowUpXrayForm,
    MinAtRiskForm,
    SiteProfilesForm,
    StageWindowForm,
    TwoFactorRolesForm,
    site_profiles_fields,
    site_profiles_value,
    whole_number_form,
)
from .models import ClinicSetting, Organisation
from .permissions import has_permission
from .setting_words import in_words

WINDOW_PARTS = ("min", "max", "unit")
# The sign-in and account policy, each a form of its own on the page (prefixed by its key).
ACCOUNT_POLICY: dict[str, type[VersionedForm]] = {
    "two_factor_roles": TwoFactorRolesForm,
    **{
        key: whole_number_form(key)
        for key in (
            "session_idle_minutes",
            "password_max_age_days",
            "api_token_hours",
            "patient_invitation_hours",
        )
    },
}
# The settings edited on this screen beside those two, each a form of its own (prefixed by its key).
DATE_FORMS: dict[str, type[VersionedForm]] = {
    "date_years_ahead": whole_number_form("date_years_ahead", (1, MAX_YEARS_AHEAD)),
}
# The clinic's week (osseo/scheduling): reminders and what a follow-up visit carries.
WEEK_FORMS: dict[str, type[VersionedForm]] = {
    "appointment_reminder_hours": whole_number_form("appointment_reminder_hours"),
    "follow_up_xray": FollowUpXrayForm,
}
# What the clinic adds to each implant site's profile.
SITE_FORMS: dict[str, type[VersionedForm]] = {"site_profiles": SiteProfilesForm}
# The settings edited on another screen, where the overview links to.
ELSEWHERE = {
    "rehab_under_loading_percent": "rehab:settings",
    "rehab_over_loading_percent": "rehab:settings",
    "follow_up_schedule": "rehab:settings",
    "stoma_care_instructions": "rehab:settings",
    "mdt_disciplines": "surgery:mdt_settings",
}


@dataclass(frozen=True)
class Row:
    """One setting in the overview: its value in words and where it is changed."""

    setting: ResolvedSetting
    words: str
    change_url: str


def _overview(organisation: Organisation) -> list[Row]:
    rows = []
    for key, spec in SPECS.items():
        current = resolve(organisation, key)
        where = ELSEWHERE.get(key)
        rows.append(
            Row(
                current,
                in_words(key, current.value, spec.unit),
                reverse(where) if where else f"#setting-{key}",
            )
        )
    return rows


def _initial(current: ResolvedSetting, value: dict[str, Any]) -> dict[str, Any]:
    # The default's source belongs to the default's value: a new value starts unsourced.
    return {
        **value,
        "source": "" if current.is_default else current.source,
        "validated": False if current.is_default else current.validated,
    }


def _values(organisation: Organisation, key: str) -> dict[str, Any]:
    """The setting now, as its form shows it."""
    current = resolve(organisation, key)
    if key == "stage_window":
        value = current.value
    elif key == "site_profiles":
        value = site_profiles_fields(current.value or {})
    else:
        value = {"value": current.value}
    return _initial(current, value)


def _row(organisation: Organisation, key: str) -> ClinicSetting:
    """The setting's row, or (at its default) an unsaved one at version 1."""
    row = ClinicSetting.objects.filter(organisation=organisation, key=key).first()
    return row or ClinicSetting(organisation=organisation, key=key)


def _save(request: HttpRequest, form: VersionedForm, key: str) -> bool:
    """Save the parts of the setting this user changed; False when a colleague changed the same
    part since the form was opened (the form then shows theirs)."""
    user: Any = request.user
    organisation = user.membership.organisation

    def save(edits: dict[str, Any], if_match: str | None) -> None:
        named: dict[str, Any] = {k: edits[k] for k in ("source", "validated") if k in edits}
        if key == "stage_window":
            parts = {k: edits[k] for k in WINDOW_PARTS if k in edits}
            if parts:
                named["value"] = parts
        elif key == "site_profiles":
            # Each site whose fields changed, whole; the other sites as they are now.
            sites = site_profiles_value(form.cleaned_data, set(edits))
            if sites:
                named["value"] = sites
        elif "value" in edits:
            named["value"] = edits["value"]
        try:
            set_clinic_setting(actor=user, key=key, if_match=if_match, **named)
        except StaleVersion as exc:
            form.record = exc.obj  # the row a colleague saved since the form was opened
            raise

    return save_edit(
        request,
        form,
        current=lambda: _values(organisation, key),
        save=save,
        last_change=lambda: who_set(form.record),
    )


@login_required
@require_http_methods(["GET", "POST"])
def clinic_settings(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not has_permission(user, "settings.manage"):
        raise PermissionDenied
    organisation = user.membership.organisation
    posted = request.POST.get("key") if request.method == "POST" else None
    window_form = StageWindowForm(
        request.POST if posted == "stage_window" else None,
        initial=_values(organisation, "stage_window"),
        record=_row(organisation, "stage_window"),
    )
    at_risk_form = MinAtRiskForm(
        request.POST if posted == "registry_min_at_risk" else None,
        initial=_values(organisation, "registry_min_at_risk"),
        record=_row(organisation, "registry_min_at_risk"),
        prefix="atrisk",  # two forms on one page: unique field ids
    )
    keyed = {
        key: form_class(
            request.POST if posted == key else None,
            initial=_values(organisation, key),
            record=_row(organisation, key),
            prefix=key,
        )
        for key, form_class in {**ACCOUNT_POLICY, **DATE_FORMS, **WEEK_FORMS, **SITE_FORMS}.items()
    }
    policy_forms = {key: keyed[key] for key in ACCOUNT_POLICY}
    forms: dict[str, VersionedForm] = {
        "stage_window": window_form,
        "registry_min_at_risk": at_risk_form,
        **keyed,
    }
    form = forms.get(posted or "")
    conflict = False
    if form is not None and form.is_valid():
        try:
            saved = _save(request, form, str(posted))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if saved:
                messages.success(request, "Setting saved.")
                return redirect("accounts:settings")
            conflict = True
    rows = _overview(organisation)
    by_key = {row.setting.spec.key: row for row in rows}
    sections = [
        (title, [(by_key[key], forms[key]) for key in keys])
        for title, keys in (
            ("Surgery", ["stage_window"]),
            ("Registry", ["registry_min_at_risk"]),
            ("Dates", list(DATE_FORMS)),
            ("Implant sites", list(SITE_FORMS)),
            ("Appointments and follow-up visits", list(WEEK_FORMS)),
            ("Sign-in and accounts", list(ACCOUNT_POLICY)),
        )
    ]
    status = 409 if conflict else 422 if form is not None and form.errors else 200
    return render(
        request,
        "accounts/settings.html",
        {
            "form": window_form,
            "at_risk_form": at_risk_form,
            "policy_forms": [(SPECS[key], f) for key, f in policy_forms.items()],
            "rows": rows,
            "sections": sections,
        },
        status=status,
    )
