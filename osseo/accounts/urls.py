from django.urls import path

from . import admin_views, settings_views, views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("settings/", settings_views.clinic_settings, name="settings"),
    path("manage/", admin_views.accounts, name="accounts"),
]
