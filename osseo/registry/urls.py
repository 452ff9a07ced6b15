from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [path("registry/", views.registry, name="registry")]
