"""Procedure (https://hl7.org/fhir/R4/procedure.html): each signed operation.

`code` is Osseo's own procedure kind: no SNOMED CT code for inserting an osseointegrated implant
is verified (docs/sources.md#verified-codes); the surgical stage number as an
extension; `performer` the surgeon; `bodySite` the limb; `focalDevice` each part the operation
placed (`implanted`) or removed (`removed`), Osseo's own action codes (the preferred SNOMED CT
action codes are not verified); `report` the signed operative record (document_reference.py).
Only signed records are facts (derived data read signed facts only): a draft
operation is not exported.
"""

from __future__ import annotations

from typing import Any

from osseo.surgery.models import Procedure

from .bodysite import body_site
from .references import People, ref
from .systems import LOCAL_BASE, PROCEDURE_KIND, local

STAGE_EXTENSION = f"{LOCAL_BASE}/StructureDefinition/surgical-stage"
DEVICE_ACTION = local("device-action")


def _action(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": DEVICE_ACTION, "code": code, "display": display}]}


def to_fhir(procedure: Procedure, people: People) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": str(procedure.uuid),
        "status": "completed",
        "code": {
            "coding": [
                {
                    "system": PROCEDURE_KIND,
                    "code": procedure.kind,
                    "display": procedure.get_kind_display(),
                }
            ],
            "text": procedure.get_kind_display(),
        },
        "subject": ref("Patient", procedure.patient.uuid),
        "performedDateTime": procedure.performed_on.isoformat(),
        "performer": [{"actor": people.user(procedure.surgeon)}],
        "bodySite": [body_site(procedure.limb.site, procedure.limb.side)],
        "report": [ref("DocumentReference", procedure.uuid, "Signed operative record")],
    }
    if procedure.stage_number is not None:
        resource["extension"] = [{"url": STAGE_EXTENSION, "valueInteger": procedure.stage_number}]
    focal = [
        {"action": _action("implanted", "Implanted"), "manipulated": ref("Device", d.uuid)}
        for d in procedure.devices_placed.all()
    ] + [
        {"action": _action("removed", "Removed"), "manipulated": ref("Device", d.uuid)}
        for d in procedure.devices_removed.all()
    ]
    if focal:
        resource["focalDevice"] = focal
    return resource
