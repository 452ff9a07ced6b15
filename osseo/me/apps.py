from django.apps import AppConfig


class MeConfig(AppConfig):
    """The patient's own pages at /me/ (issue 21), apart from the staff screens."""

    name = "osseo.me"
    label = "me"
