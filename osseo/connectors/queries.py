"""Access-checked getters and reads for connector parts, activity and recordings."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from osseo.accounts.models import User
from osseo.patients.models import Patient
from osseo.patients.queries import get_patient_for, patients_for
from osseo.surgery.models import CONNECTOR_KINDS, Device
from osseo.surgery.queries import get_device_for, parts_in_care

from .models import ActivityDay, Forecast, LoadRecording, MaintenanceRecord


def get_part_for(user: User, device_id: Any, *, permission: str = "patient.view") -> Device:
    """A connector part (not the implant) of a patient in the user's scope."""
    device = get_device_for(user, device_id, permission=permission)
    if device.kind not in CONNECTOR_KINDS:
        raise Http404("No such connector part.")
    return device


def get_recording_for(
    user: User, recording_id: Any, *, permission: str = "patient.view"
) -> LoadRecording:
    try:
        recording = LoadRecording.objects.select_related("patient").get(
            uuid=uuid_module.UUID(str(recording_id))
        )
    except (ValueError, LoadRecording.DoesNotExist) as exc:
        raise Http404("No such recording.") from exc
    get_patient_for(user, recording.patient.uuid, permission=permission, audit_read=False)
    return recording


def connector_history(patient: Patient) -> list[Device]:
    """Every connector part the patient has worn, by limb, kind and date, with its forecast."""
    return list(
        Device.objects.filter(patient=patient, kind__in=CONNECTOR_KINDS)
        .select_related("limb", "placed_by", "replaced_by", "forecast")
        .order_by("limb_id", "kind", "placed_on", "id")
    )


def activity_days(
    patient: Patient, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[ActivityDay]:
    qs = ActivityDay.objects.filter(patient=patient)
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    return qs.order_by("date")


def recordings_of(patient: Patient) -> QuerySet[LoadRecording]:
    return LoadRecording.objects.filter(patient=patient).select_related("result")


def due_parts(user: User, *, within_days: int, today: dt.date) -> QuerySet[Forecast]:
    """Parts in place, among the patients the user may see, due within `within_days` days or
    overdue (an overload inspection included), soonest first."""
    return (
        Forecast.objects.filter(
            device__patient__in=patients_for(user),
            device__in=parts_in_care(),  # in place, patient alive, episode open
            due_on__isnull=False,
            due_on__lte=today + dt.timedelta(days=within_days),
        )
        .select_related("device__patient", "device__limb")
        .order_by("due_on", "device__patient__family_name", "device_id")
    )


def next_parts_due(patients: QuerySet[Patient]) -> QuerySet[Forecast]:
    """The dated forecasts of `patients`' parts in care, soonest first (a patient's first one is
    their next part due); one query."""
    return (
        Forecast.objects.filter(
            device__patient__in=patients, device__in=parts_in_care(), due_on__isnull=False
        )
        .select_related("device__patient", "device__limb")
        .order_by("due_on", "device_id")
    )


def maintenance_of(patient: Patient) -> QuerySet[MaintenanceRecord]:
    """The patient's maintenance records and events, newest first."""
    return MaintenanceRecord.objects.filter(patient=patient).select_related(
        "limb", "device", "recorded_by"
    )
