from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "osseo.portal"
    label = "portal"

    def ready(self) -> None:
        from . import actions  # noqa: F401  (registers the audit labels)
