"""The patients app's own panels of the patient page: header links, details, limbs, timeline."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from osseo.audit.labels import label_for
from osseo.audit.models import AuditEntry

from . import panels
from .panels import Page


def link(label: str, url_name: str) -> panels.Context:
    """A header link to one of the patient's pages (`url_name` takes the patient's uuid)."""

    def context(page: Page, obj: Any) -> dict[str, Any]:
        return {"href": reverse(url_name, args=[page.patient.uuid]), "label": label}

    return context


def timeline(page: Page, obj: Any) -> dict[str, Any]:
    entries = (
        AuditEntry.objects.filter(patient=page.patient)
        # The clinical story: changes, not reads, not each day's loading log (the rehab chart
        # shows those) nor each answer a patient saves on the way through a questionnaire (the
        # finished response is the story); the full trail is the access history.
        .exclude(action__endswith=".viewed")
        .exclude(action__in=["rehab.load.logged", "outcomes.answers.saved"])
        .select_related("actor")
        .order_by("-seq")[:50]
    )
    return {"events": [{"entry": e, "label": label_for(e.action)} for e in entries]}


def register() -> None:
    action = "patients/_action_link.html"
    panels.register(
        "edit_details",
        slot="actions",
        order=10,
        template=action,
        context=link("Edit details", "patients:edit"),
        permission="patient.edit",
    )
    panels.register(
        "access_history",
        slot="actions",
        order=80,
        template=action,
        context=link("Access history", "patients:access_history"),
        permission="audit.view",
    )
    panels.register(
        "patient_account",
        slot="actions",
        order=90,
        template=action,
        context=link("Patient's own account", "patients:account"),
        permission="patient.invite",
    )
    panels.register("details", order=10, template="patients/_details_panel.html")
    panels.register("limbs", order=20, template="patients/_limbs_panel.html", prefetch=["limbs"])
    panels.register(
        "timeline", order=90, template="patients/_timeline_panel.html", context=timeline
    )
