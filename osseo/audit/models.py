"""The append-only, hash-chained record of every read and change of a patient's record."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One read or change. Never updated or deleted (PostgreSQL refuses it: migration 0002, and
    the application's database role holds no UPDATE, DELETE or TRUNCATE on the table).

    `hash` = HMAC-SHA-256, under the audit key held outside the database, over `prev_hash` and
    this entry's canonical content (see `chain.py`), so an edit, a deletion or a reordering
    anywhere in the table breaks the chain at that entry, and nobody without the key can re-hash it.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    seq = models.PositiveBigIntegerField(unique=True)  # 1, 2, 3, ... with no gaps
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=300)  # username, or the command line that acted
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=100)  # dotted code, e.g. "pathway.episode.transitioned"
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_entries",
    )
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(default=dict, blank=True)  # {"field": [before, after]} or details
    client_address = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["patient", "seq"]), models.Index(fields=["action"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_label}"


class ChainHead(models.Model):
    """The newest entry's sequence number and hash, with a mark keyed like the chain (one row).

    Written with every entry, in the same transaction; `verify` refuses a chain shorter than its
    head, so removing the newest entries is caught even without a checkpoint kept off the server.
    """

    seq = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    mark = models.CharField(max_length=64)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"audit chain head at #{self.seq}"
