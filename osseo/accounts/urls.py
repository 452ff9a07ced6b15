from django.urls import path

from . import (
    account_views,
    admin_views,
    invitation_views,
    organisation_views,
    password_views,
    settings_views,
    twofactor_views,
    views,
)

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-in/code/", twofactor_views.sign_in_code, name="sign_in_code"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("me/", account_views.account, name="account"),
    path("password/", password_views.PasswordChange.as_view(), name="password_change"),
    path("password/reset/", password_views.PasswordReset.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        password_views.PasswordResetSent.as_view(),
        name="password_reset_sent",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        password_views.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        password_views.PasswordResetComplete.as_view(),
        name="password_reset_complete",
    ),
    path("two-factor/", twofactor_views.two_factor, name="two_factor"),
    path("settings/", settings_views.clinic_settings, name="settings"),
    path("manage/", admin_views.accounts, name="accounts"),
    path("organisation/", organisation_views.organisation, name="organisation"),
    path("partners/", organisation_views.partners, name="partners"),
    path("organisations/", organisation_views.organisations, name="organisations"),
    path(
        "invitation/<uuid:account_id>/<str:token>/",
        invitation_views.invitation,
        name="invitation",
    ),
]
