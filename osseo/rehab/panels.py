"""The patient page's rehabilitation panel (registered in apps.py)."""

from __future__ import annotations

from typing import Any

from osseo.patients import panels
from osseo.patients.panels import Page

from .queries import plans_of, referrals_of, visits_due_of
from .views import VISITS_WITHIN_DAYS, trend_charts


def rehab_summary(page: Page, obj: Any) -> dict[str, Any]:
    patient = page.patient
    return {
        "active_referrals": [r for r in referrals_of(patient) if r.active],
        "plans": list(plans_of(patient)),
        "trends": trend_charts(patient),
        "visits_due": visits_due_of(patient, page.today, VISITS_WITHIN_DAYS),
        "visits_within": VISITS_WITHIN_DAYS,
    }


def register() -> None:
    panels.register(
        "rehab", order=60, template="rehab/_patient_summary.html", context=rehab_summary
    )
