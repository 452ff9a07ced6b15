from django.urls import path

from . import views

app_name = "complications"
urlpatterns = [
    path("patients/<uuid:patient_id>/complications/new/", views.event_new, name="event_new"),
    path("patients/<uuid:patient_id>/death/", views.death_new, name="death_new"),
    path("complications/", views.event_list, name="list"),
    path("complications/<uuid:event_id>/", views.event_detail, name="event"),
    path("settings/grading-systems/", views.grading_systems, name="grading_systems"),
]
