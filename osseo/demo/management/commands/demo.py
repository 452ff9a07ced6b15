from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from osseo.demo.registry import seed_registry_demo
from osseo.demo.seed import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = (
        "Seed the fictional demo organisations, accounts and cohort (only into an empty database)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--registry",
            type=int,
            default=0,
            metavar="N",
            help="Also add N synthetic implants in demonstration centres, kept apart from the "
            "clinic's own data (its registry shows them as the labelled comparator).",
        )

    def handle(self, *args: object, **options: Any) -> None:
        if options["registry"] < 0:
            raise CommandError("--registry takes a number of implants, 0 or more.")
        result = seed_demo()
        if result.created:
            self.stdout.write(f"Seeded the demo: {result.patients} fictional patients.")
        else:
            self.stdout.write("The demo data is already there; nothing changed.")
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for username, role, org in result.users:
            self.stdout.write(f"  {username:<14} {role:<18} {org}")
        device = TOTPDevice.objects.filter(user__username="admin", confirmed=True).first()
        if device is not None:
            self.stdout.write(
                "The admin also signs in with a code (two-factor sign-in): add this to an "
                f"authenticator app:\n  {device.config_url}"
            )
            codes = StaticToken.objects.filter(device__user=device.user).values_list(
                "token", flat=True
            )
            self.stdout.write("  or use one of its recovery codes: " + " ".join(codes))
        if options["registry"]:
            demo = seed_registry_demo(options["registry"])
            if demo.created:
                self.stdout.write(
                    f"Added the registry demonstration: {demo.implants} synthetic implants in "
                    f"{demo.centres} demonstration centres."
                )
            else:
                self.stdout.write(
                    f"The registry demonstration is already there ({demo.implants} implants)."
                )
