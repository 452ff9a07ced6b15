"""The registry screen: survival and incidence with confidence bands, and the guide's claims."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import Any

import numpy as np
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from osseo import charts
from osseo.accounts.clinic_settings import resolve
from osseo.accounts.permissions import has_permission
from osseo.audit.labels import register
from osseo.audit.services import record
from osseo.patients.forms import DateInput
from osseo.patients.models import Site
from osseo.surgery.models import Fixation, Strategy

from .cohort import Curve, ImplantCohort, analyse, comparison, value_at
from .queries import (
    Filters,
    day,
    demonstration_cohort,
    implant_cohort,
    minimum_dataset,
    organisations_in,
    surgeons_in,
)

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

# Published figures beside the clinic's own (docs/sources.md#one-or-two-stages, §6.4; [V] unless
# marked).
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
    "(docs/sources.md#one-or-two-stages, unverified)."
)

# The screens name each group by its label (the CSV export keeps the codes).
GROUP_LABELS = {
    **dict(Site.choices),
    **dict(Fixation.choices),
    **dict(Strategy.choices),
    "unknown": "Not recorded",
}


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


def _filters(form: RegistryFilters) -> Filters:
    data = form.cleaned_data if form.is_valid() else {}
    return Filters(
        placed_from=data.get("placed_from"),
        placed_to=data.get("placed_to"),
        organisation=data.get("organisation"),
        surgeon=data.get("surgeon"),
    )


def _cohort(
    request: HttpRequest, form: RegistryFilters, *, personal: bool = False
) -> ImplantCohort:
    user: Any = request.user
    return implant_cohort(user, _filters(form), personal=personal)


def _sections(
    cohort: ImplantCohort,
    *,
    by: str,
    today: int,
    min_at_risk: int,
    prefix: str,
    demonstration: bool = False,
) -> dict[str, dict[str, Any]]:
    """Each analysis's chart, its legend and its table of estimates, for one cohort."""
    if not len(cohort):
        return {}
    horizon = max(float((today - cohort.placed.min()) / 365.25), 1.0)
    out = {}
    for key, curves in analyse(
        cohort, by=by, today=today, min_at_risk=min_at_risk, labels=GROUP_LABELS
    ).items():
        shown = [c for c in curves if c.enough]
        title = TITLES[key] + (", demonstration registry (synthetic)" if demonstration else "")
        out[key] = {
            "key": f"{prefix}-{key}",
            "incidence": key == "infection",
            "svg": step_chart(
                f"{prefix}-{key}",
                title,
                curves,
                incidence=key == "infection",
                horizon=horizon,
                min_at_risk=min_at_risk,
            ),
            "curves": [{"curve": c, "stop": stop_note(c, horizon, min_at_risk)} for c in shown],
            "rows": [estimate_row(c, min_at_risk) for c in shown],
            "too_few": [c for c in curves if not c.enough],
            "at_risk_times": curves[0].at_risk_times if curves else [],
        }
    return out


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
    demo = demonstration_cohort(_filters(form))
    own = _sections(cohort, by=by, today=today, min_at_risk=min_at_risk, prefix="chart")
    comparator = _sections(
        demo, by=by, today=today, min_at_risk=min_at_risk, prefix="demo", demonstration=True
    )
    sections = [
        {"key": key, "title": TITLES[key], "own": own.get(key), "demo": comparator.get(key)}
        for key in TITLES
        if key in own or key in comparator
    ]
    claims = _claims(cohort, today=today, min_at_risk=min_at_risk) if len(cohort) else {}
    demo_claims = _claims(demo, today=today, min_at_risk=min_at_risk) if len(demo) else {}
    return render(
        request,
        "registry/registry.html",
        {
            "form": form,
            "n": len(cohort),
            "demo_n": len(demo),
            "sections": sections,
            "claims": claims,
            "demo_claims": demo_claims,
            "setting": setting,
            "published": PUBLISHED_STAGING,
            "staging_source": STAGING_SOURCE,
            "infection_definition": INFECTION_DEFINITION,
            "fixation_note": FIXATION_NOTE,
            "can_export": has_permission(user, "registry.export"),
            "query": request.GET.urlencode(),
        },
    )


def _claims(cohort: ImplantCohort, *, today: int, min_at_risk: int) -> dict[str, Any]:
    return {
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
            labels=GROUP_LABELS,
        ),
        "fixation": comparison(
            cohort,
            within="site",
            compare="fixation",
            event="complication",
            today=today,
            min_at_risk=min_at_risk,
            labels=GROUP_LABELS,
        ),
    }


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


def stop_note(curve: Curve, horizon: float, min_at_risk: int) -> str:
    """Where and why a curve stops before the axis ends (the registry's at-risk setting)."""
    if curve.shown_until >= horizon - 0.05:
        return ""
    return f"stops at {curve.shown_until:.1f} years: fewer than {min_at_risk} at risk after that"


def estimate_row(curve: Curve, min_at_risk: int) -> dict[str, Any]:
    """Each time point's estimate with its 95% interval and the numbers at risk; a time past
    the curve's end says why it has no estimate."""
    cells = []
    for t, n in zip(curve.at_risk_times, curve.at_risk, strict=True):
        value = value_at(curve, t)
        cells.append(
            {
                "time": t,
                "at_risk": n,
                "estimate": None if value is None else f"{value[0] * 100:.0f}%",
                "interval": None
                if value is None
                else f"{value[1] * 100:.0f}% to {value[2] * 100:.0f}%",
                "why_none": "" if value is not None else f"fewer than {min_at_risk} at risk",
            }
        )
    return {"curve": curve, "cells": cells}


def _steps(
    plot: charts.Plot, times: Sequence[float], values: Sequence[float], until: float
) -> list[tuple[float, float]]:
    """The step function's vertices in the viewBox, at most one step per horizontal pixel (a
    100,000-implant curve has thousands of steps that a 600-pixel-wide chart cannot show
    apart)."""
    t = np.asarray(times, dtype=float)
    v = np.asarray(values, dtype=float)
    keep = t <= until
    t, v = t[keep], v[keep]
    if t.size == 0:
        return []
    xa, ya = plot.x_axis, plot.y_axis
    x = np.round(
        plot.left + plot.inner_width * (np.minimum(t, xa.high) - xa.low) / (xa.high - xa.low)
    )
    last_in_pixel = np.append(x[1:] != x[:-1], True)
    x, v = x[last_in_pixel], v[last_in_pixel]
    y = plot.top + plot.inner_height * (1 - (v - ya.low) / (ya.high - ya.low))
    points: list[tuple[float, float]] = [(float(x[0]), float(y[0]))]
    for xi, yi in zip(x[1:].tolist(), y[1:].tolist(), strict=True):
        points.append((xi, points[-1][1]))
        points.append((xi, yi))
    points.append((plot.x(min(until, plot.x_axis.high)), points[-1][1]))
    return points


def step_chart(
    chart_id: str,
    title: str,
    curves: list[Curve],
    *,
    incidence: bool,
    horizon: float,
    min_at_risk: int,
) -> Any:
    """Step curves with their 95% bands on the shared frame; a curve that stops early ends in a
    short bar, and the description says where and why."""
    shown = [c for c in curves if c.enough]
    top = 1.0
    if incidence:
        highest = max((max(c.upper[: len(c.time)] or [0]) for c in shown), default=0.2)
        top = min(1.0, max(0.1, highest + 0.05))
    x_axis = charts.number_axis(0.0, max(horizon, 1.0), title="Years since implantation")
    y_axis = charts.number_axis(0.0, top, fmt=charts.percent_format)
    if y_axis.high > 1.0:
        ticks = [t for t in y_axis.ticks if t <= 1.0]
        y_axis = charts.Axis(0.0, 1.0, ticks, [charts.percent_format(t) for t in ticks])
    keys = [charts.Key(c.label, charts.colour(i)) for i, c in enumerate(shown)]
    plot = charts.Plot(x_axis, y_axis, width=640, height=320, legend=keys)
    stops = []
    for i, curve in enumerate(shown):
        colour = charts.colour(i)
        upper = _steps(plot, curve.time, curve.upper, curve.shown_until)
        lower = _steps(plot, curve.time, curve.lower, curve.shown_until)
        if upper and lower:
            plot.area(upper + lower[::-1], colour)
        line = _steps(plot, curve.time, curve.estimate, curve.shown_until)
        plot.pixels(line, colour)
        note = stop_note(curve, x_axis.high, min_at_risk)
        if line and note:
            end_x, end_y = line[-1]
            plot.raw(
                f'<line x1="{end_x:.1f}" y1="{end_y - 7:.1f}" x2="{end_x:.1f}" '
                f'y2="{end_y + 7:.1f}" stroke="{colour}" stroke-width="2.5"/>'
            )
            stops.append(f"{curve.label} {note}")
    desc = (
        "Step curves with 95% confidence bands"
        + (f"; {'; '.join(stops)}" if stops else "")
        + ". The table below gives each estimate with its interval and the numbers at risk."
    )
    return plot.svg(chart_id=chart_id, title=title, desc=desc)
