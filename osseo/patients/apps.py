from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "osseo.patients"
    label = "patients"

    def ready(self) -> None:
        from . import (
            actions,  # noqa: F401  (registers the audit labels)
            page_panels,
        )

        page_panels.register()
