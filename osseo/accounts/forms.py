from django import forms

from osseo.editing import VersionedForm

from .clinic_settings import SPECS, WHOLE_NUMBER_RANGES
from .models import Role


class MinAtRiskForm(VersionedForm):
    value = forms.IntegerField(min_value=1, max_value=1000, label="Fewest implants at risk")
    source = forms.CharField(
        required=False, max_length=300, help_text="Where this number comes from."
    )
    validated = forms.BooleanField(required=False, label="The clinic has validated this value")


class StageWindowForm(VersionedForm):
    min = forms.IntegerField(min_value=0, max_value=104, label="From")
    max = forms.IntegerField(min_value=1, max_value=104, label="To")
    unit = forms.ChoiceField(choices=[("months", "months"), ("weeks", "weeks")])
    source = forms.CharField(
        required=False, max_length=300, help_text="Where this number comes from."
    )
    validated = forms.BooleanField(required=False, label="The clinic has validated this value")


class TwoFactorRolesForm(VersionedForm):
    value = forms.MultipleChoiceField(
        choices=[(r.value, r.label) for r in Role],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Roles that must sign in with an authenticator app",
    )
    source = forms.CharField(
        required=False, max_length=300, help_text="Where this policy comes from."
    )
    validated = forms.BooleanField(required=False, label="The clinic has validated this value")


def whole_number_form(key: str, within: tuple[int, int] | None = None) -> type[VersionedForm]:
    """The form of a setting that is a whole number within its range (`within`, else the
    account policy's range for `key`)."""
    low, high = within or WHOLE_NUMBER_RANGES[key]
    spec = SPECS[key]

    class WholeNumberForm(VersionedForm):
        value = forms.IntegerField(
            min_value=low,
            max_value=high,
            label=f"{spec.label} ({spec.unit})",
            help_text=f"A whole number from {low} to {high}.",
        )
        source = forms.CharField(
            required=False, max_length=300, help_text="Where this number comes from."
        )
        validated = forms.BooleanField(required=False, label="The clinic has validated this value")

    return WholeNumberForm


class FollowUpXrayForm(VersionedForm):
    value = forms.BooleanField(required=False, label="Take a radiograph at each follow-up visit")
    source = forms.CharField(
        required=False, max_length=300, help_text="Where this practice comes from."
    )
    validated = forms.BooleanField(required=False, label="The clinic has validated this value")
