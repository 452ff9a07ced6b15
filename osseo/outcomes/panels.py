"""The patient page's outcome-measures panel: score trends as SVG charts, with data tables
(registered in apps.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from osseo import charts
from osseo.patients import panels
from osseo.patients.panels import Page

from .assigned import questionnaires_for
from .models import QuestionnaireResponse
from .queries import trends_of


def register() -> None:
    panels.register(
        "outcomes", order=50, template="outcomes/_patient_panel.html", context=outcomes_panel
    )


def outcomes_panel(page: Page, obj: Any) -> dict[str, Any]:
    patient = page.patient
    # The instruments of the patient's limbs' site profiles, with what the clinic adds.
    questionnaires = questionnaires_for(patient)
    trends = []
    for trend in trends_of(patient):
        code_of = trend.questionnaire.code
        drawn = [
            chart(code, label, better, trend.dates, values, chart_id=f"c-{code_of}-{code}")
            for code, label, better, values in trend.series
        ]
        rows = [
            (on, [values[i] for _c, _l, _b, values in trend.series])
            for i, on in enumerate(trend.dates)
        ]
        trends.append({"trend": trend, "charts": drawn, "rows": rows})
    # Every stored response, each linked to its page (entered-in-error ones too, marked so).
    responses = list(
        QuestionnaireResponse.objects.filter(patient=patient)
        .select_related("questionnaire", "limb")
        .order_by("-authored_on", "-id")
    )
    return {"questionnaires": questionnaires, "trends": trends, "responses": responses}


def chart(
    code: str,
    label: str,
    higher_is_better: bool,
    dates: list[dt.date],
    values: list[float | None],
    *,
    chart_id: str,
) -> dict[str, Any]:
    """A scale's scores (0-100) over dates on the shared chart frame; a missing score leaves a
    gap in the points. The table after the charts gives the same numbers."""
    pairs = [(on, v) for on, v in zip(dates, values, strict=True) if v is not None]
    direction = "higher is better" if higher_is_better else "higher is worse"
    if pairs:
        steps = ", ".join(f"{v:.0f} on {on:%d %b %Y}" for on, v in pairs)
        description = f"{label} (0 to 100, {direction}): {steps}."
    else:
        description = f"{label}: no score yet."
    start, end = (dates[0], dates[-1]) if dates else (dt.date.min, dt.date.min)
    if start == end:  # one date: centre it on a month either side
        start, end = start - dt.timedelta(days=30), end + dt.timedelta(days=30)
    x_axis = charts.date_axis(start, end, most=3)
    y_axis = charts.number_axis(0, 100, most=3)
    plot = charts.Plot(x_axis, y_axis, width=320, height=160)
    points = [(charts.day(on), float(v)) for on, v in pairs]
    if len(points) > 1:
        plot.line(points, charts.colour(0), width=2)
    plot.dots(points, charts.colour(0), radius=4)
    return {
        "code": code,
        "label": label,
        "higher_is_better": higher_is_better,
        "svg": plot.svg(chart_id=chart_id, title=label, desc=description),
    }
