"""Field rules for a public enquiry, shared by the actions (so the page and the API agree).

Every text has a size limit; NUL and other control characters are refused (PostgreSQL cannot
store NUL, and nothing typed by a person contains them).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from osseo.patients.models import Cause, Side, Site
from osseo.patients.validation import today

ENQUIRY_FIELDS = (
    "name",
    "email",
    "phone",
    "site",
    "side",
    "amputation_year",
    "cause",
    "prosthesis_problems",
    "heard_from",
    "consent",
    "message",
)

# The size limits, shared with the form and the API schema.
LIMITS: dict[str, int] = {
    "name": 200,
    "email": 254,
    "phone": 40,
    "prosthesis_problems": 2000,
    "heard_from": 200,
    "message": 5000,
}
MULTILINE = frozenset({"prosthesis_problems", "message"})
EARLIEST_YEAR = 1900
NOTE_LIMIT = 5000
REASON_LIMIT = 2000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_INLINE = re.compile(r"[\x00-\x1f\x7f]")
_PHONE = re.compile(r"^\+?[0-9 ()\-.]+$")


def clean_text(
    errors: dict[str, list[str]], field: str, value: Any, limit: int, *, multiline: bool = False
) -> str:
    """The text stripped; an error when it is too long or holds control characters."""
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.setdefault(field, []).append("Enter text.")
        return ""
    text = value.strip()
    if (_CONTROL if multiline else _CONTROL_INLINE).search(text):
        errors.setdefault(field, []).append("This contains characters that are not allowed.")
    elif len(text) > limit:
        errors.setdefault(field, []).append(f"At most {limit} characters (this has {len(text)}).")
    return text


def check_enquiry(values: dict[str, Any]) -> dict[str, Any]:
    """Validate an enquiry's fields; return them cleaned, or raise ValidationError per field."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for field, limit in LIMITS.items():
        cleaned[field] = clean_text(
            errors, field, values.get(field), limit, multiline=field in MULTILINE
        )
    cleaned["name"] = " ".join(cleaned["name"].split())
    if not cleaned["name"] and "name" not in errors:
        errors["name"] = ["Enter your name."]
    email, phone = cleaned["email"], cleaned["phone"]
    if email and "email" not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = ["Enter an email address like name@example.com."]
    if phone and "phone" not in errors:
        digits = sum(c.isdigit() for c in phone)
        if not _PHONE.match(phone) or not 6 <= digits <= 15:
            errors["phone"] = ["Enter a phone number of 6 to 15 digits, like 01632 960 123."]
    if not email and not phone and "email" not in errors and "phone" not in errors:
        errors["email"] = ["Give an email address or a phone number (or both) so we can reply."]
    site, side = values.get("site"), values.get("side")
    if site not in Site.values:
        errors["site"] = ["Choose where the amputation or limb difference is."]
    if side not in Side.values:
        errors["side"] = ["Choose the side."]
    elif side == Side.NOT_APPLICABLE and site in Site.values and site != Site.CRANIOFACIAL:
        errors["side"] = ["A limb is left or right; choose the side."]
    cleaned["site"], cleaned["side"] = site, side
    cause = values.get("cause") or ""
    if cause and cause not in Cause.values:
        errors["cause"] = [f"Choose one of: {', '.join(Cause.values)}."]
    cleaned["cause"] = cause
    cleaned["amputation_year"] = _year(errors, values.get("amputation_year"))
    if values.get("consent") is not True:
        errors["consent"] = [
            "We can only reply if you agree to be contacted and to us keeping your enquiry "
            "for the period stated."
        ]
    cleaned["consent"] = True
    if errors:
        raise ValidationError(errors)
    return cleaned


def plausible_year(value: int | None) -> int | None:
    """The amputation year as the schema (and so the form) checks it: the enquiry rule below."""
    errors: dict[str, list[str]] = {}
    year = _year(errors, value)
    if errors:
        raise ValueError(errors["amputation_year"][0])
    return year


def _year(errors: dict[str, list[str]], value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors["amputation_year"] = ["Enter a year as four digits, like 2015."]
        return None
    if not EARLIEST_YEAR <= value <= today().year:
        errors["amputation_year"] = [f"Enter a year between {EARLIEST_YEAR} and {today().year}."]
        return None
    return value
