"""Changing a password (signed in) and resetting a forgotten one by an e-mailed link: Django's
views, with the writes done by the actions (`change_password`, `reset_password`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy

from osseo.editing import apply_errors

from .actions import change_password, reset_password
from .models import User
from .passwords import change_due, reason_text


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("patients:dashboard")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        reason = change_due(self.request.user)  # type: ignore[arg-type]
        return super().get_context_data(reason=reason_text(reason) if reason else "", **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        user = User.objects.get(pk=self.request.user.pk)  # type: ignore[misc]
        try:
            change_password(user=user, new_password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)  # this session stays; others end
        messages.success(self.request, "Your password has been changed.")
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 422
        return response


class PasswordReset(auth_views.PasswordResetView):
    """Asks for the account's e-mail address; the answer is the same whether or not an account
    has it. The mail names neither the account nor any patient."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_sent")
    extra_email_context = {"valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}


class PasswordResetSent(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            reset_password(
                user=self.user,  # type: ignore[arg-type]
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 422
        return response


class PasswordResetComplete(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
