from django.apps import AppConfig


class RehabConfig(AppConfig):
    name = "osseo.rehab"
    label = "rehab"
    verbose_name = "Rehabilitation"

    def ready(self) -> None:
        from osseo.patients import due, worklist

        from . import (
            actions,  # noqa: F401  registers the audit labels
            panels,
        )
        from . import worklist as rehab_worklist

        worklist.register(20, "follow_ups_due", rehab_worklist.follow_ups_due)
        due.register("follow_up_visit", rehab_worklist.next_visit_due)
        panels.register()
        from osseo.audit.labels import register_values

        from .rules import FLAG_LABELS

        register_values(FLAG_LABELS)  # a load log's flags, as its audit changes hold them
