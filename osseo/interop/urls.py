from django.urls import path, re_path

from . import views

urlpatterns = [
    path("Patient/<str:patient_id>/$everything", views.patient_everything, name="fhir-everything"),
    path("", views.transaction, name="fhir-transaction"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
