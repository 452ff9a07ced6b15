"""Canonical content and the keyed chain of audit entries (pure functions, shared by write and
verify).

Each entry's `hash` is HMAC-SHA-256, under a key held outside the database (`OSSEO_AUDIT_KEY`),
over the previous entry's hash and this entry's canonical content. Without the key nobody can
recompute the chain after changing, inserting or removing an entry. The chain's head is also kept
as a keyed mark of its own (`head_mark`, the `ChainHead` row) and in checkpoints written off the
server (`checkpoint_mark`), so that removing the newest entries is caught too.

Chains written before the key (migration 0003) used plain SHA-256: `unkeyed_entry_hash` is kept
only to verify such a chain once before it is re-chained with the key, and to tell an entry that
was re-hashed without the key from one that was merely changed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def normalise(value: Any) -> Any:
    """The value as it will read back from a JSON column (dates become ISO strings, ...)."""
    return json.loads(canonical_json(value))


def entry_content(
    *,
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
    return canonical_json(
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


def entry_mac(key: bytes, prev_hash: str, content: str) -> str:
    """The keyed link: HMAC-SHA-256(key, previous hash + content), hex."""
    return hmac.new(key, (prev_hash + content).encode(), hashlib.sha256).hexdigest()


def unkeyed_entry_hash(prev_hash: str, content: str) -> str:
    """The link of chains written before the key: plain SHA-256, which anyone can recompute."""
    return hashlib.sha256((prev_hash + content).encode()).hexdigest()


def head_mark(key: bytes, seq: int, entry_hash: str) -> str:
    """The keyed mark of the chain's head kept in the database (`ChainHead`)."""
    return hmac.new(
        key, f"osseo-audit-head:{seq}:{entry_hash}".encode(), hashlib.sha256
    ).hexdigest()


def checkpoint_mark(key: bytes, seq: int, entry_hash: str, at: str) -> str:
    """The keyed mark of a checkpoint kept off the server (`osseo audit checkpoint`)."""
    message = f"osseo-audit-checkpoint:{seq}:{entry_hash}:{at}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def content_of(entry: Any) -> str:
    """The canonical content of an entry (or of a migration's historical entry)."""
    return entry_content(
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        organisation_id=entry.organisation_id,
        action=entry.action,
        patient_id=entry.patient_id,
        object_type=entry.object_type,
        object_id=entry.object_id,
        changes=entry.changes,
        client_address=entry.client_address,
        uuid=str(entry.uuid),
    )
