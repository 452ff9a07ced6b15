"""The connectors' parts of the patient page (registered in apps.py): a link to the parts and
activity, and beside each part in place its due date, overdue or not, from its forecast."""

from __future__ import annotations

from typing import Any

from osseo.patients import panels
from osseo.patients.page_panels import link
from osseo.patients.panels import Page
from osseo.surgery.queries import parts_in_care


def part_due(page: Page, device: Any) -> dict[str, Any] | None:
    """The part's due date if it is in care (in place, patient alive, episode open: the parts
    the due lists show); nothing otherwise."""
    if "connectors.in_care" not in page.memo:  # one query for the whole page
        page.memo["connectors.in_care"] = set(
            parts_in_care().filter(patient=page.patient).values_list("pk", flat=True)
        )
    forecast = getattr(device, "forecast", None)
    if device.pk not in page.memo["connectors.in_care"] or forecast is None:
        return None
    if forecast.due_on is None:
        return None
    return {"due_on": forecast.due_on, "overdue": forecast.due_on < page.today, "part": device}


def register() -> None:
    panels.register(
        "connectors_link",
        slot="actions",
        order=20,
        template="patients/_action_link.html",
        context=link("Connector parts and activity", "connectors:patient"),
    )
    panels.register(
        "part_due",
        slot="device",
        order=10,
        template="connectors/_part_due.html",
        context=part_due,
        prefetch=["limbs__devices__forecast"],
    )
