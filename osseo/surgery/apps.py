from django.apps import AppConfig


class SurgeryConfig(AppConfig):
    name = "osseo.surgery"
    label = "surgery"
    verbose_name = "Assessment, planning, procedures and devices"

    def ready(self) -> None:
        from . import (
            actions,  # noqa: F401  (registers the audit labels)
            panels,
        )

        panels.register()
