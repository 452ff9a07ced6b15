from django.urls import path

from . import appointment_views, views

app_name = "scheduling"
urlpatterns = [
    path("theatre/", views.theatre_list, name="theatre"),
    path("mdt/meetings/", views.meeting_list, name="meetings"),
    path("mdt/meetings/<uuid:meeting_id>/", views.meeting_detail, name="meeting"),
    path("appointments/", appointment_views.appointment_list, name="appointments"),
    path(
        "appointments/<uuid:appointment_id>/",
        appointment_views.appointment_detail,
        name="appointment",
    ),
    path(
        "patients/<uuid:patient_id>/appointments/",
        appointment_views.patient_appointments,
        name="patient_appointments",
    ),
    path("calendar/", views.calendar_feeds, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
