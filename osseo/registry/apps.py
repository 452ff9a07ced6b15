from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "osseo.registry"
    label = "registry"
    verbose_name = "Registry: the clinic's own evidence"

    def ready(self) -> None:
        from . import views  # noqa: F401  (registers the audit labels)
