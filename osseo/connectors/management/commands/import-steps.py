"""`osseo import-steps FILE --patient UUID [--actor USERNAME]`: import a `date,steps` CSV.

All or nothing: a file with any bad line is refused whole, each bad line named as
`line N: reason`. The same file twice adds nothing. Without --actor, the audit records the
command line as the actor.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from osseo.accounts.models import User
from osseo.accounts.permissions import has_permission
from osseo.audit.context import acting_as
from osseo.connectors.actions import import_daily_steps, import_daily_steps_from_command_line
from osseo.connectors.stepsfile import StepsFileError, parse_steps_csv
from osseo.patients.models import Patient
from osseo.patients.queries import patients_for

MAX_FILE_BYTES = 10 * 1024 * 1024  # ten years of days is ~150 kB


class Command(BaseCommand):
    help = "Import daily step counts from a CSV file with a date,steps header (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file with a date,steps header ('-' for stdin)")
        parser.add_argument("--patient", required=True, metavar="UUID")
        parser.add_argument(
            "--actor", metavar="USERNAME", help="the account importing (default: the command line)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            patient = Patient.objects.get(uuid=str(options["patient"]))
        except (Patient.DoesNotExist, ValidationError, ValueError) as exc:
            raise CommandError(f"no patient with id {options['patient']!r}") from exc
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no active account {options['actor']!r}")
            if not has_permission(actor, "activity.import") or not (
                patients_for(actor).filter(pk=patient.pk).exists()
            ):
                raise CommandError(f"{actor.username} may not import activity for this patient")
        name = str(options["file"])
        if name == "-":
            data, source = sys.stdin.buffer.read(MAX_FILE_BYTES + 1), "stdin"
        else:
            path = Path(name)
            try:
                if path.stat().st_size > MAX_FILE_BYTES:
                    raise CommandError(f"{name}: larger than {MAX_FILE_BYTES // 2**20} MB")
                data, source = path.read_bytes(), path.name
            except OSError as exc:
                raise CommandError(f"cannot read {name}: {exc.strerror}") from exc
        if len(data) > MAX_FILE_BYTES:
            raise CommandError(f"{name}: larger than {MAX_FILE_BYTES // 2**20} MB")
        try:
            days = parse_steps_csv(data, today=timezone.localdate())
        except StepsFileError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{name}: {problem}")
            raise CommandError(
                f"{name}: refused, nothing imported ({len(exc.problems)} problem"
                f"{'s' if len(exc.problems) != 1 else ''} shown)"
            ) from None
        label = "" if actor else "cli: " + " ".join(sys.argv)[:280]
        try:
            with acting_as(label=label):
                summary = (
                    import_daily_steps(actor=actor, patient=patient, days=days, source=source)
                    if actor is not None
                    else import_daily_steps_from_command_line(
                        patient=patient, days=days, source=source
                    )
                )
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(
            f"{source}: {summary.added} days added, {summary.changed} changed, "
            f"{summary.unchanged} already held ({summary.first} to {summary.last})"
        )
