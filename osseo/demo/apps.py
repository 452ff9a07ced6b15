from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "osseo.demo"
    label = "demo"
