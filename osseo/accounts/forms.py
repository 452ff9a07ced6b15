from django import forms

from osseo.editing import VersionedForm


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
