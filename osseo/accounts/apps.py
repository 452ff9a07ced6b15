from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "osseo.accounts"
    label = "accounts"
    verbose_name = "People and organisations"
