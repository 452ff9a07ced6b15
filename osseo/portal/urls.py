from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    # Public: no account needed.
    path("enquire/", views.choose_clinic, name="choose_clinic"),
    path("enquire/<slug:clinic_slug>/", views.enquire, name="enquire"),
    path("enquire/<slug:clinic_slug>/thanks/", views.thanks, name="thanks"),
    # The clinic's triage.
    path("enquiries/", views.queue, name="queue"),
    path("enquiries/settings/", views.clinic_settings, name="settings"),
    path("enquiries/<uuid:enquiry_id>/", views.detail, name="detail"),
    path("enquiries/<uuid:enquiry_id>/notes/", views.add_note, name="add_note"),
    path("enquiries/<uuid:enquiry_id>/status/", views.change_status, name="change_status"),
    path("enquiries/<uuid:enquiry_id>/convert/", views.convert, name="convert"),
]
