"""`{% rehab_summary patient %}`: the rehabilitation section of the patient page."""

from __future__ import annotations

from typing import Any

from django import template

from ..queries import plans_of, referrals_of
from ..views import trend_charts

register = template.Library()


@register.inclusion_tag("rehab/_patient_summary.html", takes_context=True)
def rehab_summary(context: Any, patient: Any) -> dict[str, Any]:
    return {
        "patient": patient,
        "active_referrals": [r for r in referrals_of(patient) if r.active],
        "plans": list(plans_of(patient)),
        "trends": trend_charts(patient),
        "can": context.get("can", {}),
    }
