"""An organisation's contact details: how patients and partners reach it.

Telephone numbers are checked with `phonenumbers` (Google's libphonenumber data): a UK number may
be written as it is dialled at home (`020 7946 0000`), any other with its country code
(`+33 1 23 45 67 89`). They are kept as people read them: UK numbers in the national format,
others in the international one.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

CONTACT_FIELDS = ("telephone", "email", "address", "out_of_hours")
HOME_REGION = "GB"
ADDRESS_MAX = 500


def clean_telephone(value: str, *, field: str) -> str:
    """The number formatted for reading, or a ValidationError naming `field`."""
    value = (value or "").strip()
    if not value:
        return ""
    message = (
        "Enter a UK telephone number (such as 020 7946 0000) or an international one "
        "starting with + and the country code."
    )
    if len(value) > 40:
        raise ValidationError({field: [message]})
    try:
        number = phonenumbers.parse(value, HOME_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError({field: [message]}) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError({field: [message]})
    home = phonenumbers.region_code_for_number(number) == HOME_REGION
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def telephone_uri(value: str) -> str:
    """A `tel:` link target (RFC 3966) for a number kept by `clean_telephone`; "" if none."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, HOME_REGION)
    except phonenumbers.NumberParseException:
        return ""
    return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_contact(data: dict[str, Any]) -> dict[str, str]:
    """The contact fields named in `data`, cleaned; every problem at once, by field."""
    errors: dict[str, list[str]] = {}
    out: dict[str, str] = {}
    for name in CONTACT_FIELDS:
        if name not in data:
            continue
        value = str(data[name] if data[name] is not None else "").strip()
        try:
            if name in ("telephone", "out_of_hours"):
                value = clean_telephone(value, field=name)
            elif name == "email" and value:
                if len(value) > 254:
                    raise ValidationError({name: ["Enter an e-mail address."]})
                try:
                    validate_email(value)
                except ValidationError as exc:
                    raise ValidationError({name: ["Enter an e-mail address."]}) from exc
            elif name == "address":
                value = "\n".join(line.strip() for line in value.splitlines() if line.strip())
                if len(value) > ADDRESS_MAX:
                    raise ValidationError(
                        {name: [f"Keep the address to {ADDRESS_MAX} characters."]}
                    )
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
            continue
        out[name] = value
    if errors:
        raise ValidationError(errors)
    return out


def contact_lines(organisation: Any) -> str:
    """The organisation's contact details as lines of plain text, for e-mails; "" if none."""
    lines = [
        f"{label}: {value}"
        for label, value in (
            ("Telephone", organisation.telephone),
            ("Out of hours", organisation.out_of_hours),
            ("E-mail", organisation.email),
        )
        if value
    ]
    if organisation.address:
        lines.append("Address: " + ", ".join(organisation.address.splitlines()))
    return "\n".join(lines)
