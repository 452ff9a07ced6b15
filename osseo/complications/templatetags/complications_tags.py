"""The patient page's complications panel (an inclusion tag, so the patients app stays as is)."""

from __future__ import annotations

from typing import Any

from django import template

from osseo.patients.models import Patient

from ..models import Death
from ..queries import events_of

register = template.Library()


@register.inclusion_tag("complications/_patient_panel.html", takes_context=True)
def complications_panel(context: dict[str, Any], patient: Patient) -> dict[str, Any]:
    return {
        "patient": patient,
        "events": list(events_of(patient)),
        "death": Death.objects.filter(patient=patient).first(),
        "can": context.get("can", {}),
    }
