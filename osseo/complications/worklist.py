"""The dashboard panel of ongoing complications (registered in apps.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from osseo.accounts.permissions import has_permission
from osseo.patients.queries import patients_for
from osseo.patients.worklist import SHOWN, Panel, WorkItem, panel

from .models import AdverseEvent, Outcome


def ongoing_complications(user: Any, today: dt.date) -> Panel | None:
    """Complications still ongoing among the user's patients, the most recent onset first."""
    if not has_permission(user, "patient.view") or user.membership.role == "patient":
        return None
    events = (
        AdverseEvent.objects.filter(patient__in=patients_for(user), outcome=Outcome.ONGOING)
        .select_related("patient", "limb", "grade")
        .order_by("-onset_on", "-id")
    )
    items = [
        WorkItem(
            patient=e.patient,
            text=(
                f"{e.get_kind_display()}{f' ({e.grade.label})' if e.grade else ''}, "
                f"{e.limb}: since {e.onset_on:%-d %b %Y} ({(today - e.onset_on).days} days)"
            ),
            url=reverse("complications:event", args=[e.uuid]),
        )
        for e in events[:SHOWN]
    ]
    return panel(
        "Ongoing complications",
        items,
        count=events.count(),
        empty="No complication is ongoing.",
        more_url=f"{reverse('complications:list')}?outcome={Outcome.ONGOING}",
        more_label="All ongoing complications",
    )
