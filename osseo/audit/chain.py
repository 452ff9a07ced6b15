"""Canonical content and hashing of audit entries (pure functions, shared by write and verify)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def normalise(value: Any) -> Any:
    """The value as it will read back from a JSON column (dates become ISO strings, ...)."""
    return json.loads(canonical_json(value))


def entry_hash(
    *,
    prev_hash: str,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_label: str,
    organisation_id: int | None,
    action: str,
    patient_id: int | None,
    object_type: str,
    object_id: str,
    changes: Any,
    client_address: str,
    uuid: str,
) -> str:
    content = canonical_json(
        {
            "seq": seq,
            "uuid": uuid,
            "at": at.isoformat(timespec="microseconds"),
            "actor": actor_id,
            "actor_label": actor_label,
            "organisation": organisation_id,
            "action": action,
            "patient": patient_id,
            "object_type": object_type,
            "object_id": object_id,
            "changes": changes,
            "client_address": client_address,
        }
    )
    return hashlib.sha256((prev_hash + content).encode()).hexdigest()
