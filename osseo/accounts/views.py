from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render

from osseo.audit.services import record

from . import lockout, twofactor
from .backends import attempt_of
from .twofactor_views import begin_second_step


def paused(request, retry_after: int) -> HttpResponse:  # type: ignore[no-untyped-def]
    """429 with Retry-After: sign-in is paused for this account or address."""
    minutes = max(1, -(-retry_after // 60))
    response = render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):  # type: ignore[no-untyped-def]
        from django.conf import settings

        return super().get_context_data(
            failure_limit=settings.OSSEO_SIGNIN_FAILURE_LIMIT,
            lockout_minutes=settings.OSSEO_SIGNIN_LOCKOUT_MINUTES,
            **kwargs,
        )

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        attempt = attempt_of(self.request)
        user = form.get_user()
        if twofactor.has_second_factor(user):
            return begin_second_step(self.request, user, attempt, self.get_success_url())
        response: HttpResponse = super().form_valid(form)
        if attempt is not None:
            lockout.succeeded(attempt)
        record("accounts.user.signed_in", actor=form.get_user())
        return response

    def form_invalid(self, form):  # type: ignore[no-untyped-def]
        attempt = attempt_of(self.request)
        if attempt is not None:
            wait = attempt.retry_after or lockout.locked_after(attempt)
            if wait:
                return paused(self.request, wait)
        return super().form_invalid(form)


class SignOutView(auth_views.LogoutView):
    pass
