"""The clinic's records as FHIR bulk data: `osseo fhir bulk-export DIR [--deidentify]`.

The layout is the FHIR Bulk Data Access one (https://hl7.org/fhir/uv/bulkdata/,
docs/sources.md#fhir-bulk): one NDJSON file per resource type (`Patient.ndjson`, one resource
a line, `application/fhir+ndjson`) and a `manifest.json` as the complete-status answer of an
`$export` request: `transactionTime`, `request`, `requiresAccessToken`, `output` (`type`, `url`
relative to the manifest, `count`), `error` (OperationOutcome NDJSON, when `--validate` found a
resource it would not write) and Osseo's own `extension` object (what was exported, and what
the de-identification generalised or suppressed). The manifest is written last: a folder
without one is an export that did not finish.

Scope: the patients the actor may see (`patients_for`; the operator at the server: every
patient), never the synthetic demonstration centres' (`Organisation.demonstration`); each
record as `$everything` exports it (signed facts only, everything.py). Patients are read in
batches of `BATCH` by key and each resource is written as soon as it is mapped, so memory does
not grow with the registry (benchmarks/fhir_bulk.py measures it).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections import Counter
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from osseo.accounts.models import User
from osseo.accounts.permissions import require_permission
from osseo.audit.services import record
from osseo.patients.models import Patient
from osseo.patients.queries import patients_for

from . import everything, validate
from .deidentify import Deidentifier, registry_threshold
from .queries import audit_export
from .references import People
from .systems import LOCAL_BASE

BATCH = 500  # patients read (and mapped) at a time
MANIFEST = "manifest.json"
ERRORS = "OperationOutcome.errors.ndjson"
EXTENSION = f"{LOCAL_BASE}/StructureDefinition/bulk-export"


class BulkExportError(Exception):
    """The export cannot start (the folder holds files already)."""


def scope(actor: User | None) -> QuerySet[Patient]:
    """The patients exported: the actor's (`patients_for`) or, for the operator, every one;
    never a demonstration centre's synthetic patient."""
    patients = patients_for(actor) if actor is not None else Patient.objects.all()
    synthetic = Patient.objects.filter(care_teams__organisation__demonstration=True)
    return patients.exclude(pk__in=synthetic.values("pk"))


def batches(patients: QuerySet[Patient], size: int = BATCH) -> Any:
    """The patients in batches of `size`, by key (each batch one query, none held open)."""
    last = 0
    while True:
        batch = list(patients.filter(pk__gt=last).order_by("pk")[:size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


class NdjsonFiles:
    """One NDJSON file per resource type in `directory`, opened at its first resource."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files: dict[str, IO[str]] = {}
        self.counts: Counter[str] = Counter()

    def name(self, kind: str) -> str:
        return ERRORS if kind == "error" else f"{kind}.ndjson"

    def write(self, resource: dict[str, Any], kind: str = "") -> None:
        kind = kind or resource["resourceType"]
        out = self.files.get(kind)
        if out is None:
            out = self.files[kind] = (self.directory / self.name(kind)).open("w", encoding="utf-8")
        out.write(json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.counts[kind] += 1

    def close(self) -> None:
        for out in self.files.values():
            out.close()


def _problems(resource: dict[str, Any]) -> dict[str, Any]:
    """The OperationOutcome of a resource that failed the checks of validate.py."""
    where = f"{resource.get('resourceType')}/{resource.get('id')}"
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": "invalid",
                "diagnostics": f"{where}: {message}",
                "expression": [f"{resource.get('resourceType')}.{path}"],
            }
            for path, message in validate.check(resource)
        ],
    }


def export(
    directory: Path,
    *,
    actor: User | None,
    deidentify: bool = False,
    check: bool = False,
    batch: int = BATCH,
) -> dict[str, Any]:
    """Write the bulk export into `directory` (made if missing, refused if it holds files) and
    answer its manifest. `actor` None is the operator at the server; an account needs the
    registry export permission. `check` runs validate.py on every resource and writes one that
    fails to the error file instead. Audited as `interop.bulk.exported`; an identified export
    also leaves a read of the whole record in each patient's access history."""
    if actor is not None:
        require_permission(actor, "registry.export")
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise BulkExportError(f"{directory} is not empty: give a new folder")
    started = timezone.now()
    patients = scope(actor)
    people = People()
    shield = None
    if deidentify:
        setting = registry_threshold(actor)
        shield = Deidentifier(
            patients,
            threshold=int(setting.value),
            threshold_label=setting.label,
            today=timezone.localdate(),
        )
    files = NdjsonFiles(directory)
    exported = 0
    try:
        for group in batches(patients, batch):
            if shield is not None:
                shield.prepare(group)
            for key, resource in everything.records(group, people):
                out = shield.apply(key, resource) if shield is not None else resource
                if out is not None:
                    _write(files, out, check)
            exported += len(group) - (shield.suppressed_in(group) if shield else 0)
            # Model instances hold reference cycles (their related-object caches) that only
            # the cycle collector frees: collect after each batch, so the high-water mark is
            # one batch's worth rather than however many batches pass between collections.
            gc.collect()
            if shield is None:
                for patient in group:
                    audit_export(actor, patient, operation="$export", via="bulk export")
        for resource in people.resources(named=not deidentify):
            _write(files, shield.shared(resource) if shield is not None else resource, check)
    finally:
        files.close()
    manifest = _manifest(started, files, exported, shield)
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    record(
        "interop.bulk.exported",
        actor=actor,
        changes={
            "deidentified": deidentify,
            "patients": exported,
            "resources": dict(sorted((k, v) for k, v in files.counts.items() if k != "error")),
            "errors": files.counts["error"],
            **(shield.summary() if shield is not None else {}),
        },
    )
    return manifest


def _write(files: NdjsonFiles, resource: dict[str, Any], check: bool) -> None:
    if check and validate.check(resource):
        files.write(_problems(resource), "error")
    else:
        files.write(resource)


def _manifest(
    started: dt.datetime, files: NdjsonFiles, patients: int, shield: Deidentifier | None
) -> dict[str, Any]:
    base = f"{settings.OSSEO_BASE_URL.rstrip('/')}/api/v1/fhir/"
    kinds = sorted(k for k in files.counts if k != "error")
    about: dict[str, Any] = {"patients": patients, "deidentified": shield is not None}
    if shield is not None:
        about |= shield.summary()
    return {
        "transactionTime": started.astimezone(dt.UTC).isoformat(),
        "request": f"{base}$export",
        "requiresAccessToken": False,
        "output": [
            {"type": kind, "url": files.name(kind), "count": files.counts[kind]} for kind in kinds
        ],
        "error": (
            [{"type": "OperationOutcome", "url": ERRORS, "count": files.counts["error"]}]
            if files.counts["error"]
            else []
        ),
        "extension": {EXTENSION: about},
    }
