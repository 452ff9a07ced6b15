"""Booked appointments as FHIR R4 Appointment resources
(https://hl7.org/fhir/R4/appointment.html), registered with the record export
(osseo/interop/extra.py) so that `$everything`, `osseo fhir export` and the bulk export carry
them. The kind is coded in Osseo's own code system (no verified code exists for these kinds,
docs/sources.md#verified-codes); the place is named in words, as the booking holds it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from osseo.interop.references import People, ref
from osseo.interop.systems import APPOINTMENT_KIND

from .models import Appointment, AppointmentStatus

# Osseo's booking states as the FHIR appointment status (required binding AppointmentStatus).
STATUS = {
    AppointmentStatus.BOOKED: "booked",
    AppointmentStatus.DONE: "fulfilled",
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.MISSED: "noshow",
}


def _instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def to_fhir(appointment: Appointment, people: People) -> dict[str, Any]:
    start = appointment.starts_at
    end = start + dt.timedelta(minutes=appointment.minutes)
    participants: list[dict[str, Any]] = [
        {"actor": ref("Patient", appointment.patient.uuid), "status": "accepted"}
    ]
    if appointment.clinician_id:
        participants.append({"actor": people.user(appointment.clinician), "status": "accepted"})
    if appointment.place:
        participants.append(
            {"actor": {"display": appointment.place}, "status": "accepted"}
        )  # the place, in words: Osseo holds no Location resource
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": str(appointment.uuid),
        "status": STATUS[AppointmentStatus(appointment.status)],
        "appointmentType": {
            "coding": [
                {
                    "system": APPOINTMENT_KIND,
                    "code": appointment.kind,
                    "display": appointment.get_kind_display(),
                }
            ],
            "text": appointment.get_kind_display(),
        },
        "description": appointment.visit_label or appointment.get_kind_display(),
        "start": _instant(start),
        "end": _instant(end),
        "minutesDuration": appointment.minutes,
        "created": _instant(appointment.booked_at),
        "participant": participants,
    }
    if appointment.status == AppointmentStatus.CANCELLED and appointment.cancel_reason:
        resource["cancelationReason"] = {"text": appointment.cancel_reason}
    return resource


def appointments(patients: list[Any], people: People) -> Iterator[tuple[str, dict[str, Any]]]:
    """The booked appointments of a batch of patients, oldest first."""
    rows = (
        Appointment.objects.filter(patient__in=patients)
        .select_related("patient", "clinician__membership")
        .order_by("starts_at", "id")
    )
    for appointment in rows:
        yield str(appointment.patient.uuid), to_fhir(appointment, people)
