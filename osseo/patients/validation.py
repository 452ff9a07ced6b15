"""Field rules for patients and limbs, shared by the actions (so the API and the forms agree)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from osseo.plausible import check_date

from .models import Cause, FundingRoute, Patient, ResidualLimb, Sex, Side, Site
from .nhs import nhs_number_problem, normalise_nhs_number

PATIENT_FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "sex",
    "nhs_number",
    "record_number",
    "email",
    "phone",
    "address",
    "funding_route",
)
LIMB_FIELDS = ("site", "side", "amputation_date", "cause", "notes")


def today() -> dt.date:
    return timezone.localdate()


def _choice(errors: dict[str, list[str]], field: str, value: Any, choices: Any) -> None:
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        errors.setdefault(field, []).append(f"Choose one of: {allowed} (not {value!r}).")


def check_patient(values: dict[str, Any], *, instance: Patient | None = None) -> dict[str, Any]:
    """Validate a patient's fields; return them cleaned, or raise ValidationError per field."""
    errors: dict[str, list[str]] = {}
    cleaned = dict(values)
    for name in ("given_name", "family_name"):
        text = str(cleaned.get(name) or "").strip()
        if not text:
            errors.setdefault(name, []).append("This field is required.")
        elif len(text) > 100:
            errors.setdefault(name, []).append("At most 100 characters.")
        cleaned[name] = text
    birth = cleaned.get("birth_date")
    if not isinstance(birth, dt.date):
        errors.setdefault("birth_date", []).append("Enter the date of birth.")
    elif birth > today():
        errors.setdefault("birth_date", []).append("The date of birth cannot be in the future.")
    elif birth.year < today().year - 120:
        errors.setdefault("birth_date", []).append("The date of birth is more than 120 years ago.")
    elif instance is not None and (first := earliest_record(instance)) and birth > first[0]:
        errors.setdefault("birth_date", []).append(
            f"The date cannot be after {first[1]} ({first[0].day} {first[0]:%b %Y})."
        )
    _choice(errors, "sex", cleaned.get("sex"), Sex)
    nhs = normalise_nhs_number(str(cleaned.get("nhs_number") or ""))
    if nhs:
        problem = nhs_number_problem(nhs)
        if problem:
            errors.setdefault("nhs_number", []).append(problem)
        else:
            clash = Patient.objects.filter(nhs_number=nhs)
            if instance is not None:
                clash = clash.exclude(pk=instance.pk)
            if clash.exists():
                errors.setdefault("nhs_number", []).append(
                    "Another patient already has this NHS number."
                )
    cleaned["nhs_number"] = nhs
    funding = cleaned.get("funding_route") or ""
    if funding:
        _choice(errors, "funding_route", funding, FundingRoute)
    cleaned["funding_route"] = funding
    for name, limit in (("record_number", 40), ("phone", 40), ("email", 254), ("address", 500)):
        text = str(cleaned.get(name) or "").strip()
        if len(text) > limit:
            errors.setdefault(name, []).append(f"At most {limit} characters.")
        cleaned[name] = text
    email = cleaned.get("email")
    if email and ("@" not in email or email.startswith("@") or email.endswith("@")):
        errors.setdefault("email", []).append("Enter a valid email address.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def check_limb(values: dict[str, Any], *, patient: Patient) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned = dict(values)
    site = cleaned.get("site")
    _choice(errors, "site", site, Site)
    side = cleaned.get("side")
    _choice(errors, "side", side, Side)
    if side == Side.NOT_APPLICABLE and site in Site.values and site != Site.CRANIOFACIAL:
        errors.setdefault("side", []).append("A limb is left or right; choose the side.")
    _choice(errors, "cause", cleaned.get("cause"), Cause)
    amputated = cleaned.get("amputation_date")
    if amputated is None:
        if site != Site.CRANIOFACIAL:
            errors.setdefault("amputation_date", []).append(
                "Enter the amputation date (optional only for head and neck sites)."
            )
    elif not isinstance(amputated, dt.date):
        errors.setdefault("amputation_date", []).append("Enter a valid date.")
    elif amputated > today():
        errors.setdefault("amputation_date", []).append(
            "The amputation date cannot be in the future."
        )
    else:
        check_date(errors, "amputation_date", amputated, patient=patient)
    notes = str(cleaned.get("notes") or "")
    if len(notes) > 5000:
        errors.setdefault("notes", []).append("At most 5000 characters.")
    cleaned["notes"] = notes
    if errors:
        raise ValidationError(errors)
    return cleaned


def earliest_record(patient: Patient) -> tuple[dt.date, str] | None:
    """The earliest dated clinical record of the patient (an amputation, an operation), which a
    corrected date of birth cannot follow."""
    found: list[tuple[dt.date, str]] = []
    amputated = (
        patient.limbs.exclude(amputation_date=None).order_by("amputation_date").first()
        if patient.pk
        else None
    )
    if amputated is not None and amputated.amputation_date is not None:
        found.append((amputated.amputation_date, "the amputation"))
    return min(found) if found else None


def changed_fields(instance: Any, cleaned: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changes."""
    return {
        name: [getattr(instance, name), value]
        for name, value in cleaned.items()
        if getattr(instance, name) != value
    }


__all__ = ["LIMB_FIELDS", "PATIENT_FIELDS", "ResidualLimb", "check_limb", "check_patient"]
