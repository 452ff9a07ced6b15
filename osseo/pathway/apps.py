from django.apps import AppConfig


class PathwayConfig(AppConfig):
    name = "osseo.pathway"
    label = "pathway"

    def ready(self) -> None:
        from . import (
            actions,  # noqa: F401  (registers the audit labels)
            panels,
        )

        panels.register()
