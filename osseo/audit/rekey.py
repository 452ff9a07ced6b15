"""Moving a chain written before the audit key (plain SHA-256) onto the keyed chain, once.

Used by migration 0003 with the historical models, and by its test with the real ones. The old
chain is verified first (a chain already broken is not laundered: the migration stops and names
the entry); then every entry is re-linked with the key, and one entry appended that records the
old head, so the old chain's last hash stays on record inside the keyed chain.
"""

from __future__ import annotations

import uuid as uuid_module
from typing import Any

from django.utils import timezone

from .chain import GENESIS, content_of, entry_mac, head_mark, same, unkeyed_entry_hash

ACTION = "audit.chain.keyed"


class UnkeyedChainBroken(Exception):
    pass


def rechain_with_key(entry_model: Any, head_model: Any, key: bytes) -> int:
    """Re-link an unkeyed chain with `key`; return how many entries it had (0: nothing done).

    The caller makes the table writable (migration 0003 lifts PostgreSQL's trigger for it).
    """
    if head_model.objects.exists():
        return 0  # already keyed
    prev = GENESIS
    entries = list(entry_model.objects.order_by("seq"))
    for expected, entry in enumerate(entries, start=1):
        if entry.seq != expected or entry.prev_hash != prev:
            raise UnkeyedChainBroken(f"audit chain broken at entry {expected}: an entry is missing")
        if not same(unkeyed_entry_hash(prev, content_of(entry)), entry.hash):
            raise UnkeyedChainBroken(
                f"audit chain broken at entry {entry.seq} ({entry.uuid}): its content was changed"
            )
        prev = entry.hash
    if not entries:
        return 0
    old_head = {"seq": entries[-1].seq, "hash": entries[-1].hash}
    prev = GENESIS
    for entry in entries:
        entry.prev_hash = prev
        entry.hash = entry_mac(key, prev, content_of(entry))
        prev = entry.hash
    entry_model.objects.bulk_update(entries, ["prev_hash", "hash"], batch_size=500)
    seq = len(entries) + 1
    marker = entry_model(
        uuid=uuid_module.uuid4(),
        seq=seq,
        at=timezone.now(),
        actor=None,
        actor_label="osseo migrate (audit 0003)",
        organisation=None,
        action=ACTION,
        patient=None,
        object_type="",
        object_id="",
        changes={"unkeyed_head": old_head, "entries": len(entries)},
        client_address="",
        prev_hash=prev,
    )
    marker.hash = entry_mac(key, prev, content_of(marker))
    marker.save(force_insert=True)
    head_model.objects.create(
        pk=1, seq=seq, hash=marker.hash, mark=head_mark(key, seq, marker.hash), at=marker.at
    )
    return len(entries)
