from django.apps import AppConfig


class ComplicationsConfig(AppConfig):
    name = "osseo.complications"
    label = "complications"
    verbose_name = "Complications: graded adverse events, treatments and deaths"

    def ready(self) -> None:
        from osseo.patients import worklist

        from . import (
            actions,  # noqa: F401  (registers the audit labels)
            panels,
        )
        from . import worklist as complications_worklist

        worklist.register(10, "ongoing_complications", complications_worklist.ongoing_complications)
        panels.register()
