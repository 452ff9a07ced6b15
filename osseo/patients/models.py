"""Patients, their residual limbs, and the organisations that care for them."""

from __future__ import annotations

import uuid

from django.db import models

from osseo.contract import Versioned


class Sex(models.TextChoices):
    """FHIR AdministrativeGender codes."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class FundingRoute(models.TextChoices):
    NHS = "nhs", "NHS"  # NHS-commissioned
    PRIVATE = "private", "Private (self-funded)"
    INSURER = "insurer", "Insurer"
    RESEARCH = "research", "Research study"


class Site(models.TextChoices):
    """Where the bone-anchor goes; `craniofacial` covers head and neck (ear, orbit, nose, jaw)."""

    FEMUR = "femur", "Femur (transfemoral)"
    TIBIA = "tibia", "Tibia (transtibial)"
    HUMERUS = "humerus", "Humerus (transhumeral)"
    RADIUS_ULNA = "radius_ulna", "Radius and ulna (transradial)"
    HAND = "hand", "Hand (digit or metacarpal)"
    CRANIOFACIAL = "craniofacial", "Head and neck (craniofacial)"


LOWER_LIMB_SITES = frozenset({Site.FEMUR, Site.TIBIA})
UPPER_LIMB_SITES = frozenset({Site.HUMERUS, Site.RADIUS_ULNA, Site.HAND})


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    NOT_APPLICABLE = "not_applicable", "Not applicable"  # midline craniofacial sites only


class Cause(models.TextChoices):
    TRAUMA = "trauma", "Trauma"
    TUMOUR = "tumour", "Tumour"
    VASCULAR = "vascular", "Vascular disease"
    INFECTION = "infection", "Infection"
    CONGENITAL = "congenital", "Congenital"
    OTHER = "other", "Other"


class Patient(Versioned):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    birth_date = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    nhs_number = models.CharField(max_length=10, blank=True, default="")
    record_number = models.CharField("local record number", max_length=40, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")
    address = models.TextField(blank=True, default="")
    funding_route = models.CharField(max_length=10, choices=FundingRoute.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"],
                condition=~models.Q(nhs_number=""),
                name="patient_nhs_number_unique",
            )
        ]
        indexes = [models.Index(fields=["family_name", "given_name"])]

    def __str__(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name}"

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def nhs_number_display(self) -> str:
        n = self.nhs_number
        return f"{n[:3]} {n[3:6]} {n[6:]}" if len(n) == 10 else n


class ResidualLimb(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="limbs")
    site = models.CharField(max_length=20, choices=Site.choices)
    side = models.CharField(max_length=20, choices=Side.choices)
    # For craniofacial sites: the date of loss or resection, optional.
    amputation_date = models.DateField(null=True, blank=True)
    cause = models.CharField(max_length=20, choices=Cause.choices)
    notes = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        side = "" if self.side == Side.NOT_APPLICABLE else f"{self.get_side_display()} "
        return f"{side}{self.get_site_display()}"

    @property
    def has_open_episode(self) -> bool:
        """Whether an episode of this limb is still open (uses prefetched episodes)."""
        return any(e.phase not in ("closed", "declined") for e in self.episodes.all())


class CareTeam(models.Model):
    """An organisation caring for a patient, from `since` (and until `until`, when it ends)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="care_teams")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="care_teams"
    )
    since = models.DateTimeField()
    until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "until"])]

    def __str__(self) -> str:
        return f"{self.organisation_id} cares for {self.patient_id}"


class Referral(models.Model):
    """A hand-off to a rehabilitation partner: it opens the partner's CareTeam row, and
    withdrawing it closes that row (so `patients_for()` stays the single scope).

    Its actions live in osseo/rehab/actions.py (they need the surgery app's signed record).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="referrals")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="referrals_received"
    )
    care_team = models.OneToOneField(CareTeam, on_delete=models.PROTECT, related_name="referral")
    # The loading protocol the clinic asks the partner to follow (optional).
    protocol = models.ForeignKey(
        "rehab.LoadingProtocol",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    note = models.TextField(blank=True, default="")
    referred_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="referrals_made"
    )
    referred_at = models.DateTimeField()
    withdrawn_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-referred_at", "-id"]

    def __str__(self) -> str:
        return f"Referral of {self.patient_id} to {self.organisation_id}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None
