"""The patient page's appointments panel (registered in apps.py): what is booked, and the
follow-up visits the schedule proposes that are not booked yet."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from osseo.patients import panels
from osseo.patients.panels import Page

from .models import AppointmentStatus

SHOWN = 5


def appointments_panel(page: Page, obj: Any) -> dict[str, Any] | None:
    from .queries import proposed_bookings

    now = timezone.now()
    staff = page.user.membership.role != "patient"
    booked = sorted(
        (
            a
            for a in page.patient.appointments.all()  # prefetched with the clinician
            if a.status == AppointmentStatus.BOOKED and a.starts_at >= now
        ),
        key=lambda a: a.starts_at,
    )
    return {
        "upcoming": booked[:SHOWN],
        "more": max(len(booked) - SHOWN, 0),
        "staff": staff,
        # The appointment page opens only the user's organisation's bookings (queries.py).
        "own_organisation": page.user.membership.organisation_id,
        "proposals": proposed_bookings(page.user, page.today, patient=page.patient)
        if staff and page.may("appointment.book")
        else [],
    }


def register() -> None:
    panels.register(
        "appointments",
        order=65,
        template="scheduling/_patient_panel.html",
        context=appointments_panel,
        prefetch=("appointments__clinician",),
        permission="appointment.view",
    )
