from django import forms

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
