from django.urls import path

from . import admin_views, settings_views, twofactor_views, views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-in/code/", twofactor_views.sign_in_code, name="sign_in_code"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("two-factor/", twofactor_views.two_factor, name="two_factor"),
    path("settings/", settings_views.clinic_settings, name="settings"),
    path("manage/", admin_views.accounts, name="accounts"),
]
