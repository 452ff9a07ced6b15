import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from osseo.audit.services import Checkpoint, checkpoint, verify_chain


class Command(BaseCommand):
    help = (
        "Audit trail tools. `osseo audit verify [--checkpoint FILE]` checks the whole keyed chain "
        "(and that it is no shorter than a checkpoint says); `osseo audit checkpoint [--output "
        "FILE]` writes the chain's head, authenticated with the audit key, to keep off the server."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["verify", "checkpoint"])
        parser.add_argument(
            "--checkpoint", metavar="FILE", help="verify: a file written by `audit checkpoint`"
        )
        parser.add_argument(
            "--output", metavar="FILE", help="checkpoint: write here instead of standard output"
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["subcommand"] == "checkpoint":
            self._checkpoint(options.get("output"))  # type: ignore[arg-type]
        else:
            self._verify(options.get("checkpoint"))  # type: ignore[arg-type]

    def _checkpoint(self, output: str | None) -> None:
        text = checkpoint().as_json() + "\n"
        if output:
            Path(output).write_text(text)
        else:
            self.stdout.write(text, ending="")

    def _verify(self, checkpoint_file: str | None) -> None:
        against = None
        if checkpoint_file:
            try:
                against = Checkpoint.from_json(Path(checkpoint_file).read_text())
            except (OSError, ValueError) as exc:
                raise CommandError(f"{checkpoint_file}: {exc}") from exc
        report = verify_chain(against=against)
        if report.ok:
            suffix = f", no shorter than the checkpoint (entry {against.seq})" if against else ""
            self.stdout.write(f"audit chain holds: {report.checked} entries checked{suffix}")
            return
        where = f"at entry {report.broken_seq}" if report.broken_seq else "as a whole"
        uuid = f" ({report.broken_uuid})" if report.broken_uuid else ""
        self.stderr.write(
            f"audit chain broken {where}{uuid}: {report.reason}; "
            f"{report.checked} entries before it hold"
        )
        self.stdout.write(str(report.broken_seq or ""))
        sys.exit(1)
