from django.core.management.base import BaseCommand, CommandError, CommandParser

from osseo.accounts.actions import enrol_totp_for
from osseo.accounts.models import User
from osseo.audit.context import acting_as


class Command(BaseCommand):
    help = (
        "Two-factor sign-in. `osseo otp enrol NAME` gives NAME a new authenticator (replacing any "
        "other) and prints its otpauth:// URI and ten recovery codes, once: hand them over "
        "privately."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["enrol"])
        parser.add_argument("username")

    def handle(self, *args: object, **options: object) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No account is called {options['username']!r}.")
        with acting_as(label="osseo otp enrol"):
            uri, codes = enrol_totp_for(user=user)
        self.stdout.write(uri)
        self.stdout.write("Recovery codes (each works once):")
        for code in codes:
            self.stdout.write(f"  {code}")
