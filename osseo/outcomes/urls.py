from django.urls import path

from . import views

app_name = "outcomes"
urlpatterns = [
    path(
        "patients/<uuid:patient_id>/questionnaires/<slug:code>/new/",
        views.response_new,
        name="response_new",
    ),
    path("questionnaire-responses/<uuid:response_id>/", views.response_detail, name="response"),
    path("settings/questionnaires/<slug:code>/", views.instrument_settings, name="settings"),
]
