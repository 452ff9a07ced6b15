"""People and organisations: the clinic, its rehabilitation partners, and who holds which role."""

from __future__ import annotations

import hashlib
import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models

from osseo.contract import Versioned


class Role(models.TextChoices):
    """Role codes, the same in the CLI, the API and the permission table."""

    SURGEON = "surgeon", "Surgeon"  # operates; plans and records procedures
    ANAESTHETIST = "anaesthetist", "Anaesthetist"  # plans and records anaesthesia
    REHAB_SPECIALIST = "rehab_specialist", "Rehabilitation specialist"  # loading, function tests
    PROSTHETIST = "prosthetist", "Prosthetist"  # fits prostheses, services connector parts
    COORDINATOR = "coordinator", "Coordinator"  # runs referrals, triage and scheduling
    CLINIC_ADMIN = "clinic_admin", "Clinic administrator"  # accounts, settings, audit trails
    PATIENT = "patient", "Patient"  # reads their own record only


STAFF_ROLES = frozenset(r for r in Role if r != Role.PATIENT)


class OrganisationKind(models.TextChoices):
    OI_CLINIC = "oi_clinic", "Osseointegration clinic"  # operates and owns the pathway
    REHAB_PARTNER = "rehab_partner", "Rehabilitation partner"  # sees referred patients only


class Organisation(Versioned):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    # How patients and partners reach the organisation: printed on the patient guides, the
    # referral letters and the patient's own pages. All optional; the clinic admin keeps them
    # (update_organisation_contact), validated by osseo/accounts/contact.py.
    telephone = models.CharField(max_length=40, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    address = models.TextField(max_length=500, blank=True, default="")
    out_of_hours = models.CharField(
        "out-of-hours telephone",
        max_length=40,
        blank=True,
        default="",
        help_text="The line to ring when the organisation is closed.",
    )
    # A demonstration centre holds synthetic patients only (`osseo demo --registry N`): no one
    # signs in there, and its implants reach a clinic's registry only as the labelled comparator.
    demonstration = models.BooleanField(
        default=False, help_text="Synthetic demonstration data, kept apart from any clinic's own."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_clinic(self) -> bool:
        return self.kind == OrganisationKind.OI_CLINIC

    @property
    def has_contact_details(self) -> bool:
        return any((self.telephone, self.email, self.address, self.out_of_hours))

    @property
    def contact_text(self) -> str:
        """The contact details as plain-text lines, for e-mails."""
        from .contact import contact_lines

        return contact_lines(self)

    @property
    def telephone_uri(self) -> str:
        from .contact import telephone_uri

        return telephone_uri(self.telephone)

    @property
    def out_of_hours_uri(self) -> str:
        from .contact import telephone_uri

        return telephone_uri(self.out_of_hours)


class Partnership(models.Model):
    """A rehabilitation partner the clinic works with: referrals go only to these (issue 19).
    Ending one stops new referrals; those already made go on until each is withdrawn."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="partnerships")
    partner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    since = models.DateTimeField()
    # Empty when the operator set it up (the demo, the command line).
    added_by = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "partner"],
                condition=models.Q(ended_at__isnull=True),
                name="one_active_partnership",
            )
        ]

    def __str__(self) -> str:
        return f"{self.clinic.slug} → {self.partner.slug}"

    @property
    def active(self) -> bool:
        return self.ended_at is None


class User(AbstractUser):
    """Osseo's user; every account belongs to one organisation through its membership."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Set when a clinic administrator issues the password (a new account, a reset): the user
    # changes it before doing anything else (osseo/accounts/passwords.py).
    must_change_password = models.BooleanField(default=False)
    # When the user last chose their password; the clinic's expiry counts from it (empty: from
    # the day the account was made).
    password_changed_at = models.DateTimeField(null=True, blank=True)

    @property
    def role(self) -> str | None:
        membership = getattr(self, "membership", None)
        return membership.role if membership else None


class Membership(models.Model):
    """Which organisation a user works for and in which role (one per account)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    # The patient record a `patient` account reads; empty for staff.
    patient = models.OneToOneField(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role="patient", patient__isnull=False))
                | (~models.Q(role="patient") & models.Q(patient__isnull=True)),
                name="membership_patient_iff_patient_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.username} ({self.role} at {self.organisation.slug})"


class ApiToken(models.Model):
    """A bearer token for an API client; only its SHA-256 digest is stored. Its owner lists and
    revokes it by its public id; expired ones are removed (`osseo tokens purge`, and the
    owner's own whenever a new one is issued)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"API token of {self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class ClinicSetting(Versioned):
    """A number the literature does not fix, set by the clinic (docs/sources.md#design-rules).

    Each value carries its source, or is shown as "not validated"; who set it and when is kept
    (and audited). Definitions and defaults live in `clinic_settings.py`. The default is
    version 1: the row is made at version 2, by the clinic's first change.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="settings"
    )
    key = models.CharField(max_length=60)
    value = models.JSONField()
    source = models.CharField(max_length=300, blank=True)
    validated = models.BooleanField(default=False)
    set_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="one_value_per_setting")
        ]

    def __str__(self) -> str:
        return f"{self.organisation.slug}.{self.key}"


class SignInCounter(models.Model):
    """Sign-in attempts counted per account and per client address in a fixed window (the
    lockout, `osseo/accounts/lockout.py`). In the database so that every server process shares
    them; a row is locked while it is counted, so concurrent guesses cannot slip past the limit."""

    key = models.CharField(max_length=200, unique=True)  # "account:<username>", "address:<ip>"
    count = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key}: {self.count} since {self.window_start:%H:%M}"
