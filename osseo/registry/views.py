"""The registry screen: survival and incidence with confidence bands, and the guide's claims."""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe

from osseo.accounts.clinic_settings import resolve
from osseo.accounts.permissions import has_permission
from osseo.audit.labels import register
from osseo.audit.services import record
from osseo.patients.forms import DateInput

from . import charts
from .cohort import ImplantCohort, analyse, comparison
from .queries import Filters, day, implant_cohort, minimum_dataset, organisations_in, surgeons_in

register(
    {
        "registry.viewed": "Registry viewed",
        "registry.exported": "Registry export downloaded",
    }
)

TITLES = {
    "explantation": "Implant survival (end point: explantation of the bone-anchor)",
    "revision": "Revision-free survival (end point: any revision or explantation)",
    "infection": "Cumulative incidence of the first deep (bone or implant) infection, "
    "death competing",
}

# Published figures beside the clinic's own (domain-clinical.md §6.5, §6.4; [V] unless marked).
PUBLISHED_STAGING = [
    ("Superficial infection", "38 %", "52 %"),
    ("Osteomyelitis", "0 %", "10 %"),
    ("Implant failure", "1 %", "9 %"),
    ("Fracture", "13 %", "12 %"),
]
STAGING_SOURCE = (
    "Banducci et al., Bone Jt Open 2023;4(7):539-550 (systematic review, 19 studies; not "
    "randomised; system confounded with stage)"
)
INFECTION_DEFINITION = (
    "Infection counted as the published table counts it: superficial (soft-tissue) infection "
    "and osteomyelitis (deep: bone or implant infection), so the first infection of any of these "
    "kinds while the implant was in. Implants placed in a revision are not in either arm."
)
FIXATION_NOTE = (
    "No head-to-head comparison of press-fit and threaded (screw) implants was found in the "
    "sources reviewed; the guide's claim is not directly supported by a published source "
    "(domain notes §6.5, unverified)."
)


class RegistryFilters(forms.Form):
    by = forms.ChoiceField(
        choices=[
            ("overall", "Overall"),
            ("site", "Site"),
            ("fixation", "Fixation"),
            ("strategy", "Strategy"),
        ],
        required=False,
        label="Stratify by",
    )
    placed_from = forms.DateField(required=False, widget=DateInput, label="Implanted from")
    placed_to = forms.DateField(required=False, widget=DateInput, label="Implanted to")
    surgeon = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Surgeon")
    organisation = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Cared for by"
    )


def _cohort(
    request: HttpRequest, form: RegistryFilters, *, personal: bool = False
) -> ImplantCohort:
    user: Any = request.user
    data = form.cleaned_data if form.is_valid() else {}
    filters = Filters(
        placed_from=data.get("placed_from"),
        placed_to=data.get("placed_to"),
        organisation=data.get("organisation"),
        surgeon=data.get("surgeon"),
    )
    return implant_cohort(user, filters, personal=personal)


@login_required
def registry(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not has_permission(user, "registry.view"):
        raise PermissionDenied
    form = RegistryFilters(request.GET or None)
    form.fields["surgeon"].choices = [("", "All surgeons"), *surgeons_in(user)]  # type: ignore[attr-defined]
    form.fields["organisation"].choices = [("", "Any organisation"), *organisations_in(user)]  # type: ignore[attr-defined]
    export = request.GET.get("export")
    cohort = _cohort(request, form, personal=export == "dataset")
    today = day(timezone.localdate())
    setting = resolve(user.membership.organisation, "registry_min_at_risk")
    min_at_risk = int(setting.value)
    by = (form.cleaned_data.get("by") if form.is_valid() else "") or "overall"
    if export:
        return _export(request, cohort, export, by, today, min_at_risk)
    record("registry.viewed", actor=user, changes={"by": by, "implants": len(cohort)})
    analyses = analyse(cohort, by=by, today=today, min_at_risk=min_at_risk) if len(cohort) else {}
    horizon = max(float((today - cohort.placed.min()) / 365.25), 1.0) if len(cohort) else 1.0
    sections = []
    for key, curves in analyses.items():
        sections.append(
            {
                "key": key,
                "title": TITLES[key],
                "incidence": key == "infection",
                "svg": mark_safe(  # noqa: S308  (built from numbers and escaped labels)
                    charts.step_chart(
                        f"chart-{key}",
                        TITLES[key],
                        curves,
                        incidence=key == "infection",
                        horizon=horizon,
                    )
                ),
                "curves": [
                    {"curve": c, "colour": charts.legend_colour(i)}
                    for i, c in enumerate(x for x in curves if x.enough)
                ],
                "too_few": [c for c in curves if not c.enough],
                "at_risk_times": curves[0].at_risk_times if curves else [],
            }
        )
    claims = (
        {
            # Infection as the published table counts it: superficial (soft-tissue) infection
            # and osteomyelitis (deep) both, so any infection (INFECTION_DEFINITION).
            "staging": comparison(
                cohort,
                within="site",
                compare="strategy",
                event="any_infection",
                today=today,
                min_at_risk=min_at_risk,
                values=("single_stage", "staged"),
            ),
            "fixation": comparison(
                cohort,
                within="site",
                compare="fixation",
                event="complication",
                today=today,
                min_at_risk=min_at_risk,
            ),
        }
        if len(cohort)
        else {}
    )
    return render(
        request,
        "registry/registry.html",
        {
            "form": form,
            "n": len(cohort),
            "sections": sections,
            "claims": claims,
            "setting": setting,
            "published": PUBLISHED_STAGING,
            "staging_source": STAGING_SOURCE,
            "infection_definition": INFECTION_DEFINITION,
            "fixation_note": FIXATION_NOTE,
            "can_export": has_permission(user, "registry.export"),
            "query": request.GET.urlencode(),
        },
    )


def _export(
    request: HttpRequest, cohort: ImplantCohort, kind: str, by: str, today: int, min_at_risk: int
) -> HttpResponse:
    user: Any = request.user
    if not has_permission(user, "registry.export"):
        raise PermissionDenied
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    if kind == "dataset":
        response["Content-Disposition"] = (
            f'attachment; filename="osseo-minimum-dataset-{stamp}.csv"'
        )
        rows = minimum_dataset(cohort, today, threshold=min_at_risk)
        fields = list(rows[0]) if rows else ["implant"]
        writer = csv.DictWriter(response, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    elif kind == "curves":
        response["Content-Disposition"] = (
            f'attachment; filename="osseo-registry-curves-{stamp}.csv"'
        )
        writer_ = csv.writer(response)
        writer_.writerow(
            ["analysis", "group", "years", "estimate", "lower_95", "upper_95", "shown"]
        )
        for key, curves in (
            analyse(cohort, by=by, today=today, min_at_risk=min_at_risk) if len(cohort) else {}
        ).items():
            for c in curves:
                for t, e, lo, hi in zip(c.time, c.estimate, c.lower, c.upper, strict=True):
                    shown = c.enough and t <= c.shown_until
                    writer_.writerow(
                        [
                            key,
                            c.label,
                            f"{t:.4f}",
                            f"{e:.6f}",
                            f"{lo:.6f}",
                            f"{hi:.6f}",
                            "yes" if shown else "too few",
                        ]
                    )
    else:
        raise PermissionDenied("Unknown export.")
    record("registry.exported", actor=user, changes={"export": kind, "implants": len(cohort)})
    return response
