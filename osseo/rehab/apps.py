from django.apps import AppConfig


class RehabConfig(AppConfig):
    name = "osseo.rehab"
    label = "rehab"
    verbose_name = "Rehabilitation"

    def ready(self) -> None:
        from . import actions  # noqa: F401  registers the audit labels
