from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "osseo.connectors"
    label = "connectors"
    verbose_name = "Connector parts, activity data, service policies and forecasts"

    def ready(self) -> None:
        from osseo.patients import due, worklist

        from . import (
            actions,  # noqa: F401  (registers the audit labels)
            panels,
        )
        from . import worklist as connectors_worklist

        worklist.register(5, "recordings_to_retry", connectors_worklist.recordings_to_retry)
        worklist.register(30, "parts_due", connectors_worklist.parts_due)
        due.register("connector_part", connectors_worklist.next_part_due)
        panels.register()
