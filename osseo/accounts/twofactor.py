"""Two-factor sign-in: TOTP (RFC 6238) devices and single-use recovery codes, through django-otp.

A user enrols from their account page (a QR code of the `otpauth://` URI, then one code to
confirm) or an operator enrols them (`osseo otp enrol NAME`). Which roles must have a second
factor is the clinic setting `two_factor_roles` (by default clinic administrators). The writes are
actions in `actions.py`; this module reads and checks.
"""

from __future__ import annotations

import base64

import segno
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .clinic_settings import resolve
from .models import User

RECOVERY_CODES = 10


def confirmed_devices(user: User) -> list[TOTPDevice | StaticDevice]:
    return [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def required_for(user: User) -> bool:
    """Whether the user's clinic requires a second factor of the user's role."""
    membership = getattr(user, "membership", None)
    if membership is None:
        return False
    roles = resolve(membership.organisation, "two_factor_roles").value
    return membership.role in roles


def verify(user: User, code: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts `code` (a TOTP code, or a recovery code, used up), or None.
    django-otp refuses a TOTP code already used, and throttles each device's failures."""
    code = "".join(code.split())
    if not code or len(code) > 16:
        return None
    for device in confirmed_devices(user):
        if device.verify_token(code):
            return device
    return None


def qr_code_data_uri(uri: str) -> str:
    """The `otpauth://` URI as an SVG QR code in a data: URI (allowed by the page's CSP)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
