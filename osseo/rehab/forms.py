from __future__ import annotations

from django import forms

from osseo.patients.forms import DateInput

from .models import FunctionTestKind, WalkingAid


class ReferralForm(forms.Form):
    organisation = forms.ChoiceField(label="Rehabilitation partner")
    protocol = forms.ChoiceField(label="Loading protocol", required=False)
    note = forms.CharField(
        label="Note for the partner",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="Why is the referral withdrawn?", max_length=2000)


class PlanForm(forms.Form):
    protocol = forms.ChoiceField(label="Loading protocol")
    start_date = forms.DateField(label="Start date (day 1)", widget=DateInput)
    body_weight_kg = forms.DecimalField(
        label="Body weight (kg)", min_value=20, max_value=400, decimal_places=1
    )


class LogForm(forms.Form):
    date = forms.DateField(widget=DateInput)
    applied_kg = forms.DecimalField(
        label="Load applied (kg)", min_value=0, max_value=400, decimal_places=1
    )
    pain_nrs = forms.IntegerField(
        label="Pain (NRS 0-10)", min_value=0, max_value=10, help_text="0 = no pain, 10 = worst"
    )
    walking_aid = forms.ChoiceField(
        label="Walking aid", required=False, choices=[("", "Not recorded"), *WalkingAid.choices]
    )
    wear_hours = forms.DecimalField(
        label="Prosthesis worn (hours)", required=False, min_value=0, max_value=24, decimal_places=1
    )


class FunctionTestForm(forms.Form):
    kind = forms.ChoiceField(label="Test", choices=FunctionTestKind.choices)
    performed_on = forms.DateField(label="Date", widget=DateInput)
    value = forms.DecimalField(
        label="Result",
        decimal_places=1,
        min_value=0,
        help_text="6MWT in metres, TUG in seconds, K-level 0-4, wear in hours per day",
    )
    notes = forms.CharField(required=False, max_length=5000)


class FollowUpForm(forms.Form):
    due_date = forms.DateField(widget=forms.HiddenInput)
    done_on = forms.DateField(label="Seen on", widget=DateInput)


class SettingsForm(forms.Form):
    under_loading_percent = forms.DecimalField(
        label="Under-loading: applied load below the prescription by more than (%)",
        min_value=0,
        max_value=100,
        decimal_places=1,
    )
    over_loading_percent = forms.DecimalField(
        label="Over-loading: applied load above the prescription by more than (%)",
        min_value=0,
        max_value=100,
        decimal_places=1,
    )
    thresholds_source = forms.CharField(
        label="Source of the thresholds", required=False, max_length=300
    )
    thresholds_validated = forms.BooleanField(label="The thresholds are validated", required=False)
    schedule_months = forms.CharField(
        label="Follow-up visits (months after surgery)",
        max_length=100,
        help_text="Separate with commas, e.g. 3, 6, 12",
    )
    schedule_every = forms.IntegerField(
        label="Then every (months)", min_value=0, max_value=120, help_text="0 = no repeat"
    )
    schedule_source = forms.CharField(
        label="Source of the schedule", required=False, max_length=300
    )
    schedule_validated = forms.BooleanField(label="The schedule is validated", required=False)
    stoma_care_instructions = forms.CharField(
        label="Stoma-care instructions (your clinic's own text)",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def clean_schedule_months(self) -> list[int]:
        raw = self.cleaned_data["schedule_months"]
        try:
            return [int(p) for p in raw.replace(";", ",").split(",") if p.strip()]
        except ValueError as exc:
            raise forms.ValidationError("Enter whole months separated by commas.") from exc


class SheetForm(forms.Form):
    title = forms.CharField(max_length=200)
    file = forms.FileField(label="PDF file", help_text="A PDF of at most 5 MB")
