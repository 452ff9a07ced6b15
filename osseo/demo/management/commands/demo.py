from django.core.management.base import BaseCommand

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
