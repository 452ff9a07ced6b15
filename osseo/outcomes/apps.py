from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "osseo.outcomes"
    label = "outcomes"
    verbose_name = "Outcome measures: questionnaires, responses and scores"

    def ready(self) -> None:
        from . import (
            actions,  # noqa: F401  (registers the audit labels)
            panels,
        )

        panels.register()
