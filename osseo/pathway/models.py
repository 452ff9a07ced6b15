"""The episode of care: one treated limb's journey through the phases of the pathway."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Phase(models.TextChoices):
    """Phases of an episode ("stage" is kept for the surgical stages of a staged procedure)."""

    REFERRAL = "referral", "Referral"  # enquiry or referral received, not yet assessed
    ASSESSMENT = "assessment", "Assessment"  # MDT eligibility assessment
    PLANNING = "planning", "Planning"  # surgical plan: staging, anaesthesia, implant
    SURGERY = "surgery", "Surgery"  # operated (a stage, a revision or an explantation)
    REHABILITATION = "rehabilitation", "Rehabilitation"  # with the rehabilitation partner
    FOLLOW_UP = "follow_up", "Follow-up"  # lifelong follow-up and dualcone maintenance
    DECLINED = "declined", "Declined"  # not eligible, or the patient chose not to proceed
    CLOSED = "closed", "Closed"  # episode ended (discharged, died, transferred)


class Episode(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="episodes"
    )
    limb = models.ForeignKey(
        "patients.ResidualLimb", on_delete=models.PROTECT, related_name="episodes"
    )
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.REFERRAL)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["opened_at", "id"]
        indexes = [models.Index(fields=["phase"])]

    def __str__(self) -> str:
        return f"{self.limb} — {self.get_phase_display()}"

    @property
    def is_open(self) -> bool:
        return self.phase not in (Phase.CLOSED, Phase.DECLINED)


class PhaseChange(models.Model):
    """Who moved an episode, when, from which phase to which, and why."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="changes")
    from_phase = models.CharField(max_length=20, choices=Phase.choices, blank=True)
    to_phase = models.CharField(max_length=20, choices=Phase.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_phase or 'start'} -> {self.to_phase}"


class GateOverride(models.Model):
    """A surgeon's override of one gate requirement (never the MDT's decision), with the reason.

    Pending until the move that needs it is made; that move (or the operation recorded) then
    names it in `used_for`, so the episode and the registry show which step went through on an
    override. A pending override can be withdrawn instead (`withdrawn_at`)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="overrides")
    requirement = models.CharField(max_length=40)  # a code of gates.REQUIREMENTS
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    phase = models.CharField(max_length=20, choices=Phase.choices)  # the phase it was given in
    used_at = models.DateTimeField(null=True, blank=True)
    used_for = models.CharField(max_length=20, blank=True)  # the move: a phase, or "operation"
    # Withdrawn while pending, by the surgeon who gave it or a clinic administrator, with a
    # reason: it then lets nothing through and stays on the episode as withdrawn.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawal_reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"override of {self.requirement}"

    @property
    def is_pending(self) -> bool:
        return self.used_at is None and self.withdrawn_at is None
