"""The connectors' part of the patient page: a link to the parts and activity (see apps.py)."""

from __future__ import annotations

from osseo.patients import panels
from osseo.patients.page_panels import link


def register() -> None:
    panels.register(
        "connectors_link",
        slot="actions",
        order=20,
        template="patients/_action_link.html",
        context=link("Connector parts and activity", "connectors:patient"),
    )
