"""Dualcone and other connector maintenance: the clinic's service policies, the patient's activity
(daily steps, load recordings, body weight) and each part's forecast.

The parts themselves are the surgery app's Device records (docs/sources.md#design-rules: one Device
model for every part); this app keeps no copy of them. No published dualcone replacement interval
exists (docs/sources.md#connector-parts): every policy number is the clinic's, shown "not
validated" until the clinic validates it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from osseo.charts import day_text as _day
from osseo.contract import Versioned
from osseo.interop.systems import ACTIVITY
from osseo.surgery.models import DeviceKind

# Daily steps have no verified LOINC or SNOMED CT code (docs/sources.md#verified-codes): a local
# code.
STEPS_SYSTEM = ACTIVITY  # osseo/interop/systems.py defines every FHIR system URL
STEPS_CODE = (STEPS_SYSTEM, "daily-steps", "Steps per day")
# LOINC 29463-7 "Body weight": verified (UK Core BodyWeight profile,
# docs/sources.md#verified-codes).
BODY_WEIGHT_CODE = ("http://loinc.org", "29463-7", "Body weight")


class StepsBasis(models.TextChoices):
    """How daily steps become damage-equivalent cycles at the policy's reference load."""

    # Default: each step is one load cycle of range body weight x g (a labelled assumption).
    BODY_WEIGHT = "body_weight", "One step is one cycle at the patient's body weight"
    # The clinic sets a number of equivalent cycles per step.
    PER_STEP = "per_step", "A set number of equivalent cycles per step"


class ServicePolicy(Versioned):
    """A clinic's service policy for one kind of connector part. Every number is the clinic's:
    none is published (docs/sources.md#connector-parts). Shown "not validated" until `validated`.
    Edited in place, so versioned (the API's ETag)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="service_policies"
    )
    kind = models.CharField(max_length=20, choices=DeviceKind.choices)
    time_limit_months = models.PositiveIntegerField(null=True, blank=True)
    # Damage-equivalent cycles at `reference_load_n` that end the part's service.
    activity_limit_cycles = models.FloatField(null=True, blank=True)
    reference_load_n = models.FloatField(null=True, blank=True)
    sn_exponent_m = models.FloatField(null=True, blank=True)  # Basquin exponent
    steps_basis = models.CharField(
        max_length=20, choices=StepsBasis.choices, default=StepsBasis.BODY_WEIGHT
    )
    cycles_per_step = models.FloatField(null=True, blank=True)  # with steps_basis per_step
    # The plausibility band of a recording's equivalent cycles per step: a recording outside it
    # is flagged for review and not applied (no published band: the clinic's, not validated).
    cycles_per_step_min = models.FloatField(null=True, blank=True)
    cycles_per_step_max = models.FloatField(null=True, blank=True)
    # A recorded load at or above this asks for an inspection of the part.
    overload_threshold_n = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True)
    validated = models.BooleanField(default=False)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="one_policy_per_kind")
        ]
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} service policy"

    @property
    def label(self) -> str:
        return self.source if self.validated and self.source else "not validated"


class BodyWeight(models.Model):
    """A body-weight observation (LOINC 29463-7), kept here for the steps → cycles conversion so
    that connectors depends on no other clinical app."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="body_weights"
    )
    measured_on = models.DateField()
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["measured_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "measured_on"], name="one_weight_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.weight_kg} kg on {_day(self.measured_on)}"


class ActivityDay(models.Model):
    """One day's step count (local code `daily-steps`: no verified standard code)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="activity_days"
    )
    date = models.DateField()
    steps = models.PositiveIntegerField()
    source = models.CharField(max_length=100, blank=True)  # file name, "api", ...
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "date"], name="one_step_count_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.steps} steps on {_day(self.date)}"


class RecordingStatus(models.TextChoices):
    QUEUED = "queued", "Queued"  # stored, waiting for the worker
    RUNNING = "running", "Processing"  # the worker is counting it
    DONE = "done", "Processed"  # results kept
    REFUSED = "refused", "Refused"  # malformed: nothing kept but the reasons
    FAILED = "failed", "Failed"  # the worker stopped on an unexpected error; staff may retry


class LoadRecording(models.Model):
    """A load-cell recording between implant and prosthesis, counted by the wear engine."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="load_recordings"
    )
    # The limb the load cell was fitted to: its recordings count towards that limb's parts only.
    # Empty only for a recording made before limbs were named, of a patient with several limbs:
    # such a recording counts towards no part.
    limb = models.ForeignKey(
        "patients.ResidualLimb",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="load_recordings",
    )
    recorded_on = models.DateField()
    file = models.FileField(upload_to="recordings/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=200)
    format = models.CharField(max_length=10)  # csv or parquet
    size_bytes = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    channel = models.CharField(max_length=100)  # the axial force column counted
    rate_hz = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=20, blank=True)  # a unit given for the channel
    steps_during = models.PositiveIntegerField(null=True, blank=True)  # as given by the user
    # The parameters the counting used (a copy of the policy's at the time).
    parameters = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=RecordingStatus.choices, default=RecordingStatus.QUEUED
    )
    progress = models.FloatField(default=0.0)  # fraction read, 0..1
    # The last sign of life while queued or processing (queued again, started, progress; before
    # any, submitted_at): stale after settings.OSSEO_RECORDING_STALE_MINUTES without one.
    progress_updated_at = models.DateTimeField(null=True, blank=True)
    problems = models.JSONField(default=list)  # "line N: reason" when refused
    task_id = models.CharField(max_length=64, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "sha256", "channel"], name="one_recording_per_content"
            )
        ]

    def __str__(self) -> str:
        return f"Recording {self.original_name} ({_day(self.recorded_on)})"


class RecordingResult(models.Model):
    """What Osseo keeps of a processed recording: the equivalent cycles, the peak loads with their
    times and the rainflow matrix (a model estimate: see osseo/fatigue/README.md)."""

    recording = models.OneToOneField(LoadRecording, on_delete=models.CASCADE, related_name="result")
    samples = models.BigIntegerField()
    duration_s = models.FloatField()
    cycles = models.FloatField()
    equivalent_cycles = models.FloatField()  # at the reference load, with the exponent m
    damage = models.FloatField(null=True)  # equivalent cycles / the activity limit
    peak_n = models.FloatField(null=True)
    peak_time_s = models.FloatField(null=True)
    largest = models.JSONField(default=list)  # the largest cycles with their times
    matrix = models.JSONField(default=dict)  # rainflow matrix: counts, range_edges, mean_edges
    steps = models.FloatField()  # steps during the recording: given, or estimated
    steps_estimated = models.BooleanField(default=False)
    cycles_per_step = models.FloatField(null=True)  # equivalent cycles per step
    caveat = models.TextField()

    def __str__(self) -> str:
        return f"Result of {self.recording}"


class ForecastBasis(models.TextChoices):
    TIME = "time", "Time limit"
    ACTIVITY = "activity", "Activity limit"
    OVERLOAD = "overload", "Overload: inspection"
    NONE = "none", "No limit set"


class Forecast(models.Model):
    """A part's service forecast, recomputed whenever its inputs change (rules.forecast)."""

    device = models.OneToOneField(
        "surgery.Device", on_delete=models.CASCADE, related_name="forecast"
    )
    due_on = models.DateField(null=True, blank=True)
    basis = models.CharField(max_length=10, choices=ForecastBasis.choices)
    basis_text = models.TextField()
    time_due_on = models.DateField(null=True, blank=True)
    activity_due_on = models.DateField(null=True, blank=True)
    cumulative_cycles = models.FloatField(null=True, blank=True)
    limit_cycles = models.FloatField(null=True, blank=True)
    daily_cycles = models.FloatField(null=True, blank=True)
    daily_steps = models.FloatField(null=True, blank=True)
    inspection = models.TextField(blank=True)  # why an inspection is asked for, if it is
    notes = models.JSONField(default=list)  # assumptions and missing inputs
    policy_validated = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["due_on"])]

    def __str__(self) -> str:
        return f"Forecast for {self.device_id}: {_day(self.due_on)}"


class WorkerHeartbeat(models.Model):
    """A running `osseo worker`'s sign of life (workers.py): written as it starts, then every
    workers.BEAT_SECONDS, deleted as it stops. django-tasks-db records which worker took a task
    (DBTaskResult.worker_ids) but keeps no sign of life (its issue #5), so this row is what tells
    a long task still running from one whose worker died. Operational data: no patient in it."""

    worker_id = models.CharField(max_length=64, unique=True)  # db_worker's --worker-id
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()  # this run of the worker: later than any task it took
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Worker {self.worker_id} (pid {self.pid} on {self.hostname})"


class MaintenanceKind(models.TextChoices):
    """What was done to, or happened to, a limb's connector parts (docs/sources.md#connector-parts:
    store the maintenance and replacement history; the guide: "regular maintenance and
    replacement")."""

    INSPECTION = "inspection", "Inspection"
    CLEANING = "cleaning", "Cleaning"
    TORQUE_CHECK = "torque_check", "Torque check"
    COMPONENTS = "components", "Prosthesis components fitted"
    FALL = "fall", "Fall"
    OVERLOAD = "overload", "Overload event"


class MaintenanceOutcome(models.TextChoices):
    OK = "ok", "In order"  # an inspection or torque check found nothing to do: clears a flag
    ADJUSTED = "adjusted", "Adjusted (re-torqued, refitted)"
    NEEDS_ACTION = "needs_action", "Needs action (replacement or review)"


# Events that raise an inspection flag on the limb's parts until an inspection clears it.
FLAG_EVENTS = frozenset({MaintenanceKind.FALL, MaintenanceKind.OVERLOAD})


class MaintenanceRecord(models.Model):
    """One maintenance act or event on a limb's connector parts; a part exchange is the
    replacement itself (surgery.Device, replace_part), listed beside these."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="maintenance"
    )
    limb = models.ForeignKey(
        "patients.ResidualLimb", on_delete=models.PROTECT, related_name="maintenance"
    )
    device = models.ForeignKey(
        "surgery.Device", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # the part concerned, when one is
    kind = models.CharField(max_length=20, choices=MaintenanceKind.choices)
    performed_on = models.DateField()
    torque_nm = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=MaintenanceOutcome.choices, blank=True)
    # Prosthesis components fitted: [{"kind": "knee"|"foot"|..., "description": "..."}]
    components = models.JSONField(default=list)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-performed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {_day(self.performed_on)}"

    @property
    def components_in_words(self) -> list[str]:
        """Each component fitted as "Safety device: description" (the stored kind is a code)."""
        return [
            f"{str(c.get('kind', '')).replace('_', ' ').capitalize()}: {c.get('description', '')}"
            for c in self.components
        ]
