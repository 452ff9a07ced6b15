from django import forms

from .gates import OVERRIDABLE, REQUIREMENTS
from .machine import next_phases
from .models import Phase


class TransitionForm(forms.Form):
    phase = forms.ChoiceField(label="Move to phase")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text="Required when declining, closing, or returning to an earlier phase.",
    )

    def __init__(self, *args: object, current: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Any phase parses, so that a refused move gets the state machine's own explanation;
        # the menu offers only the moves the table allows from here.
        field = self.fields["phase"]
        field.choices = Phase.choices  # type: ignore[attr-defined]
        field.widget.choices = [(p, Phase(p).label) for p in next_phases(current)]  # type: ignore[attr-defined]


class OverrideForm(forms.Form):
    requirement = forms.ChoiceField(
        label="Requirement to override",
        choices=[(code, REQUIREMENTS[code].label) for code in OVERRIDABLE],
        widget=forms.RadioSelect,
        help_text="The MDT's eligibility decision cannot be overridden.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Why the next step goes ahead without it; kept with the episode and audited.",
    )
