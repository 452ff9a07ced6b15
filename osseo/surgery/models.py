"""Eligibility assessment, surgical plan, procedures with their operative records, and devices.

Names follow FHIR where they fit (`Procedure`, `Device`); see docs/sources.md#design-rules.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from osseo.charts import day_text as _day
from osseo.contract import Versioned


class Fixation(models.TextChoices):
    """How the bone-anchor is held in the bone (docs/sources.md#implant-fixation)."""

    PRESS_FIT = "press_fit", "Press-fit"
    THREADED = "threaded", "Threaded (screw)"


class DeviceKind(models.TextChoices):
    """Every physical part placed in or on the patient is a Device
    (docs/sources.md#design-rules)."""

    IMPLANT = "implant", "Bone-anchor implant"
    DUALCONE = "dualcone", "Dualcone adaptor"
    ABUTMENT = "abutment", "Abutment"
    ABUTMENT_SCREW = "abutment_screw", "Abutment screw"
    SAFETY_DEVICE = "safety_device", "Safety device"
    ADAPTOR = "adaptor", "Adaptor"


class ImplantSystemCode(models.TextChoices):
    """The implant systems Osseo knows; their parts and sources are in systems.py
    (docs/sources.md#implant-components)."""

    CLINIC_PRESS_FIT = "clinic_press_fit", "The clinic's press-fit bone-anchor with a dualcone"
    OPRA = "opra", "OPRA (threaded fixture, abutment and abutment screw)"
    OPL = "opl", "OPL (press-fit, dual-cone adaptor)"
    CRANIOFACIAL = "craniofacial_abutment", "Craniofacial implant with an abutment (epithesis)"


CONNECTOR_KINDS = frozenset(k for k in DeviceKind if k != DeviceKind.IMPLANT)


class ImplantCatalogueItem(models.Model):
    """A part the clinic can use (admin-editable). Ships with generic demo entries only."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="catalogue"
    )
    kind = models.CharField(max_length=20, choices=DeviceKind.choices, default=DeviceKind.IMPLANT)
    manufacturer = models.CharField(max_length=120)
    model = models.CharField("model / reference", max_length=120)
    gtin = models.CharField("GTIN", max_length=14, blank=True)
    site = models.CharField(max_length=20, blank=True)  # a patients.Site code; blank for connectors
    # For implants: the implant system (systems.py), which says what parts go through the skin.
    system = models.CharField(max_length=30, choices=ImplantSystemCode.choices, blank=True)
    fixation = models.CharField(max_length=20, choices=Fixation.choices, blank=True)
    diameter_mm = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    length_mm = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "site", "diameter_mm", "length_mm"]

    def __str__(self) -> str:
        size = ""
        if self.diameter_mm is not None and self.length_mm is not None:
            size = f" Ø{self.diameter_mm} x {self.length_mm} mm"
        return f"{self.manufacturer} {self.model}{size}"

    @property
    def site_label(self) -> str:
        """The site's label ("Tibia (transtibial)"); "" for a part with no site."""
        from osseo.patients.models import Site

        return Site(self.site).label if self.site in Site.values else self.site


class Indication(models.TextChoices):
    """Why the patient seeks OI: problems with the socket (guide; docs/sources.md#eligibility)."""

    PAIN = "pain", "Socket pain"
    SKIN = "skin_breakdown", "Skin breakdown"
    FIT = "poor_fit", "Poor socket fit"
    SHORT = "short_residuum", "Short residuum"
    OTHER = "other", "Other"


class Decision(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    DEFER = "defer", "Defer"


class Assessment(models.Model):
    """The MDT's eligibility assessment of one limb (episode phase "assessment")."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey(
        "pathway.Episode", on_delete=models.PROTECT, related_name="assessments"
    )
    assessed_on = models.DateField()
    indications = models.JSONField(default=list)  # Indication codes
    indication_notes = models.TextField(blank=True)
    prior_socket_use = models.BooleanField(null=True)  # current or past socket use
    # Months of attempted prosthetic rehabilitation (ITAP required at least 6,
    # docs/sources.md#eligibility).
    prosthetic_rehab_months = models.PositiveSmallIntegerField(null=True, blank=True)
    dysvascular = models.BooleanField(default=False)  # dysvascular / peripheral vascular disease
    diabetes = models.BooleanField(default=False)
    smoking = models.CharField(max_length=10, blank=True)  # never / former / current
    short_or_poor_bone = models.BooleanField(default=False)
    active_infection = models.BooleanField(default=False)
    expectations_discussed = models.BooleanField(default=False)
    imaging_modality = models.CharField(max_length=10, blank=True)  # xray / ct / mri
    canal_diameter_mm = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    usable_length_mm = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    flags = models.JSONField(default=list)  # the rule flags shown when the MDT decided
    decision = models.CharField(max_length=20, choices=Decision.choices)
    decision_reason = models.TextField(blank=True)
    funding_route = models.CharField(max_length=10, blank=True)
    # The surgeon who took part and made the decision (NICE IPG270 via
    # docs/sources.md#nice-ipg270), not necessarily who recorded it.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"Assessment {_day(self.assessed_on)}: {self.get_decision_display()}"


class AssessmentParticipant(models.Model):
    """One person at the MDT: a user of the clinic (or its partner), or a named outside
    professional with their organisation; each with the discipline they took part in."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200, blank=True)  # an outside professional's name
    organisation = models.CharField(max_length=200, blank=True)  # an outside professional's
    discipline = models.CharField(max_length=40)  # accounts.disciplines.Discipline

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        who = self.user.get_full_name() or self.user.username if self.user else self.name
        from osseo.accounts.disciplines import Discipline

        known = self.discipline in Discipline.values
        return f"{who} ({Discipline(self.discipline).label if known else self.discipline})"


class Strategy(models.TextChoices):
    SINGLE_STAGE = "single_stage", "Single-stage"
    STAGED = "staged", "Staged"


class SurgicalPlan(Versioned):
    """The plan for one episode: staging, anaesthesia, implant (episode phase "planning").
    Versioned: edited after it is made, by the surgeon and agreed by the anaesthetist."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey("pathway.Episode", on_delete=models.PROTECT, related_name="plans")
    strategy = models.CharField(max_length=20, choices=Strategy.choices)
    strategy_reason = models.TextField(blank=True)  # needed when it departs from the rule
    anaesthesia = models.CharField(max_length=30)
    anaesthesia_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    anaesthesia_agreed_at = models.DateTimeField(null=True, blank=True)
    implant = models.ForeignKey(
        ImplantCatalogueItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fixation = models.CharField(max_length=20, choices=Fixation.choices)
    planned_date = models.DateField(null=True, blank=True)
    # The stage window in force when planned (a clinic setting): e.g. 4 to 6 months.
    window_min = models.PositiveIntegerField(null=True, blank=True)
    window_max = models.PositiveIntegerField(null=True, blank=True)
    window_unit = models.CharField(max_length=10, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_strategy_display()} plan"

    @property
    def anaesthesia_label(self) -> str:
        """The planned anaesthesia in words (rules.ANAESTHESIA_LABELS), as it is agreed."""
        from .rules import ANAESTHESIA_LABELS

        return ANAESTHESIA_LABELS.get(self.anaesthesia, self.anaesthesia)


class PlannedStage(models.Model):
    plan = models.ForeignKey(SurgicalPlan, on_delete=models.CASCADE, related_name="stages")
    number = models.PositiveSmallIntegerField()
    planned_date = models.DateField(null=True, blank=True)
    outside_window_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="stage_number_once")]

    def __str__(self) -> str:
        return f"Stage {self.number}"


class ProcedureKind(models.TextChoices):
    """Every operation is a Procedure, whoever records it (docs/sources.md#design-rules)."""

    SINGLE_STAGE = "single_stage", "Single-stage implantation"
    STAGE_1 = "stage_1", "Stage 1 (implant)"
    STAGE_2 = "stage_2", "Stage 2 (stoma and dualcone)"
    STAGE_N = "stage_n", "Further stage"
    REVISION = "revision", "Revision"
    EXPLANTATION = "explantation", "Explantation"
    DEBRIDEMENT = "debridement", "Debridement"
    SOFT_TISSUE = "soft_tissue_refashioning", "Soft-tissue refashioning"


IMPLANTATION_KINDS = frozenset(
    {
        ProcedureKind.SINGLE_STAGE,
        ProcedureKind.STAGE_1,
        ProcedureKind.STAGE_2,
        ProcedureKind.STAGE_N,
    }
)


class RecordStatus(models.TextChoices):
    DRAFT = "draft", "Draft"  # being written; editable
    SIGNED = "signed", "Signed"  # read-only; changes are amendments (new versions)


class DeviceStatus(models.TextChoices):
    """A device's state follows the signed operative records (one lifecycle, owned here)."""

    RECORDED = "recorded", "Recorded on a draft record"  # in place once its record is signed
    IN_PLACE = "in_place", "In place"  # placed by a signed record (or fitted as a connector)
    REMOVED = "removed", "Removed"  # by a signed explantation, exchange or connector replacement


class RemovalReason(models.TextChoices):
    ROUTINE = "routine", "Routine replacement"
    WEAR = "wear", "Wear"
    BENT = "bent", "Bent"
    FRACTURE = "fracture", "Fracture"
    FALL = "fall", "Fall"
    INFECTION = "infection", "Infection"
    LOOSENING = "loosening", "Aseptic loosening"
    BREAKAGE = "breakage", "Implant breakage"
    EXPLANTATION = "explantation", "Explantation"
    REVISION = "revision", "Exchanged in a revision"
    OTHER = "other", "Other"


class Procedure(Versioned):
    """One operation and its operative record. Versioned: the draft record (saved by PUT), the
    devices placed, signing and amendments each raise the version (the API's ETag)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey(
        "pathway.Episode", on_delete=models.PROTECT, related_name="procedures"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="procedures"
    )
    limb = models.ForeignKey(
        "patients.ResidualLimb", on_delete=models.PROTECT, related_name="procedures"
    )
    kind = models.CharField(max_length=30, choices=ProcedureKind.choices)
    stage_number = models.PositiveSmallIntegerField(null=True, blank=True)
    final_stage = models.BooleanField(
        default=True
    )  # places the dualcone (single-stage, last stage)
    performed_on = models.DateField()
    # Why parts come out in this operation (an explantation's or revision's reason): the removal
    # reason its signing gives the devices it removes; blank takes the kind's own.
    indication = models.CharField(max_length=20, choices=RemovalReason.choices, blank=True)
    # The agreed plan's anaesthesia when the operation was recorded: the record's "anaesthesia
    # given" is compared with it (a difference needs a reason, issue 17).
    planned_anaesthesia = models.CharField(max_length=30, blank=True)
    surgeon = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=RecordStatus.choices, default=RecordStatus.DRAFT
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["performed_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {_day(self.performed_on)}"

    @property
    def is_implantation(self) -> bool:
        return self.kind in IMPLANTATION_KINDS

    @property
    def current(self) -> OperativeRecordVersion | None:
        return self.versions.order_by("-number").first()

    @property
    def anaesthesia_check(self) -> dict[str, str | bool]:
        """The anaesthesia given against the agreed plan's, for the record and the anaesthetist
        (issue 17): labels, whether they differ, and the recorded reason."""
        from .rules import ANAESTHESIA_LABELS

        current = self.current
        step = (current.data if current else {}).get("anaesthesia", {})
        given, planned = str(step.get("given") or ""), self.planned_anaesthesia
        return {
            "planned": ANAESTHESIA_LABELS.get(planned, planned),
            "given": ANAESTHESIA_LABELS.get(given, given),
            "differs": bool(given and planned and given != planned),
            "reason": str(step.get("difference_reason") or ""),
        }


class OperativeRecordVersion(models.Model):
    """One version of the structured operative record; versions after signing are amendments."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField(default=dict)  # the guide's steps, see operative.py
    amendment_reason = models.TextField(blank=True)
    # The devices the amendment corrected (lifecycle.correct_device), in record_diff's shape:
    # [{"field": "device.<uuid>.lot", "label", "before", "after"}].
    device_changes = models.JSONField(default=list, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="record_version_once")
        ]

    def __str__(self) -> str:
        return f"version {self.number}"


class Device(models.Model):
    """A physical part placed in or on the patient (FHIR Device), with its UDI."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="devices"
    )
    limb = models.ForeignKey(
        "patients.ResidualLimb", on_delete=models.PROTECT, related_name="devices"
    )
    kind = models.CharField(max_length=20, choices=DeviceKind.choices)
    catalogue_item = models.ForeignKey(
        ImplantCatalogueItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(max_length=200, blank=True)
    gtin = models.CharField("GTIN", max_length=14, blank=True)
    lot = models.CharField(max_length=20, blank=True)
    serial = models.CharField(max_length=20, blank=True)
    expiry = models.DateField(null=True, blank=True)
    production_date = models.DateField(null=True, blank=True)
    size = models.CharField(max_length=60, blank=True)
    # For implants: the fixation as recorded when the operative record was signed (the registry
    # stratifies by it), else the catalogue's.
    fixation = models.CharField(max_length=20, choices=Fixation.choices, blank=True)
    udi_carrier = models.CharField("UDI as scanned", max_length=200, blank=True)
    # The UDI's issuer and device identifier as issued: GS1 (the GTIN) or HIBCC (labeler,
    # product and unit of measure), FHIR Device.udiCarrier.issuer/deviceIdentifier.
    udi_issuer = models.CharField(
        max_length=10, choices=[("gs1", "GS1"), ("hibcc", "HIBCC")], blank=True
    )
    udi_di = models.CharField("UDI device identifier", max_length=30, blank=True)
    # An HIBCC secondary label's quantity (its "8QQ" or "9QQQQQ" field): the units in the
    # package the label was on; empty when the label gives none.
    udi_quantity = models.PositiveIntegerField("UDI quantity", null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=DeviceStatus.choices, default=DeviceStatus.IN_PLACE
    )
    placed_on = models.DateField()
    placed_by = models.ForeignKey(
        Procedure, null=True, blank=True, on_delete=models.PROTECT, related_name="devices_placed"
    )
    removed_on = models.DateField(null=True, blank=True)
    removal_reason = models.CharField(max_length=20, choices=RemovalReason.choices, blank=True)
    removed_by = models.ForeignKey(
        Procedure, null=True, blank=True, on_delete=models.PROTECT, related_name="devices_removed"
    )
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces"
    )
    expired_use_confirmed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["placed_on", "id"]
        indexes = [models.Index(fields=["gtin", "lot"]), models.Index(fields=["lot"])]
        constraints = [
            # At most one bone-anchored implant in place per limb: an exchange removes the old
            # one as the new one is placed (issue 18).
            models.UniqueConstraint(
                fields=["limb"],
                condition=models.Q(kind="implant", status="in_place"),
                name="one_implant_in_place_per_limb",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.gtin} lot {self.lot or '—'}"
