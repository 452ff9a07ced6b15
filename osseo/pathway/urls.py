from django.urls import path

from . import views

app_name = "pathway"
urlpatterns = [
    path("limbs/<uuid:limb_id>/episodes/new/", views.episode_open, name="open"),
    path("episodes/<uuid:episode_id>/transition/", views.episode_transition, name="transition"),
    path("episodes/<uuid:episode_id>/override/", views.gate_override, name="override"),
]
