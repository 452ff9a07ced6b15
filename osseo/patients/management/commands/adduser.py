import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from osseo.accounts.actions import create_user
from osseo.accounts.models import Organisation, Role
from osseo.audit.context import acting_as
from osseo.patients.models import Patient


class Command(BaseCommand):
    help = "Provision an account without a prompt; the password is read as one line from stdin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--organisation", required=True, metavar="SLUG")
        parser.add_argument("--patient", metavar="UUID", help="the patient record (patient role)")
        parser.add_argument("--password-stdin", action="store_true", required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args: object, **options: object) -> None:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if password.endswith("\r"):
            password = password[:-1]
        if not password:
            raise CommandError("no password on standard input")
        try:
            organisation = Organisation.objects.get(slug=options["organisation"])
        except Organisation.DoesNotExist as exc:
            raise CommandError(f"no organisation with slug {options['organisation']!r}") from exc
        patient = None
        if options["patient"]:
            try:
                patient = Patient.objects.get(uuid=str(options["patient"]))
            except (Patient.DoesNotExist, ValidationError, ValueError) as exc:
                raise CommandError(f"no patient with id {options['patient']!r}") from exc
        try:
            with acting_as(label="cli: " + " ".join(sys.argv)[:280]):
                user = create_user(
                    actor=None,
                    username=str(options["username"]),
                    password=password,
                    role=str(options["role"]),
                    organisation=organisation,
                    patient=patient,
                    first_name=str(options["first_name"]),
                    last_name=str(options["last_name"]),
                    email=str(options["email"]),
                )
        except ValidationError as exc:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            raise CommandError(problems) from exc
        self.stdout.write(f"created {user.username} ({options['role']} at {organisation.slug})")
