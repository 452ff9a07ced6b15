from django.core.management.base import BaseCommand
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from osseo.demo.seed import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = (
        "Seed the fictional demo organisations, accounts and cohort (only into an empty database)."
    )

    def handle(self, *args: object, **options: object) -> None:
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
