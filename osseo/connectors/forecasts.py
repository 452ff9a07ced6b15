"""Each connector part's forecast, recomputed (inside the caller's transaction) whenever one of
its inputs changes: a part fitted or replaced, steps imported, a body weight, a recording
processed, a policy set. The rules themselves are pure (rules.py); this module feeds them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from osseo import charts
from osseo.accounts.models import Organisation, OrganisationKind
from osseo.contract import lock
from osseo.patients.models import Patient
from osseo.patients.sites import for_clinic
from osseo.surgery.models import CONNECTOR_KINDS, Device, DeviceStatus

from . import rules
from .models import (
    FLAG_EVENTS,
    ActivityDay,
    BodyWeight,
    Forecast,
    LoadRecording,
    MaintenanceKind,
    MaintenanceOutcome,
    MaintenanceRecord,
    RecordingStatus,
    ServicePolicy,
)


def clinic_of(patient: Patient) -> Organisation | None:
    """The OI clinic caring for the patient now (whose service policies apply)."""
    team = (
        patient.care_teams.filter(organisation__kind=OrganisationKind.OI_CLINIC, until__isnull=True)
        .select_related("organisation")
        .order_by("since")
        .first()
    )
    return team.organisation if team else None


def policy_values(policy: ServicePolicy | None) -> rules.Policy | None:
    if policy is None:
        return None
    return rules.Policy(
        time_limit_months=policy.time_limit_months,
        activity_limit_cycles=policy.activity_limit_cycles,
        reference_load_n=policy.reference_load_n,
        sn_exponent_m=policy.sn_exponent_m,
        steps_basis=policy.steps_basis,
        cycles_per_step=policy.cycles_per_step,
        overload_threshold_n=policy.overload_threshold_n,
        cycles_per_step_min=policy.cycles_per_step_min,
        cycles_per_step_max=policy.cycles_per_step_max,
        validated=policy.validated,
        label=policy.label,
    )


def latest_weight_kg(patient: Patient) -> float | None:
    weight = BodyWeight.objects.filter(patient=patient).order_by("-measured_on").first()
    return float(weight.weight_kg) if weight else None


Figures = dict[int | None, list[tuple[rules.RecordingFigure, dict[str, Any]]]]


def recording_figures(patient: Patient) -> Figures:
    """The patient's processed recordings by the limb they were made on (its id), newest first,
    with the parameters they used: a recording counts towards its own limb's parts only."""
    out: Figures = {}
    for rec in (
        LoadRecording.objects.filter(patient=patient, status=RecordingStatus.DONE)
        .select_related("result")
        .order_by("-recorded_on", "-id")
    ):
        result = rec.result
        out.setdefault(rec.limb_id, []).append(
            (
                rules.RecordingFigure(
                    recorded_on=rec.recorded_on,
                    name=rec.original_name,
                    cycles_per_step=result.cycles_per_step,
                    peak_n=result.peak_n,
                    peak_time_s=result.peak_time_s,
                ),
                rec.parameters,
            )
        )
    return out


def _matching(
    policy: ServicePolicy | None, figures: list[tuple[rules.RecordingFigure, dict[str, Any]]]
) -> rules.RecordingFigure | None:
    """The newest plausible recording counted at this policy's reference load and exponent."""
    values = policy_values(policy)
    for figure in _counted_alike(policy, figures):
        if values is not None and rules.plausibility(values, figure) is None:
            return figure
    return None


def _counted_alike(
    policy: ServicePolicy | None, figures: list[tuple[rules.RecordingFigure, dict[str, Any]]]
) -> list[rules.RecordingFigure]:
    """The recordings counted at this policy's reference load and exponent, newest first."""
    if policy is None:
        return []
    return [
        figure
        for figure, params in figures
        if params.get("reference_load_n") == policy.reference_load_n
        and params.get("sn_exponent_m") == policy.sn_exponent_m
    ]


def compute(
    device: Device,
    *,
    policy: ServicePolicy | None,
    days: list[tuple[dt.date, int]],
    weight_kg: float | None,
    figures: Figures,
    today: dt.date | None = None,
) -> rules.Result:
    """The part's forecast, on the wear basis of its limb's site (osseo/patients/sites.py):
    steps and gait recordings for a lower limb; time for other sites, with the load recordings'
    overloads only where the clinic's profile for that site takes them."""
    site = for_clinic(clinic_of(device.patient), device.limb.site)
    recordings = site.load_recordings
    mine = figures.get(device.limb_id, [])  # the recordings of this part's limb only
    # Falls and overload events on this limb since the part was fitted that no inspection or
    # torque check in order (or adjusted) has cleared since.
    records = list(
        MaintenanceRecord.objects.filter(limb=device.limb, performed_on__gte=device.placed_on)
    )
    checks = [
        (r.performed_on, r.pk)
        for r in records
        if r.kind in (MaintenanceKind.INSPECTION, MaintenanceKind.TORQUE_CHECK)
        and r.outcome in (MaintenanceOutcome.OK, MaintenanceOutcome.ADJUSTED)
    ]
    flag_events = [
        (r.performed_on, r.get_kind_display())
        for r in records
        if r.kind in FLAG_EVENTS and not any(c > (r.performed_on, r.pk) for c in checks)
    ]
    return rules.forecast(
        placed_on=device.placed_on,
        today=today or timezone.localdate(),
        policy=policy_values(policy),
        days=[(d, s) for d, s in days if d >= device.placed_on],
        body_weight_kg=weight_kg,
        recordings=_counted_alike(policy, mine),
        overloads=[f for f, _ in mine] if recordings else [],
        wear_basis=site.wear_basis,
        basis_source=site.label_of(site.wear_basis_source),
        flag_events=flag_events,
    )


def connector_parts(patient: Patient) -> QuerySet[Device]:
    return Device.objects.filter(
        patient=patient, kind__in=CONNECTOR_KINDS, status=DeviceStatus.IN_PLACE
    ).order_by("placed_on", "id")


def _forecast_inputs(patient: Patient, parts: list[Device]) -> tuple[Any, Any, Any, Any]:
    """What every part's forecast reads: the clinic's policies by kind, the daily steps since the
    first part was placed, the latest body weight and the recordings' figures."""
    clinic = clinic_of(patient)
    policies = (
        {p.kind: p for p in ServicePolicy.objects.filter(organisation=clinic)} if clinic else {}
    )
    first = min(d.placed_on for d in parts)
    days = list(
        ActivityDay.objects.filter(patient=patient, date__gte=first)
        .order_by("date")
        .values_list("date", "steps")
    )
    return policies, days, latest_weight_kg(patient), recording_figures(patient)


def refresh_forecasts(patient: Patient) -> list[Forecast]:
    """Recompute the forecast of each connector part the patient wears; drop removed parts'."""
    Forecast.objects.filter(device__patient=patient).exclude(
        device__status=DeviceStatus.IN_PLACE
    ).delete()
    parts = list(connector_parts(patient).select_related("limb"))
    if not parts:
        return []
    policies, days, weight, figures = _forecast_inputs(patient, parts)
    now = timezone.now()
    out = []
    for device in parts:
        policy = policies.get(device.kind)
        result = compute(device, policy=policy, days=days, weight_kg=weight, figures=figures)
        forecast, _ = Forecast.objects.update_or_create(
            device=device,
            defaults={
                "due_on": result.due_on,
                "basis": result.basis,
                "basis_text": result.basis_text,
                "time_due_on": result.time_due_on,
                "activity_due_on": result.activity_due_on,
                "cumulative_cycles": result.cumulative_cycles,
                "limit_cycles": result.limit_cycles,
                "daily_cycles": result.daily_cycles,
                "daily_steps": result.daily_steps,
                "inspection": result.inspection,
                "notes": result.notes,
                "policy_validated": bool(policy and policy.validated),
                "computed_at": now,
            },
        )
        out.append(forecast)
    return out


def refresh_policy_forecasts(policy: ServicePolicy) -> None:
    """After a policy change (inside its action): every part of that kind worn by the clinic's
    patients, each patient locked first, in one order, as the other actions that recompute a
    patient's forecasts lock them."""
    patients = (
        Patient.objects.filter(
            devices__kind=policy.kind,
            devices__status=DeviceStatus.IN_PLACE,
            care_teams__organisation=policy.organisation,
            care_teams__until__isnull=True,
        )
        .distinct()
        .order_by("pk")
    )
    for patient in patients:
        lock(patient)
        refresh_forecasts(patient)


def parts_overview(patient: Patient) -> list[dict[str, Any]]:
    """For the patient's page: each part in place with its forecast, policy and chart inputs."""
    parts = list(connector_parts(patient).select_related("limb", "forecast"))
    if not parts:
        return []
    policies, days, weight, figures = _forecast_inputs(patient, parts)
    out = []
    for device in parts:
        policy = policies.get(device.kind)
        values = policy_values(policy)
        by_steps = for_clinic(clinic_of(patient), device.limb.site).wear_basis == "steps"
        conversion = (
            rules.steps_conversion(
                values,
                body_weight_kg=weight,
                recording=_matching(policy, figures.get(device.limb_id, [])),
            )
            if values is not None and by_steps
            else None
        )
        forecast = getattr(device, "forecast", None)
        out.append(
            {
                "device": device,
                "policy": policy,
                "forecast": forecast,
                "conversion": conversion,
                "chart": cycles_chart(
                    chart_id=f"cycles-{device.uuid}",
                    part=device.get_kind_display(),
                    placed_on=device.placed_on,
                    days=days,
                    per_step=conversion.cycles_per_step if conversion else None,
                    limit=policy.activity_limit_cycles if policy else None,
                    time_due_on=forecast.time_due_on if forecast else None,
                    activity_due_on=forecast.activity_due_on if forecast else None,
                    basis=forecast.basis if forecast else "none",
                ),
            }
        )
    return out


def cycles_chart(
    *,
    chart_id: str,
    part: str,
    placed_on: dt.date,
    days: list[tuple[dt.date, int]],
    per_step: float | None,
    limit: float | None,
    time_due_on: dt.date | None,
    activity_due_on: dt.date | None,
    basis: str,
) -> dict[str, Any] | None:
    """Cumulative equivalent cycles since the part was fitted, against BOTH of its limits: the
    activity limit (a horizontal line) and the time limit (a vertical line on its date). The one
    that makes the part due (the forecast's basis, rules.forecast) is drawn in red and named;
    the other is grey. The caption says only what is drawn."""
    if per_step is None or not days:
        return None
    points: list[tuple[dt.date, float]] = [(placed_on, 0.0)]
    total = 0.0
    for on, steps in days:
        if on >= placed_on:
            total += steps * per_step
            points.append((on, total))
    last = points[-1][0]
    ends = [last]
    for due in (time_due_on, activity_due_on):
        # A limit years beyond the other stays off the axis (the caption says when it falls).
        if due is not None and (due - placed_on).days <= 3 * max(
            (min([*ends, due]) - placed_on).days, 30
        ):
            ends.append(due)
    end = max(ends)
    x_axis = charts.date_axis(placed_on, end)
    # Headroom above the higher of the total and the limit keeps the limit's label off the top.
    top = max(total, limit or 0.0) * 1.08 or 1.0
    y_axis = charts.number_axis(0.0, top, title="Equivalent cycles")
    due_time, due_activity = basis == "time", basis == "activity"
    red, grey = charts.DANGER, charts.MUTED
    keys = [charts.Key("Cumulative equivalent cycles", charts.colour(0))]
    drawn: list[str] = ["the cumulative equivalent cycles since fitting (solid blue)"]
    projection = (
        activity_due_on is not None
        and limit is not None
        and activity_due_on > last
        and total < limit
        and activity_due_on <= end
    )
    if projection:
        keys.append(charts.Key("Projection at the recent rate", charts.colour(0), "dashed"))
        drawn.append("the projection at the recent rate to the activity limit (dashed)")
    if limit is not None:
        keys.append(
            charts.Key(
                "Activity limit" + (" (makes it due)" if due_activity else ""),
                red if due_activity else grey,
            )
        )
    time_drawn = time_due_on is not None and time_due_on <= end
    if time_drawn:
        keys.append(
            charts.Key(
                "Time limit" + (" (makes it due)" if due_time else ""),
                red if due_time else grey,
                "dashed",
            )
        )
    plot = charts.Plot(x_axis, y_axis, width=640, height=300, legend=keys)
    if limit is not None:
        label = f"activity limit {y_axis.fmt(limit)}" + (" (due)" if due_activity else "")
        plot.hrule(limit, label, red if due_activity else grey, width=2.5 if due_activity else 1.5)
        drawn.append(
            f"the activity limit of {y_axis.fmt(limit)} "
            f"({'red: it makes the part due' if due_activity else 'grey'})"
        )
    if time_drawn:
        assert time_due_on is not None  # time_drawn says so (for mypy)
        label = f"time limit {charts.date_format(time_due_on, charts.DAY)}" + (
            " (due)" if due_time else ""
        )
        plot.vrule(
            charts.day(time_due_on),
            label,
            red if due_time else grey,
            width=2.5 if due_time else 1.5,
            dash="6 4",
        )
        drawn.append(
            f"the time limit on {charts.date_format(time_due_on, charts.DAY)} "
            f"({'red: it makes the part due' if due_time else 'grey'})"
        )
    plot.line([(charts.day(d), v) for d, v in points], charts.colour(0))
    if projection:
        assert activity_due_on is not None and limit is not None  # projection says so (for mypy)
        plot.line(
            [(charts.day(last), total), (charts.day(activity_due_on), limit)],
            charts.colour(0),
            width=2,
            dash="6 4",
        )
    off_axis = [
        f"the {name} limit falls on {charts.date_format(due, charts.DAY)}, beyond the chart's end"
        for name, due in (("time", time_due_on), ("activity", activity_due_on))
        if due is not None and due > end
    ]
    caption = "The chart shows " + "; ".join(drawn) + "."
    if off_axis:
        text = "; ".join(off_axis)
        caption += f" {text[0].upper()}{text[1:]}."
    caption += " Model estimate."
    title = f"Cumulative damage-equivalent cycles of the {part} against its limits"
    desc = (
        f"{y_axis.fmt(total)} equivalent cycles since fitting. {caption} "
        "The table below gives the same figures by month."
    )
    by_month: dict[str, float] = {}
    for d, v in points[1:]:
        by_month[charts.date_format(d, "F Y")] = v
    return {
        "svg": plot.svg(chart_id=chart_id, title=title, desc=desc),
        "caption": caption,
        "rows": [(month, y_axis.fmt(v)) for month, v in by_month.items()],
    }
