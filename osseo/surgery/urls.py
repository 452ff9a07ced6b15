from django.urls import path

from . import mdt_views, views

app_name = "surgery"
urlpatterns = [
    path("episodes/<uuid:episode_id>/assessment/new/", views.assessment_new, name="assessment_new"),
    path("episodes/<uuid:episode_id>/plan/", views.plan_edit, name="plan"),
    path("episodes/<uuid:episode_id>/plan/agree/", views.plan_agree, name="plan_agree"),
    path("episodes/<uuid:episode_id>/procedures/new/", views.procedure_new, name="procedure_new"),
    path("episodes/<uuid:episode_id>/guide/", views.patient_guide, name="guide"),
    path("procedures/<uuid:procedure_id>/", views.procedure_detail, name="procedure"),
    path("devices/recall/", views.recall, name="recall"),
    path("devices/<uuid:device_id>/", views.device_detail, name="device"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("mdt/settings/", mdt_views.mdt_settings, name="mdt_settings"),
]
