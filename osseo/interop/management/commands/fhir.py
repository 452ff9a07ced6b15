"""`osseo fhir`: FHIR R4 in and out from the command line.

- `osseo fhir export --patient UUID [--actor USERNAME] [--output FILE]`: the patient's whole
  record as the searchset Bundle that `GET /api/v1/fhir/Patient/{id}/$everything` answers. With
  --actor, within that account's access; without, as the operator (audited as the command line).
- `osseo fhir import FILE --actor USERNAME`: a referral transaction Bundle, as `POST
  /api/v1/fhir` takes it (the account's organisation receives the patient); problems are printed
  one per line with their `Bundle.entry[i]` path and nothing is written.

- `osseo fhir bulk-export DIR [--deidentify] [--validate] [--actor USERNAME]`: every record in
  scope (the account's patients, or every patient for the operator; never a demonstration
  centre's) as FHIR Bulk Data NDJSON with a manifest.json (osseo/interop/bulk.py), de-identified
  with --deidentify (osseo/interop/deidentify.py); the manifest's path and counts are printed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from osseo.accounts.models import User
from osseo.audit.context import acting_as
from osseo.interop import bulk, everything
from osseo.interop.importer import Refused, import_bundle
from osseo.interop.queries import get_record_for, get_record_for_operator
from osseo.patients.models import Patient

MAX_IMPORT_BYTES = 2_500_000  # as the API's JSON body limit


def _actor(username: str | None, *, required: bool = False) -> User | None:
    if not username:
        if required:
            raise CommandError("name the account that does this with --actor USERNAME")
        return None
    actor = User.objects.filter(username=username, is_active=True).first()
    if actor is None:
        raise CommandError(f"no active account {username!r}")
    return actor


class Command(BaseCommand):
    help = "FHIR R4: export a patient's record, import a referral, write the registry's bulk data."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        export = sub.add_parser("export", help="a patient's whole record as a Bundle")
        export.add_argument("--patient", required=True, metavar="UUID")
        export.add_argument("--actor", metavar="USERNAME")
        export.add_argument("--output", metavar="FILE", help="default: standard output")
        imp = sub.add_parser("import", help="a referral transaction Bundle")
        imp.add_argument("file", help="the Bundle as JSON ('-' for stdin)")
        imp.add_argument("--actor", metavar="USERNAME", required=True)
        out = sub.add_parser("bulk-export", help="the registry as FHIR bulk data (NDJSON)")
        out.add_argument("directory", metavar="DIR", help="a new or empty folder")
        out.add_argument(
            "--deidentify",
            action="store_true",
            help="no identifiers or free text, dates shifted per patient, small cells "
            "generalised or suppressed",
        )
        out.add_argument(
            "--validate",
            action="store_true",
            help="check every resource; write one that fails to the error file instead",
        )
        out.add_argument("--actor", metavar="USERNAME")

    def handle(self, *args: Any, **options: Any) -> None:
        label = "cli: " + " ".join(sys.argv)[:280]
        with acting_as(label=label):
            getattr(self, "_" + options["what"].replace("-", "_"))(options)

    def _export(self, options: dict[str, Any]) -> None:
        actor = _actor(options["actor"])
        try:
            patient = (
                get_record_for(actor, options["patient"], via="command line")
                if actor is not None
                else get_record_for_operator(options["patient"])
            )
        except (Http404, Patient.DoesNotExist) as exc:
            raise CommandError(f"no patient {options['patient']!r} that you may see") from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        base = f"{settings.OSSEO_BASE_URL.rstrip('/')}/api/v1/fhir/"
        text = json.dumps(everything.searchset(patient, base), ensure_ascii=False, indent=1)
        if options["output"]:
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")
        else:
            self.stdout.write(text)

    def _import(self, options: dict[str, Any]) -> None:
        actor = _actor(options["actor"], required=True)
        name = options["file"]
        try:
            raw = (
                sys.stdin.buffer.read(MAX_IMPORT_BYTES + 1)
                if name == "-"
                else Path(name).read_bytes()
            )
        except OSError as exc:
            raise CommandError(f"cannot read {name}: {exc.strerror}") from exc
        if len(raw) > MAX_IMPORT_BYTES:
            raise CommandError(f"{name}: larger than {MAX_IMPORT_BYTES} bytes")
        try:
            bundle = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandError(f"{name}: not JSON ({exc})") from exc
        if not isinstance(bundle, dict):
            raise CommandError(f"{name}: not a Bundle")
        try:
            answer = import_bundle(actor=actor, bundle=bundle)
        except Refused as exc:
            for problem in exc.issues:
                where = ", ".join(problem.get("expression", [])) or "Bundle"
                self.stderr.write(f"{name}: {where}: {problem['diagnostics']}")
            raise CommandError(f"{name}: refused, nothing imported") from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        for entry in answer["entry"]:
            self.stdout.write(f"{entry['response']['status']}: {entry['response']['location']}")

    def _bulk_export(self, options: dict[str, Any]) -> None:
        actor = _actor(options["actor"])
        directory = Path(options["directory"])
        try:
            manifest = bulk.export(
                directory,
                actor=actor,
                deidentify=options["deidentify"],
                check=options["validate"],
            )
        except (bulk.BulkExportError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        for item in manifest["output"]:
            self.stdout.write(f"{item['type']}: {item['count']}")
        for item in manifest["error"]:
            self.stderr.write(f"{item['count']} resources failed the checks: see {item['url']}")
        self.stdout.write(f"Manifest: {directory / bulk.MANIFEST}")
