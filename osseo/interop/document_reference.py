"""DocumentReference (https://hl7.org/fhir/R4/documentreference.html): a signed operative record,
which its Procedure's `report` names (the same id). The content is the record's current version
as Osseo's structured JSON (`application/json`, base64 as Attachment.data is); `authenticator` the
surgeon who signed; `docStatus` `final`, or `amended` once an amendment follows the signing."""

from __future__ import annotations

import base64
import json
from typing import Any

from osseo.surgery.models import Procedure

from .references import People, ref
from .systems import DOCUMENT


def to_fhir(procedure: Procedure, people: People) -> dict[str, Any]:
    versions = list(procedure.versions.all())
    current = versions[-1] if versions else None
    data = current.data if current else {}
    signed_at = procedure.signed_at
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "id": str(procedure.uuid),
        "status": "current",
        "docStatus": "amended" if len(versions) > 1 else "final",
        "type": {
            "coding": [
                {"system": DOCUMENT, "code": "operative-record", "display": "Operative record"}
            ]
        },
        "subject": ref("Patient", procedure.patient.uuid),
        "content": [
            {
                "attachment": {
                    "contentType": "application/json",
                    "data": base64.b64encode(
                        json.dumps(data, sort_keys=True, default=str).encode()
                    ).decode(),
                    "title": f"{procedure.get_kind_display()}, {procedure.performed_on}",
                }
            }
        ],
        "context": {"related": [ref("Procedure", procedure.uuid)]},
    }
    if signed_at is not None:
        resource["date"] = signed_at.isoformat()
    if current is not None:
        resource["author"] = [people.user(current.author)]
    if procedure.signed_by is not None:
        resource["authenticator"] = people.user(procedure.signed_by)
    return resource
