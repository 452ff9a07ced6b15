from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from osseo.audit.services import record


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response: HttpResponse = super().form_valid(form)
        record("accounts.user.signed_in", actor=form.get_user())
        return response


class SignOutView(auth_views.LogoutView):
    pass
