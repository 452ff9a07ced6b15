from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "osseo.accounts"
    label = "accounts"
    verbose_name = "People and organisations"

    def ready(self) -> None:
        # The base app, ready before any form is defined: one text rule for every form's text.
        from osseo.plausible import check_text_in_every_form

        check_text_in_every_form()
