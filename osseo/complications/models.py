"""Adverse events with a grade under a named grading system, their treatments, and deaths.

Grading systems and their grades are data (seeded by migration 0002, each with its source);
an event stores the system and the grade separately so any scheme can be used or translated
(docs/sources.md#infection-grading: "store classification_system + grade + treatment as separate
fields"). An operative treatment links a surgery Procedure: every operation is a Procedure
(docs/sources.md#design-rules).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from osseo.charts import day_text as _day
from osseo.contract import Versioned


class EventKind(models.TextChoices):
    """What happened (issue 7; docs/sources.md#complication-outcomes and NICE's minimum safety
    outcomes)."""

    INFECTION_SOFT_TISSUE = "infection_soft_tissue", "Infection: soft tissue"
    INFECTION_BONE = "infection_bone", "Infection: bone"
    INFECTION_IMPLANT = "infection_implant", "Infection: implant"
    PERIPROSTHETIC_FRACTURE = "periprosthetic_fracture", "Periprosthetic fracture"
    ASEPTIC_LOOSENING = "aseptic_loosening", "Aseptic loosening"
    IMPLANT_BREAKAGE = "implant_breakage", "Implant breakage"
    CONNECTOR_FAILURE = "connector_failure", "Dualcone or other connector failure"
    STOMA_HYPERGRANULATION = "stoma_hypergranulation", "Stoma hypergranulation"
    REDUNDANT_TISSUE = "redundant_tissue", "Redundant tissue (stoma)"
    HETEROTOPIC_OSSIFICATION = "heterotopic_ossification", "Heterotopic ossification"
    PAIN = "pain", "Pain"
    OTHER = "other", "Other"


INFECTION_KINDS = frozenset(
    {EventKind.INFECTION_SOFT_TISSUE, EventKind.INFECTION_BONE, EventKind.INFECTION_IMPLANT}
)


class Outcome(models.TextChoices):
    """How the event ended (or that it has not)."""

    ONGOING = "ongoing", "Ongoing"  # not resolved yet: no resolution date
    RESOLVED = "resolved", "Resolved"  # resolved without lasting effect
    RESOLVED_WITH_SEQUELAE = "resolved_with_sequelae", "Resolved with lasting effects"
    FATAL = "fatal", "Fatal"  # the patient died of it (record the death too)
    UNKNOWN = "unknown", "Unknown"  # lost to follow-up


RESOLVED_OUTCOMES = frozenset({Outcome.RESOLVED, Outcome.RESOLVED_WITH_SEQUELAE, Outcome.FATAL})


class GradingSystem(models.Model):
    """A named grading scheme (e.g. the Radboud 4-grade infection scheme), with its source.

    Shipped schemes have no organisation; a clinic may add its own (visible to it only).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    source = models.TextField()  # the publication the grades' wording comes from
    # The event kinds it grades (EventKind codes); empty means any kind.
    applies_to = models.JSONField(default=list, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grading_systems",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def grades_kind(self, kind: str) -> bool:
        return not self.applies_to or kind in self.applies_to

    @property
    def applies_to_labels(self) -> list[str]:
        """The kinds it grades, as people read them; empty means any kind."""
        return [EventKind(k).label for k in self.applies_to if k in EventKind.values]


class Grade(models.Model):
    """One grade of a system, in the system's published wording."""

    system = models.ForeignKey(GradingSystem, on_delete=models.PROTECT, related_name="grades")
    code = models.CharField(max_length=30)
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    rank = models.PositiveSmallIntegerField()  # order within the system (1 = first listed)
    # The event kinds this grade describes (EventKind codes); empty: any kind its system grades.
    # Radboud: grades 1-2 soft tissue, 3 bone, 4 implant (docs/sources.md#infection-grading).
    kinds = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["system_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["system", "code"], name="grade_code_once_per_system")
        ]

    def __str__(self) -> str:
        return f"{self.system.name}: {self.label}"

    def grades_kind(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


class AdverseEvent(Versioned):
    """A complication (FHIR Condition / AdverseEvent) of one limb's treatment; its version rises
    with every change to it or its treatments (the API's ETag)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="adverse_events"
    )
    limb = models.ForeignKey(
        "patients.ResidualLimb", on_delete=models.PROTECT, related_name="adverse_events"
    )
    episode = models.ForeignKey(
        "pathway.Episode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adverse_events",
    )
    procedure = models.ForeignKey(  # the operation it followed, where relevant
        "surgery.Procedure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adverse_events",
    )
    device = models.ForeignKey(  # the part involved, where relevant
        "surgery.Device",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adverse_events",
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    description = models.TextField(blank=True)
    onset_on = models.DateField()
    resolved_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, default=Outcome.ONGOING)
    grading_system = models.ForeignKey(
        GradingSystem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grade = models.ForeignKey(
        Grade, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-onset_on", "-id"]
        indexes = [
            models.Index(fields=["kind", "onset_on"]),
            # The registry's first event of a kind on a limb while an implant was in.
            models.Index(fields=["limb", "kind", "onset_on"], name="event_limb_kind_onset"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade__isnull=True) | models.Q(grading_system__isnull=False),
                name="adverse_event_grade_needs_system",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {_day(self.onset_on)}"


class TreatmentKind(models.TextChoices):
    """How an event was treated (docs/sources.md#infection-grading software note; issue 7)."""

    NONE = "none", "No treatment"
    LOCAL_CARE = "local_care", "Local care"
    ORAL_ANTIBIOTICS = "oral_antibiotics", "Oral antibiotics"
    IV_ANTIBIOTICS = "iv_antibiotics", "Intravenous antibiotics"
    DEBRIDEMENT = "debridement", "Operation: debridement"
    SOFT_TISSUE_REFASHIONING = "soft_tissue_refashioning", "Operation: soft-tissue refashioning"
    REVISION = "revision", "Operation: revision"
    EXPLANTATION = "explantation", "Operation: explantation"


# An operative treatment is a surgery Procedure of the same kind (one source of truth).
OPERATIVE_KINDS: dict[str, str] = {
    TreatmentKind.DEBRIDEMENT: "debridement",
    TreatmentKind.SOFT_TISSUE_REFASHIONING: "soft_tissue_refashioning",
    TreatmentKind.REVISION: "revision",
    TreatmentKind.EXPLANTATION: "explantation",
}


class Treatment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(AdverseEvent, on_delete=models.PROTECT, related_name="treatments")
    kind = models.CharField(max_length=30, choices=TreatmentKind.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    details = models.TextField(blank=True)  # e.g. the antibiotic, dose and duration
    procedure = models.ForeignKey(  # the operation, for operative kinds
        "surgery.Procedure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="treatments",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {_day(self.started_on)}"

    @property
    def is_operative(self) -> bool:
        return self.kind in OPERATIVE_KINDS


class Death(models.Model):
    """A patient's death and its date: a competing risk for the registry's survival analyses."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.PROTECT, related_name="death"
    )
    died_on = models.DateField()
    cause = models.TextField(blank=True)
    # The adverse event the death followed, when it did (then that event's outcome is fatal).
    related_event = models.ForeignKey(
        AdverseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Died {_day(self.died_on)}"
