from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "osseo.audit"
    label = "audit"

    def ready(self) -> None:
        from .roles import grant_app_role

        post_migrate.connect(grant_app_role, sender=self, dispatch_uid="osseo.audit.grants")
