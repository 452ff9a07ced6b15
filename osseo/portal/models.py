"""Public enquiries ("contact us to find out more"), their triage, and each clinic's rules."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from osseo.contract import Versioned
from osseo.patients.models import Cause, Side, Site


class EnquiryStatus(models.TextChoices):
    """Where an enquiry is in the coordinator's triage (the moves are in `triage.py`)."""

    NEW = "new", "New"  # received, nobody has acted on it yet
    CONTACTED = "contacted", "Contacted"  # a coordinator has been in touch with the enquirer
    CONVERTED = "converted", "Converted"  # became a patient and a referral episode (kept)
    CLOSED = "closed", "Closed"  # not taken further; the reason is recorded


class EnquirySource(models.TextChoices):
    WEB = "web", "Public web form"  # the page at /enquire/<clinic>/
    API = "api", "API"  # POST /api/v1/enquiries


class Enquiry(Versioned):
    """One public enquiry to one clinic. Unconverted enquiries are purged after the clinic's
    retention period (`osseo purge-enquiries`); so audit entries about them carry no personal data.
    Its version rises with every triage step (status, note, conversion): the API's ETag.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="enquiries"
    )
    source = models.CharField(max_length=10, choices=EnquirySource.choices)
    received_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=EnquiryStatus.choices, default=EnquiryStatus.NEW
    )
    status_changed_at = models.DateTimeField()
    close_reason = models.TextField(blank=True, default="")
    # What the enquirer told us.
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")
    site = models.CharField(max_length=20, choices=Site.choices)
    side = models.CharField(max_length=20, choices=Side.choices)
    amputation_year = models.PositiveSmallIntegerField(null=True, blank=True)
    cause = models.CharField(max_length=20, choices=Cause.choices, blank=True, default="")
    prosthesis_problems = models.TextField(blank=True, default="")
    heard_from = models.CharField(max_length=200, blank=True, default="")
    message = models.TextField(blank=True, default="")
    consented_at = models.DateTimeField()  # consent to be contacted and to the stated retention
    retention_days = models.PositiveIntegerField()  # the period stated when they consented
    # What it became.
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enquiries",
    )
    episode = models.ForeignKey(
        "pathway.Episode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enquiries",
    )
    converted_at = models.DateTimeField(null=True, blank=True)
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status", "received_at"]),
        ]
        verbose_name_plural = "enquiries"

    def __str__(self) -> str:
        return f"Enquiry {self.uuid} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in (EnquiryStatus.NEW, EnquiryStatus.CONTACTED)


class EnquiryNote(models.Model):
    """A coordinator's note on an enquiry; deleted with it when it is purged."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    text = models.TextField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Note {self.uuid} on {self.enquiry_id}"


class EnquirySettings(Versioned):
    """One clinic's rules for its enquiries (one row per organisation, made on first change).

    The retention period is the clinic's own decision (data minimisation, UK GDPR Art. 5(1)(e)):
    no source fixes it, so until a clinic admin marks it validated every screen shows it as
    "not validated". Without a row, `settings.OSSEO_ENQUIRY_RETENTION_DAYS` applies, not validated.
    The defaults are version 1: the row is made at version 2, by the first change.
    """

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="enquiry_settings"
    )
    retention_days = models.PositiveIntegerField()  # days after receipt; unconverted only
    validated = models.BooleanField(default=False)  # the clinic's governance approved the period
    basis = models.CharField(max_length=300, blank=True, default="")  # e.g. "IG committee, 2026-03"
    notify_email = models.EmailField(blank=True, default="")  # else OSSEO_CLINIC_NOTIFY_EMAIL
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "enquiry settings"

    def __str__(self) -> str:
        return f"Enquiry settings of {self.organisation_id}"
