from django.urls import path

from . import invitation_views, views

app_name = "patients"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("patients/", views.patient_list, name="list"),
    path("patients/new/", views.patient_create, name="create"),
    path("patients/<uuid:patient_id>/", views.patient_detail, name="detail"),
    path("patients/<uuid:patient_id>/edit/", views.patient_edit, name="edit"),
    path("patients/<uuid:patient_id>/limbs/new/", views.limb_create, name="limb_create"),
    path("patients/<uuid:patient_id>/access/", views.access_history, name="access_history"),
    path("patients/<uuid:patient_id>/account/", invitation_views.patient_account, name="account"),
]
