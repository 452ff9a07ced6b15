from __future__ import annotations

from django import forms

# apply_errors lives in the base layer (osseo/editing.py) so that accounts need not import patients.
from osseo.editing import VersionedForm
from osseo.editing import apply_errors as apply_errors
from osseo.typed import SchemaForm

from .models import Cause, FundingRoute, Sex, Side, Site
from .schemas import LimbIn, PatientIn


class DateInput(forms.DateInput):
    """A native date picker; its value must be ISO 8601 whatever the display locale."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PatientForm(SchemaForm):
    schema = PatientIn

    given_name = forms.CharField(max_length=100, label="Given name")
    family_name = forms.CharField(max_length=100, label="Family name")
    birth_date = forms.DateField(label="Date of birth", widget=DateInput)
    sex = forms.ChoiceField(choices=Sex.choices)
    nhs_number = forms.CharField(
        max_length=14, required=False, label="NHS number", help_text="10 digits, e.g. 943 476 5919"
    )
    record_number = forms.CharField(max_length=40, required=False, label="Local record number")
    funding_route = forms.ChoiceField(
        choices=[("", "Not yet known"), *FundingRoute.choices],
        required=False,
        label="Funding route",
    )
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    address = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=500
    )


class PatientEditForm(PatientForm, VersionedForm):
    """The patient's details as opened, so a save writes only what this user changed."""


class LimbForm(SchemaForm):
    schema = LimbIn

    site = forms.ChoiceField(choices=Site.choices)
    side = forms.ChoiceField(choices=Side.choices)
    amputation_date = forms.DateField(
        required=False,
        label="Amputation date",
        widget=DateInput,
        help_text="For head and neck sites: the date of loss or resection, if known.",
    )
    cause = forms.ChoiceField(choices=Cause.choices)
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
