"""Access-checked getters and reads for the surgery app (through the patients getters)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from osseo.accounts.models import User
from osseo.patients.queries import get_by_uuid as _get
from osseo.patients.queries import get_patient_for, patients_for

from .models import Assessment, Device, DeviceStatus, Procedure, SurgicalPlan


def get_procedure_for(
    user: User, procedure_id: Any, *, permission: str = "patient.view", audit_read: bool = False
) -> Procedure:
    procedure = _get(
        Procedure.objects.select_related("patient", "limb", "episode", "surgeon", "signed_by"),
        procedure_id,
        "procedure",
    )
    get_patient_for(user, procedure.patient.uuid, permission=permission, audit_read=audit_read)
    return procedure


def get_plan_for(user: User, plan_id: Any, *, permission: str = "patient.view") -> SurgicalPlan:
    plan = _get(
        SurgicalPlan.objects.select_related("episode__patient", "episode__limb", "implant"),
        plan_id,
        "plan",
    )
    get_patient_for(user, plan.episode.patient.uuid, permission=permission, audit_read=False)
    return plan


def get_assessment_for(user: User, assessment_id: Any) -> Assessment:
    assessment = _get(
        Assessment.objects.select_related("episode__patient"), assessment_id, "assessment"
    )
    get_patient_for(user, assessment.episode.patient.uuid, audit_read=False)
    return assessment


def get_device_for(user: User, device_id: Any, *, permission: str = "patient.view") -> Device:
    device = _get(
        Device.objects.select_related(
            "patient", "limb", "placed_by", "removed_by", "replaced_by", "catalogue_item"
        ),
        device_id,
        "device",
    )
    get_patient_for(user, device.patient.uuid, permission=permission, audit_read=False)
    return device


def recall_search(user: User, *, gtin: str = "", lot: str = "") -> QuerySet[Device]:
    """Devices (in place or removed) matching a GTIN and/or lot, among the patients I may see."""
    qs = Device.objects.filter(patient__in=patients_for(user))
    if gtin:  # a GTIN, or an HIBCC device identifier
        qs = qs.filter(Q(gtin=gtin.strip()) | Q(udi_di=gtin.strip().upper()))
    if lot:
        qs = qs.filter(lot__iexact=lot.strip())
    if not gtin and not lot:
        return qs.none()
    return qs.select_related("patient", "limb", "placed_by", "removed_by").order_by(
        "patient__family_name", "placed_on"
    )


def procedures_of(patient_ids: Any) -> QuerySet[Procedure]:
    return (
        Procedure.objects.filter(Q(patient__in=patient_ids))
        .select_related("limb", "surgeon")
        .prefetch_related("devices_placed", "versions")
    )


def parts_in_place(patient: Any) -> QuerySet[Device]:
    """The parts in the patient today (placed by a signed record or fitted, not removed), by
    limb and kind: what letters and pages list."""
    return (
        Device.objects.filter(patient=patient, status=DeviceStatus.IN_PLACE)
        .select_related("limb", "placed_by")
        .order_by("limb_id", "kind", "placed_on", "id")
    )


def parts_in_care() -> QuerySet[Device]:
    """Parts in place on a living patient's limb whose episode of care is open: the only parts a
    due list may show (a death or a closed episode takes them off every due list, issue 18)."""
    from osseo.pathway.models import Episode, Phase

    open_episode = Episode.objects.filter(limb=OuterRef("limb")).exclude(
        phase__in=[Phase.CLOSED, Phase.DECLINED]
    )
    return Device.objects.filter(status=DeviceStatus.IN_PLACE, patient__death__isnull=True).filter(
        Exists(open_episode)
    )


def mdt_colleagues(patient: Any, actor: User) -> list[User]:
    """The staff who may be named at the patient's MDT: active users of the actor's organisation
    and of those caring for the patient (see `mdt.allowed_organisations`)."""
    from .mdt import allowed_organisations

    return list(
        User.objects.filter(
            is_active=True, membership__organisation_id__in=allowed_organisations(patient, actor)
        )
        .exclude(membership__role="patient")
        .select_related("membership")
        .order_by("last_name", "first_name", "username")
    )


def anaesthetic_history(assessment: Any) -> list[str]:
    """What the anaesthetist weighs from the MDT's assessment before agreeing a plan (issue 22):
    comorbidities, smoking, infection and the flags the eligibility rules raised, each a line."""
    if assessment is None:
        return []
    found = []
    if assessment.diabetes:
        found.append("Diabetes")
    if assessment.dysvascular:
        found.append("Dysvascular or peripheral vascular disease")
    if assessment.smoking == "current":
        found.append("Smokes")
    elif assessment.smoking == "former":
        found.append("Former smoker")
    if assessment.active_infection:
        found.append("Active infection at the assessment")
    if assessment.short_or_poor_bone:
        found.append("Short or poor-quality bone")
    found += [str(flag.get("text", "")).rstrip(".") for flag in assessment.flags]
    return found
