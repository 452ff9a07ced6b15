from __future__ import annotations

from typing import Any

from django import forms
from django.utils.safestring import mark_safe

from osseo.editing import VersionedForm
from osseo.patients.forms import DateInput
from osseo.typed import SchemaForm

from .actions import COMPONENT_KINDS, REPLACEMENT_REASONS
from .models import MaintenanceKind, MaintenanceOutcome, StepsBasis
from .schemas import MaintenanceIn, PolicyIn, RecordingIn, ReplacementIn, WeightIn


class ReplaceForm(SchemaForm):
    schema = ReplacementIn

    replaced_on = forms.DateField(label="Date of the replacement", widget=DateInput)
    reason = forms.ChoiceField(
        choices=[(r.value, r.label) for r in REPLACEMENT_REASONS], label="Why the old part came off"
    )
    code = forms.CharField(
        required=False,
        max_length=200,
        label="Scan the new part's label (GS1 DataMatrix or printed code)",
        help_text="Or type the GTIN, lot and serial below.",
    )
    gtin = forms.CharField(required=False, max_length=14, label="GTIN")
    lot = forms.CharField(required=False, max_length=20)
    serial = forms.CharField(required=False, max_length=20)
    expiry = forms.DateField(required=False, widget=DateInput)
    confirm_expired = forms.BooleanField(
        required=False, label="I confirm this expired part was fitted"
    )


class StepsForm(forms.Form):
    steps_file = forms.FileField(
        label="Daily steps file (CSV)",
        help_text=mark_safe(
            "A header line <code>date,steps</code>, then one day a line, the date written "
            "year-month-day, e.g. <code>2026-03-01,8412</code>. At most 10 MB."
        ),
    )


class WeightForm(SchemaForm):
    schema = WeightIn

    measured_on = forms.DateField(label="Weighed on", widget=DateInput)
    weight_kg = forms.DecimalField(
        label="Body weight (kg)", min_value=10, max_value=400, decimal_places=1
    )


class RecordingForm(SchemaForm):
    schema = RecordingIn

    recording_file = forms.FileField(label="Load recording (CSV or Parquet)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["recording_file"].help_text = (
            f"At most {settings.OSSEO_RECORDING_MAX_MB:,} MB; a larger file is refused "
            "before it is sent on."
        )

    recorded_on = forms.DateField(label="Recorded on", widget=DateInput)
    limb = forms.ChoiceField(
        label="Limb the load cell was fitted to",
        required=False,
        help_text="The recording counts towards this limb's parts only.",
    )
    channel = forms.CharField(
        required=False,
        max_length=100,
        label="Axial force column",
        help_text="Leave empty when the file has one force column (unit N or kN).",
    )
    rate_hz = forms.FloatField(
        required=False,
        min_value=0.001,
        max_value=100000,
        label="Sample rate (Hz)",
        help_text="Only when the file has no time column.",
    )
    unit = forms.CharField(
        required=False, max_length=20, label="Unit of the force column, if not in its header"
    )
    steps_during = forms.IntegerField(
        required=False,
        min_value=1,
        label="Steps taken during the recording",
        help_text="If empty, estimated from the large load cycles.",
    )


class PolicyForm(SchemaForm):
    schema = PolicyIn

    time_limit_months = forms.IntegerField(
        required=False, min_value=1, max_value=240, label="Time limit (months)"
    )
    activity_limit_cycles = forms.FloatField(
        required=False,
        min_value=1,
        label="Activity limit (damage-equivalent cycles at the reference load)",
    )
    reference_load_n = forms.FloatField(required=False, min_value=1, label="Reference load (N)")
    sn_exponent_m = forms.FloatField(
        required=False, min_value=0.1, max_value=30, label="S-N exponent m (Basquin)"
    )
    steps_basis = forms.ChoiceField(choices=StepsBasis.choices, label="How steps become cycles")
    cycles_per_step = forms.FloatField(
        required=False, min_value=0.000001, label="Equivalent cycles per step (if set per step)"
    )
    cycles_per_step_min = forms.FloatField(
        required=False,
        min_value=0.000001,
        label="A recording is plausible from (equivalent cycles per step)",
    )
    cycles_per_step_max = forms.FloatField(
        required=False, min_value=0.000001, label="up to (equivalent cycles per step)"
    )
    overload_threshold_n = forms.FloatField(
        required=False, min_value=1, label="Overload threshold for an inspection (N)"
    )
    source = forms.CharField(
        required=False, max_length=300, label="Source (a validation or local study)"
    )
    validated = forms.BooleanField(required=False, label="The clinic has validated this policy")


class PolicyEditForm(PolicyForm, VersionedForm):
    """A policy already set, as opened: a save writes only what this user changed."""


class MaintenanceForm(SchemaForm):
    schema = MaintenanceIn
    schema_exclude = ("components",)  # one line a component here; a list of objects there

    limb = forms.ChoiceField(label="Limb")
    kind = forms.ChoiceField(choices=MaintenanceKind.choices, label="What was done or happened")
    performed_on = forms.DateField(label="Date", widget=DateInput)
    torque_nm = forms.DecimalField(
        required=False, min_value=0.1, max_value=200, decimal_places=1, label="Torque (N·m)"
    )
    outcome = forms.ChoiceField(
        required=False,
        choices=[("", "—"), *MaintenanceOutcome.choices],
        label="Outcome (inspection, torque check)",
    )
    components = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Components fitted, one a line as kind: description",
        help_text="Kinds: "
        + ", ".join(kind.replace("_", " ") for kind in COMPONENT_KINDS)
        + " (e.g. knee: Rheo Knee XC)",
    )
    notes = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_components(self) -> list[dict[str, str]]:
        rows = []
        for line in (self.cleaned_data.get("components") or "").splitlines():
            if not line.strip():
                continue
            kind, _, text = line.partition(":")
            code = "_".join(kind.lower().split())  # "Safety device" is the kind safety_device
            rows.append({"kind": code, "description": text.strip()})
        return rows
