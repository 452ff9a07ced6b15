"""The dashboard panels of connector parts due and of recordings to retry, and each patient's
next part due for the patient list's "next due" column (all registered in apps.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from osseo.accounts.permissions import has_permission
from osseo.patients.due import Due
from osseo.patients.models import Patient
from osseo.patients.queries import patients_for
from osseo.patients.worklist import SHOWN, Panel, WorkItem, panel

from .models import RecordingStatus
from .queries import due_parts, next_parts_due
from .requeue import stale_recordings

WITHIN_DAYS = 30  # the parts-due page's own default window


def parts_due(user: Any, today: dt.date) -> Panel | None:
    if not has_permission(user, "connectors.due_list") or user.membership.role == "patient":
        return None
    forecasts = due_parts(user, within_days=WITHIN_DAYS, today=today)
    items = []
    for f in forecasts[:SHOWN]:
        late = f.due_on is not None and f.due_on < today
        when = f"overdue since {f.due_on:%-d %b %Y}" if late else f"due {f.due_on:%-d %b %Y}"
        items.append(
            WorkItem(
                patient=f.device.patient,
                text=f"{f.device.get_kind_display()}, {f.device.limb}: {when}",
                url=reverse("connectors:patient", args=[f.device.patient.uuid]),
                urgent=late,
            )
        )
    return panel(
        f"Connector parts overdue or due in {WITHIN_DAYS} days",
        items,
        count=forecasts.count(),
        empty="No connector part is due.",
        more_url=reverse("connectors:due"),
        more_label="All parts due",
        note="Due dates follow the clinic's service policies.",
    )


def recordings_to_retry(user: Any, today: dt.date) -> Panel | None:
    """Failed recordings, and those a stopped worker left: shown only when there are some."""
    if not has_permission(user, "activity.import"):
        return None
    mine = set(patients_for(user).values_list("pk", flat=True))
    found = [r for r in stale_recordings(failed=True) if r.patient_id in mine]
    if not found:
        return None
    items = [
        WorkItem(
            patient=r.patient,
            text=f"Load recording {r.original_name}: "
            + ("failed" if r.status == RecordingStatus.FAILED else "stopped, no progress"),
            url=reverse("connectors:recording", args=[r.uuid]),
            urgent=True,
        )
        for r in found
    ]
    return panel("Load recordings to retry", items, empty="")


def next_part_due(user: Any, patients: QuerySet[Patient], today: dt.date) -> dict[int, Due]:
    """Each patient's soonest connector part due, for the patient list's "next due" column."""
    if not has_permission(user, "connectors.due_list") or user.membership.role == "patient":
        return {}
    found: dict[int, Due] = {}
    for f in next_parts_due(patients):
        if f.due_on is None:  # the query keeps dated forecasts only
            continue
        found.setdefault(
            f.device.patient_id,
            Due(
                on=f.due_on,
                what=f"{f.device.get_kind_display()}, {f.device.limb}",
                url=reverse("connectors:patient", args=[f.device.patient.uuid])
                + f"#part-{f.device.uuid}",
            ),
        )
    return found
