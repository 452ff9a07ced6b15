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
        from osseo.audit.labels import register_values

        from .operative import STEPS
        from .rules import ANAESTHESIA_LABELS

        # What an operative record's and a plan's audit changes hold, in words.
        register_values({step.key: step.title for step in STEPS})
        register_values({c: label for s in STEPS for f in s.fields for c, label in f.choices})
        register_values(ANAESTHESIA_LABELS)
