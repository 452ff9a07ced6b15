"""The second step of sign-in (a code from the authenticator, or a recovery code) and the
account page's enrolment (a QR code, then one code to confirm)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import django_otp
from django import forms
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from osseo.audit.services import record

from . import lockout, twofactor
from .actions import confirm_totp_enrolment, start_totp_enrolment
from .backends import failed
from .models import User

PENDING = "osseo_2fa_pending"
PENDING_MINUTES = 5  # the password step is good for this long; operational, not clinical


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=16,
        label="Code",
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def begin_second_step(
    request: HttpRequest, user: User, attempt: Any, next_url: str
) -> HttpResponse:
    """After a right password for an account with a second factor: remember who, for a while."""
    request.session[PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", ""),
        "keys": [attempt.account_key, attempt.address_key] if attempt else [],
        "next": next_url,
        "until": (timezone.now() + timedelta(minutes=PENDING_MINUTES)).isoformat(),
    }
    return redirect("accounts:sign_in_code")


def sign_in_code(request: HttpRequest) -> HttpResponse:
    from .views import paused

    pending = request.session.get(PENDING)
    if not pending or datetime.fromisoformat(pending["until"]) < timezone.now():
        request.session.pop(PENDING, None)
        return redirect("accounts:login")
    user = User.objects.get(pk=pending["user"])
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempt = lockout.begin(user.username, request.META.get("REMOTE_ADDR", ""))
        if attempt.refused:
            return paused(request, attempt.retry_after or 1)
        device = twofactor.verify(user, form.cleaned_data["code"])
        if device is None:
            failed(user.username, "otp")
            wait = lockout.locked_after(attempt)
            if wait:
                request.session.pop(PENDING, None)
                return paused(request, wait)
            form.add_error("code", "That code is not right.")
        else:
            del request.session[PENDING]
            login(request, user, backend=pending["backend"] or None)
            django_otp.login(request, device)
            lockout.succeeded(attempt)
            password_attempt = lockout.Attempt(*pending["keys"]) if pending["keys"] else None
            if password_attempt is not None:
                lockout.succeeded(password_attempt)
            record("accounts.user.signed_in", actor=user, changes={"second_factor": True})
            next_url = pending["next"]
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                next_url = "/"
            return redirect(next_url or "/")
    return render(request, "accounts/sign_in_code.html", {"form": form})


class ConfirmForm(forms.Form):
    code = forms.CharField(max_length=16, label="Code from the app")


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol (or replace) the user's authenticator: a QR code, then one code to confirm it."""
    user = User.objects.get(pk=request.user.pk or 0)  # the row itself: the actions lock it
    codes: list[str] = []
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and "start" in request.POST:
        start_totp_enrolment(user=user)
        return redirect("accounts:two_factor")
    if request.method == "POST" and form.is_valid():
        try:
            codes = confirm_totp_enrolment(user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    waiting = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    context = {
        "enrolled": twofactor.has_second_factor(user),
        "required": twofactor.required_for(user),
        "waiting": waiting,
        "qr": twofactor.qr_code_data_uri(waiting.config_url) if waiting and not codes else "",
        "secret": _spaced_base32(waiting) if waiting and not codes else "",
        "codes": codes,
        "form": form,
    }
    return render(request, "accounts/two_factor.html", context)


def _spaced_base32(device: Any) -> str:
    import base64

    text = base64.b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
