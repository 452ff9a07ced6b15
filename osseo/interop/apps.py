from django.apps import AppConfig


class InteropConfig(AppConfig):
    """FHIR R4 in and out: the mappings, the $everything export and referral import."""

    name = "osseo.interop"
    label = "interop"
    verbose_name = "FHIR interoperability"
