"""The patient page's complications panel (registered in apps.py)."""

from __future__ import annotations

from typing import Any

from osseo.patients import panels
from osseo.patients.panels import Page

from .models import Death
from .queries import events_of


def complications_panel(page: Page, obj: Any) -> dict[str, Any]:
    return {
        "events": list(events_of(page.patient)),
        "death": Death.objects.filter(patient=page.patient).first(),
    }


def register() -> None:
    panels.register(
        "complications",
        order=40,
        template="complications/_patient_panel.html",
        context=complications_panel,
    )
