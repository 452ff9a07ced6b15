from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "osseo.connectors"
    label = "connectors"
    verbose_name = "Connector parts, activity data, service policies and forecasts"

    def ready(self) -> None:
        from . import actions  # noqa: F401  (registers the audit labels)
