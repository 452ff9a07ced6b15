"""Provenance (https://hl7.org/fhir/R4/provenance.html) of each signed record, from the audit
trail: one per audit entry that signed or amended it, with when (`recorded`), who (`agent`, the
author), what (`target`: the Procedure and its DocumentReference) and the audit action as the
`activity` (Osseo's own codes, the audit's dotted action names). The entry's place in the keyed
chain travels as `policy` (Osseo's audit entry URI), so a reader can ask the clinic to prove it."""

from __future__ import annotations

from typing import Any

from osseo.audit.models import AuditEntry

from .references import People, ref
from .systems import LOCAL_BASE, PROVENANCE_ACTIVITY, PROVENANCE_PARTICIPANT

SIGNING_ACTIONS = ("surgery.record.signed", "surgery.record.amended")


def to_fhir(entry: AuditEntry, target_kinds: tuple[str, ...], people: People) -> dict[str, Any]:
    from osseo.audit.labels import LABELS

    agent: dict[str, Any] = {
        "type": {
            "coding": [{"system": PROVENANCE_PARTICIPANT, "code": "author", "display": "Author"}]
        },
        "who": people.user(entry.actor) if entry.actor else {"display": entry.actor_label},
    }
    return {
        "resourceType": "Provenance",
        "id": str(entry.uuid),
        "target": [ref(kind, entry.object_id) for kind in target_kinds],
        "recorded": entry.at.isoformat(),
        "policy": [f"{LOCAL_BASE}/AuditEvent/{entry.uuid}"],
        "activity": {
            "coding": [
                {
                    "system": PROVENANCE_ACTIVITY,
                    "code": entry.action,
                    "display": str(LABELS.get(entry.action, entry.action)),
                }
            ]
        },
        "agent": [agent],
    }
