"""`record()`: the one way an audit entry is written; `verify_chain()` and `checkpoint()` that
prove the chain (keyed with `OSSEO_AUDIT_KEY`, see `chain.py`)."""

from __future__ import annotations

import json
import uuid as uuid_module
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import context
from .chain import (
    GENESIS,
    checkpoint_mark,
    content_of,
    entry_mac,
    head_mark,
    normalise,
    same,
    unkeyed_entry_hash,
)
from .labels import LABELS
from .models import AuditEntry, ChainHead

if TYPE_CHECKING:
    from osseo.accounts.models import User

_LOCK_KEY = 0x05_5E_0A_0D  # PostgreSQL advisory lock serialising the chain
HEAD_ID = 1


def _key(key: bytes | None = None) -> bytes:
    return key if key is not None else settings.OSSEO_AUDIT_KEY


def record(
    action: str,
    *,
    actor: User | None,
    patient: Any = None,
    obj: Any = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry, inside the caller's transaction (or its own), and move the head."""
    if action not in LABELS:
        raise ValueError(f"unknown audit action {action!r}: register it in the app's labels")
    key = _key()
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
        entry.hash = entry_mac(key, prev, content_of(entry))
        entry.save(force_insert=True)
        ChainHead.objects.update_or_create(
            pk=HEAD_ID,
            defaults={
                "seq": seq,
                "hash": entry.hash,
                "mark": head_mark(key, seq, entry.hash),
                "at": entry.at,
            },
        )
        return entry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_seq: int | None = None
    broken_uuid: str | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and not self.reason


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head as written off the server: sequence, hash, time, and their keyed mark."""

    seq: int
    hash: str
    at: str
    mark: str

    def as_json(self) -> str:
        return json.dumps(
            {"seq": self.seq, "hash": self.hash, "at": self.at, "mark": self.mark}, indent=None
        )

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        """Parse a checkpoint file; ValueError names what is wrong with it."""
        try:
            data = json.loads(text)
            checkpoint = cls(
                seq=int(data["seq"]),
                hash=str(data["hash"]),
                at=str(data["at"]),
                mark=str(data["mark"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"not an Osseo audit checkpoint ({exc})") from exc
        if checkpoint.seq < 0:
            raise ValueError("not an Osseo audit checkpoint (negative sequence number)")
        return checkpoint


def checkpoint(*, key: bytes | None = None) -> Checkpoint:
    """The current head of the chain, authenticated with the audit key, for keeping elsewhere."""
    last = AuditEntry.objects.order_by("-seq").values("seq", "hash").first()
    seq, entry_hash = (last["seq"], last["hash"]) if last else (0, GENESIS)
    at = timezone.now().isoformat(timespec="seconds")
    return Checkpoint(seq, entry_hash, at, checkpoint_mark(_key(key), seq, entry_hash, at))


def verify_chain(*, key: bytes | None = None, against: Checkpoint | None = None) -> ChainReport:
    """Recompute every keyed link; report the first entry that was changed, removed, re-hashed
    without the key or written with another key, and a chain shorter than its head or than the
    checkpoint `against` says."""
    key = _key(key)
    if against is not None and not same(
        against.mark, checkpoint_mark(key, against.seq, against.hash, against.at)
    ):
        return ChainReport(0, reason="the checkpoint was not written with this audit key")
    head = ChainHead.objects.filter(pk=HEAD_ID).first()  # read first: entries may follow it
    prev = GENESIS
    expected_seq = 1
    checked = 0
    hashes: dict[int, str] = {}
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        uuid = str(entry.uuid)
        if entry.seq != expected_seq:
            return ChainReport(checked, expected_seq, None, "this entry is missing")
        if entry.prev_hash != prev:
            return ChainReport(checked, entry.seq, uuid, "its link to the previous entry")
        content = content_of(entry)
        if not same(entry_mac(key, entry.prev_hash, content), entry.hash):
            if same(unkeyed_entry_hash(entry.prev_hash, content), entry.hash):
                reason = "it was re-hashed without the audit key"
            else:
                reason = "its content was changed, or it was written with another audit key"
            return ChainReport(checked, entry.seq, uuid, reason)
        if head is not None and entry.seq == head.seq:
            hashes[entry.seq] = entry.hash
        if against is not None and entry.seq == against.seq:
            hashes[-1] = entry.hash
        prev = entry.hash
        expected_seq += 1
        checked += 1
    last_seq = expected_seq - 1
    if head is None:
        if last_seq:
            return ChainReport(checked, None, None, "the chain's head record is missing")
    else:
        if not same(head.mark, head_mark(key, head.seq, head.hash)):
            return ChainReport(
                checked, None, None, "the chain's head record was not written with this audit key"
            )
        if head.seq > last_seq:
            return ChainReport(
                checked,
                last_seq + 1,
                None,
                f"this entry is missing: the chain ends at entry {last_seq} but its head is "
                f"entry {head.seq} (the newest entries were removed)",
            )
        if not same(hashes.get(head.seq, ""), head.hash):
            return ChainReport(checked, head.seq, None, "it differs from the chain's head record")
    if against is not None:
        if against.seq > last_seq:
            return ChainReport(
                checked,
                last_seq + 1,
                None,
                f"this entry is missing: the chain ends at entry {last_seq} but the checkpoint "
                f"of {against.at} names entry {against.seq}",
            )
        if against.seq and not same(hashes.get(-1, ""), against.hash):
            return ChainReport(
                checked, against.seq, None, f"it differs from the checkpoint of {against.at}"
            )
    return ChainReport(checked)
