"""`record()`: the one way an audit entry is written, and `verify_chain()` that checks them all."""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from . import context
from .chain import GENESIS, entry_hash, normalise
from .labels import LABELS
from .models import AuditEntry

if TYPE_CHECKING:
    from osseo.accounts.models import User

_LOCK_KEY = 0x05_5E_0A_0D  # PostgreSQL advisory lock serialising the chain


def record(
    action: str,
    *,
    actor: User | None,
    patient: Any = None,
    obj: Any = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry, inside the caller's transaction (or its own)."""
    if action not in LABELS:
        raise ValueError(f"unknown audit action {action!r}: register it in the app's labels")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        last = AuditEntry.objects.order_by("-seq").values("seq", "hash").first()
        seq = last["seq"] + 1 if last else 1
        prev = last["hash"] if last else GENESIS
        membership = getattr(actor, "membership", None) if actor is not None else None
        label = context.actor_label.get() or (actor.get_username() if actor else "system")
        entry = AuditEntry(
            uuid=uuid_module.uuid4(),
            seq=seq,
            at=timezone.now(),
            actor=actor,
            actor_label=label[:300],
            organisation_id=membership.organisation_id if membership else None,
            action=action,
            patient=patient,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(getattr(obj, "uuid", "")) if obj is not None else "",
            changes=normalise(changes or {}),
            client_address=context.client_address.get()[:64],
            prev_hash=prev,
        )
        entry.hash = _hash_of(entry)
        entry.save(force_insert=True)
        return entry


def _hash_of(entry: AuditEntry) -> str:
    return entry_hash(
        prev_hash=entry.prev_hash,
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


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_seq: int | None = None
    broken_uuid: str | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_chain() -> ChainReport:
    """Recompute every link; report the first entry whose content or position was tampered with."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return ChainReport(checked, entry.seq, str(entry.uuid), "an entry before it is missing")
        if entry.prev_hash != prev:
            return ChainReport(
                checked, entry.seq, str(entry.uuid), "its link to the previous entry"
            )
        if _hash_of(entry) != entry.hash:
            return ChainReport(checked, entry.seq, str(entry.uuid), "its content was changed")
        prev = entry.hash
        expected_seq += 1
        checked += 1
    return ChainReport(checked)
