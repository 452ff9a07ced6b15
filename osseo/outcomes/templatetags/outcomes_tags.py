"""The patient page's outcome-measures panel: score trends as SVG charts, with data tables."""

from __future__ import annotations

from typing import Any

from django import template

from osseo.patients.models import Patient

from ..charts import chart
from ..models import Questionnaire
from ..queries import trends_of

register = template.Library()


@register.inclusion_tag("outcomes/_patient_panel.html", takes_context=True)
def outcomes_panel(context: dict[str, Any], patient: Patient) -> dict[str, Any]:
    sites = {lb.site for lb in patient.limbs.all()}
    questionnaires = [q for q in Questionnaire.objects.all() if not q.sites or sites & set(q.sites)]
    trends = []
    for trend in trends_of(patient):
        charts = [
            chart(code, label, better, trend.dates, values)
            for code, label, better, values in trend.series
        ]
        rows = [
            (on, [values[i] for _c, _l, _b, values in trend.series])
            for i, on in enumerate(trend.dates)
        ]
        trends.append({"trend": trend, "charts": charts, "rows": rows})
    return {
        "patient": patient,
        "questionnaires": questionnaires,
        "trends": trends,
        "can": context.get("can", {}),
    }
