"""The discharge/referral letter: what the partner needs to take over the patient's rehabilitation.

Everything comes from the record or from the clinic's own settings and uploaded sheets; the
stoma-care text is clinic-authored and shown as missing when the clinic has not written it.
"""

from __future__ import annotations

from typing import Any

from osseo.accounts.clinic_settings import resolve
from osseo.accounts.models import Role, User
from osseo.patients.models import Referral
from osseo.patients.sites import PROFILES
from osseo.surgery.queries import parts_in_place

from .models import InformationSheet
from .queries import clinic_of, plans_of, signed_procedures


def letter_context(referral: Referral, user: User) -> dict[str, Any]:
    patient = referral.patient
    clinic = referral.referred_by.membership.organisation
    procedures = list(signed_procedures(patient))
    devices = list(parts_in_place(patient))  # in place today, not as first placed
    plan = plans_of(patient).first()
    protocol = referral.protocol or (plan.protocol if plan else None)
    stoma = resolve(clinic, "stoma_care_instructions")
    contacts = [
        {
            "name": m.user.get_full_name() or m.user.username,
            "role": m.get_role_display(),
            "email": m.user.email,
        }
        for m in clinic.memberships.filter(role__in=[Role.COORDINATOR, Role.SURGEON])
        .select_related("user")
        .order_by("role", "user__last_name")
    ]
    return {
        "referral": referral,
        "patient": patient,
        "clinic": clinic or clinic_of(patient),
        "procedures": procedures,
        "devices": devices,
        "protocol": protocol,
        "phases": list(protocol.phases.all()) if protocol else [],
        "measure": protocol.measure if protocol else "load",
        # A walking aid is a lower-limb matter (the site profile, osseo/patients/sites.py).
        "lower_limb": any(PROFILES[limb.site].lower_limb for limb in patient.limbs.all()),
        "plan": plan,
        "stoma_text": stoma.value,
        "sheets": list(InformationSheet.objects.filter(organisation=clinic, active=True)),
        "contacts": contacts,
        "referred_by": referral.referred_by.get_full_name() or referral.referred_by.username,
    }
