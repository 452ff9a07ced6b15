"""Loading protocols (as data), rehab plans, daily load logs, function tests and follow-up visits.

Design rules (docs/sources.md#design-rules): rehab owns LoadingProtocol (+ phases), RehabPlan,
LoadLog, FunctionTest, FollowUp. The clinical numbers live in rows (see migrations/0002 for the
shipped Radboud programmes and their source), never in code.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models

from osseo.charts import day_text as _day
from osseo.contract import Versioned


class WalkingAid(models.TextChoices):
    """The aid a patient walked or stood with on a logged day."""

    NONE = "none", "None"
    PARALLEL_BARS = "parallel_bars", "Parallel bars"
    FRAME = "frame", "Walking frame"
    TWO_CRUTCHES = "two_crutches", "Two crutches"
    ONE_CRUTCH = "one_crutch", "One crutch"
    STICK = "stick", "Stick"


class Measure(models.TextChoices):
    """What a loading programme prescribes and a day's log records. Axial load on a scale is the
    lower-limb programmes' measure (docs/sources.md#radboud-loading); an upper-limb or
    head-and-neck programme is the clinic's own and may prescribe load, daily wear time or daily
    loading time instead (docs/sources.md#rehab-protocols): not validated."""

    LOAD = "load", "Load on the limb (kg)"
    WEAR_HOURS = "wear_hours", "Prosthesis wear (hours a day)"
    MINUTES = "minutes", "Loading exercise (minutes a day)"


class LoadingProtocol(Versioned):
    """A loading programme: ordered phases of target load. `organisation` empty = shipped reference
    (read-only; a clinic copies it to edit); otherwise the organisation's own. Versioned: a change
    of its phases raises the version too (the API's ETag)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loading_protocols",
    )
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=500, blank=True)  # "" = no published source
    notes = models.TextField(blank=True)
    # The implant sites (patients.Site codes) it applies to; a plan for another site is refused.
    # [] = not named yet: no plan until the clinic names them (osseo/patients/sites.py).
    sites = models.JSONField(default=list)
    measure = models.CharField(max_length=12, choices=Measure.choices, default=Measure.LOAD)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_reference(self) -> bool:
        return self.organisation_id is None

    @property
    def validated(self) -> bool:
        phases = list(self.phases.all())
        return bool(phases) and all(p.validated for p in phases)


class ProtocolPhase(models.Model):
    """One phase: days `start_day`..`end_day` (day 1 = the plan's start date), a target load in
    % body weight or in kg, the session dose, whether a walking aid is allowed, and a pain gate
    (advance only while the pain NRS stays below it)."""

    protocol = models.ForeignKey(LoadingProtocol, on_delete=models.CASCADE, related_name="phases")
    start_day = models.PositiveIntegerField()
    end_day = models.PositiveIntegerField()
    target_percent_body_weight = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True
    )
    target_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    sessions_per_day = models.PositiveSmallIntegerField(null=True, blank=True)
    minutes_per_session = models.PositiveSmallIntegerField(null=True, blank=True)
    walking_aid = models.BooleanField(default=True)  # a walking aid is allowed in this phase
    pain_gate_nrs = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.CharField(max_length=500, blank=True)
    validated = models.BooleanField(default=False)  # the numbers match the cited source
    # A ramp: the target is a ceiling reached progressively, from an optional floor (rules.py).
    ramp = models.BooleanField(default=False)
    floor_percent_body_weight = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True
    )
    floor_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    # The target (and a ramp's floor) of a programme in wear hours or minutes a day.
    target_amount = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    floor_amount = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["start_day", "end_day", "id"]

    def __str__(self) -> str:
        return f"Days {self.start_day}-{self.end_day}"


class RehabPlan(models.Model):
    """A patient's loading plan. The protocol's phases are copied in when the plan is made, so a
    later edit of the protocol never rewrites a prescription already given."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="rehab_plans"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # The treated limb: its site must be one the protocol applies to; one active plan per limb.
    limb = models.ForeignKey(
        "patients.ResidualLimb",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rehab_plans",
    )
    protocol = models.ForeignKey(LoadingProtocol, on_delete=models.PROTECT, related_name="plans")
    protocol_name = models.CharField(max_length=200)
    protocol_source = models.CharField(max_length=500, blank=True)
    phases = models.JSONField(default=list)  # the protocol's phases when the plan was made
    measure = models.CharField(max_length=12, choices=Measure.choices, default=Measure.LOAD)
    start_date = models.DateField()  # day 1
    # Needed when a phase is in % body weight; a programme in kg, hours or minutes needs none.
    body_weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return f"{self.protocol_name} from {_day(self.start_date)}"

    @property
    def unit(self) -> str:
        from .rules import MEASURE_UNITS

        return MEASURE_UNITS[self.measure]


class LoadLog(models.Model):
    """One day's loading, logged by the rehab team or the patient, with the flags it raised."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(RehabPlan, on_delete=models.PROTECT, related_name="logs")
    date = models.DateField()
    # The day's amount in the plan's measure: load (kg), wear hours or minutes; the load is
    # empty in a programme of another measure.
    applied_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    pain_nrs = models.PositiveSmallIntegerField()
    walking_aid = models.CharField(max_length=20, choices=WalkingAid.choices, blank=True)
    wear_hours = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    # What was prescribed that day (in the plan's measure; the kg of a load programme also in
    # prescribed_kg) and the flags raised, with the thresholds in force then.
    prescribed_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    prescribed_amount = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    flags = models.JSONField(default=list)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "date"], name="one_log_per_day")]

    def __str__(self) -> str:
        amount = self.amount
        return f"{_day(self.date)}: {'-' if amount is None else amount} {self.plan.unit}"

    @property
    def amount(self) -> Decimal | None:
        """The day's amount in its plan's measure."""
        measure = self.plan.measure
        if measure == Measure.WEAR_HOURS:
            return self.wear_hours
        if measure == Measure.MINUTES:
            return None if self.minutes is None else Decimal(self.minutes)
        return self.applied_kg


class FunctionTestKind(models.TextChoices):
    SIX_MINUTE_WALK = "six_minute_walk", "6-minute walk test"  # metres
    TIMED_UP_AND_GO = "timed_up_and_go", "Timed up-and-go"  # seconds
    AMP_PRO = "amp_pro", "AMP score, with prosthesis (AMPPRO)"
    AMP_NOPRO = "amp_nopro", "AMP score, without prosthesis (AMPnoPRO)"
    K_LEVEL = "k_level", "K-level (K0-K4)"
    WEAR_HOURS = "wear_hours", "Daily prosthesis wear"  # hours per day


class FunctionTest(models.Model):
    """A function test result (FHIR Observation); coded per rules.FUNCTION_TESTS."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="function_tests"
    )
    kind = models.CharField(max_length=20, choices=FunctionTestKind.choices)
    performed_on = models.DateField()
    value = models.DecimalField(max_digits=6, decimal_places=1)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["performed_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value} on {_day(self.performed_on)}"


class FollowUp(models.Model):
    """A follow-up visit held, against the scheduled date it satisfies."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="follow_ups"
    )
    episode = models.ForeignKey("pathway.Episode", on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    done_on = models.DateField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "due_date"], name="one_visit_per_due_date")
        ]

    def __str__(self) -> str:
        return f"Follow-up due {_day(self.due_date)}, held {_day(self.done_on)}"


def sheet_path(instance: InformationSheet, filename: str) -> str:
    return f"information-sheets/{instance.uuid}.pdf"  # never the uploaded name


class InformationSheet(models.Model):
    """A clinic-authored information sheet (PDF) handed to the partner with the referral letter."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="information_sheets"
    )
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=sheet_path, max_length=200)
    size_bytes = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title
