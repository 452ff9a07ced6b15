from __future__ import annotations

from typing import Any

from django import forms

from osseo.patients.forms import DateInput

from .models import EventKind, Outcome, TreatmentKind


class EventForm(forms.Form):
    limb = forms.ChoiceField(label="Residual limb")
    kind = forms.ChoiceField(choices=EventKind.choices, label="What happened")
    onset_on = forms.DateField(label="Onset", widget=DateInput)
    grading = forms.ChoiceField(
        required=False,
        label="Grade",
        help_text="The grade under its published grading system (stored separately).",
    )
    procedure = forms.ChoiceField(required=False, label="After which operation (if relevant)")
    device = forms.ChoiceField(required=False, label="Part involved (if relevant)")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )
    outcome = forms.ChoiceField(choices=Outcome.choices, initial=Outcome.ONGOING)
    resolved_on = forms.DateField(
        required=False, label="Resolved on", widget=DateInput, help_text="Leave empty if ongoing."
    )


def grading_choices(systems: Any) -> list[Any]:
    """One select for system and grade: option groups per system, values 'system:grade'."""
    choices: list[Any] = [("", "Not graded")]
    for system in systems:
        choices.append(
            (system.name, [(f"{system.code}:{g.code}", g.label) for g in system.grades.all()])
        )
    return choices


class OutcomeForm(forms.Form):
    """The event's grade (it may be revised as the event evolves) and its outcome."""

    grading = forms.ChoiceField(
        required=False,
        label="Grade",
        help_text="Revise the grade if the event has changed; the earlier grade stays in its "
        "history.",
    )
    outcome = forms.ChoiceField(choices=Outcome.choices)
    resolved_on = forms.DateField(required=False, label="Resolved on", widget=DateInput)


class TreatmentForm(forms.Form):
    kind = forms.ChoiceField(
        choices=TreatmentKind.choices,
        label="Treatment",
        help_text="An operation starts its operative record in the procedure history.",
    )
    started_on = forms.DateField(label="Started on (or the operation date)", widget=DateInput)
    ended_on = forms.DateField(required=False, label="Ended on", widget=DateInput)
    details = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
        label="Details",
        help_text="For antibiotics: the drug, dose and duration.",
    )


class DeathForm(forms.Form):
    died_on = forms.DateField(label="Date of death", widget=DateInput)
    cause = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    related_event = forms.ChoiceField(required=False, label="Following which complication")
