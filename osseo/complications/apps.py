from django.apps import AppConfig


class ComplicationsConfig(AppConfig):
    name = "osseo.complications"
    label = "complications"
    verbose_name = "Complications: graded adverse events, treatments and deaths"

    def ready(self) -> None:
        from . import actions  # noqa: F401  (registers the audit labels)
