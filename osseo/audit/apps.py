from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "osseo.audit"
    label = "audit"
