import sys

from django.core.management.base import BaseCommand, CommandParser

from osseo.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools. `osseo audit verify` checks the whole hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["verify"])

    def handle(self, *args: object, **options: object) -> None:
        report = verify_chain()
        if report.ok:
            self.stdout.write(f"audit chain holds: {report.checked} entries checked")
            return
        self.stderr.write(
            f"audit chain broken at entry {report.broken_seq} ({report.broken_uuid}): "
            f"{report.reason}; {report.checked} entries before it hold"
        )
        self.stdout.write(str(report.broken_seq))
        sys.exit(1)
