"""The dashboard panel of follow-up visits due or overdue, and each patient's next visit for the
patient list's "next due" column (both registered in apps.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from osseo.accounts.permissions import has_permission
from osseo.patients.due import Due
from osseo.patients.models import Patient
from osseo.patients.worklist import SHOWN, Panel, WorkItem, panel

from .queries import follow_up_rows, next_visits

WITHIN_DAYS = 30  # the follow-up page's own default window (and the rehabilitation page's)


def follow_ups_due(user: Any, today: dt.date) -> Panel | None:
    if not has_permission(user, "followup.view"):
        return None
    count, rows = follow_up_rows(user, today, WITHIN_DAYS, first=SHOWN)
    items = [
        WorkItem(
            patient=row.patient,
            text=(
                f"{row.visit.label} visit, {row.episode.limb}: "
                + (
                    f"overdue by {row.overdue_days} day{'s' if row.overdue_days != 1 else ''}"
                    if row.overdue_days > 0
                    else f"due {row.visit.due:%-d %b %Y}"
                )
            ),
            url=reverse("rehab:patient", args=[row.patient.uuid]) + "#follow-ups",
            urgent=row.overdue_days > 0,
        )
        for row in rows
    ]
    return panel(
        f"Follow-up visits overdue or due in {WITHIN_DAYS} days",
        items,
        count=count,
        empty="No follow-up visit is due.",
        more_url=reverse("rehab:follow_ups"),
        more_label="All follow-up visits",
    )


def next_visit_due(user: Any, patients: QuerySet[Patient], today: dt.date) -> dict[int, Due]:
    """Each patient's next follow-up visit, for the patient list's "next due" column."""
    if not has_permission(user, "followup.view"):
        return {}
    return {
        pk: Due(
            on=n.visit.due,
            what=f"{n.visit.label} follow-up visit, {n.episode.limb}",
            url=reverse("rehab:patient", args=[n.episode.patient.uuid]) + "#follow-ups",
        )
        for pk, n in next_visits(user, patients, today).items()
    }
