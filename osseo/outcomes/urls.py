from django.urls import path

from . import config_views, views

app_name = "outcomes"
urlpatterns = [
    path(
        "patients/<uuid:patient_id>/questionnaires/<slug:code>/new/",
        views.response_new,
        name="response_new",
    ),
    path("questionnaire-responses/<uuid:response_id>/", views.response_detail, name="response"),
    path("settings/questionnaires/<slug:code>/", views.instrument_settings, name="settings"),
    path(
        "settings/questionnaires/<slug:code>/scoring/",
        config_views.instrument_scales,
        name="settings_scales",
    ),
    path(
        "settings/questionnaires/<slug:code>/items/<slug:section>/",
        config_views.instrument_items,
        name="settings_items",
    ),
    path(
        "settings/questionnaires/<slug:code>/export/",
        config_views.instrument_export,
        name="settings_export",
    ),
]
