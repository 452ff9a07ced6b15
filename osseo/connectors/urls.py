from django.urls import path

from . import views

app_name = "connectors"
urlpatterns = [
    path("patients/<uuid:patient_id>/connectors/", views.patient_connectors, name="patient"),
    path("devices/<uuid:device_id>/replace/", views.replace, name="replace"),
    path("recordings/<uuid:recording_id>/", views.recording, name="recording"),
    path("recordings/<uuid:recording_id>/retry/", views.recording_retry, name="recording_retry"),
    path("connectors/due/", views.due, name="due"),
    path("connectors/policies/", views.policies, name="policies"),
]
