from __future__ import annotations

from typing import Any

from django import forms
from django.utils.choices import flatten_choices

from osseo.editing import VersionedForm
from osseo.patients.forms import DateInput
from osseo.typed import SchemaForm

from .models import EventKind, Outcome, TreatmentKind
from .schemas import AdverseEventIn, DeathIn, GradingSystemIn, TreatmentIn


class EventForm(SchemaForm):
    schema = AdverseEventIn

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


class OutcomeForm(VersionedForm):
    """The event's grade (it may be revised as the event evolves) and its outcome, as opened: a
    save writes only what this user changed, and shows a colleague's change to the same field."""

    grading = forms.ChoiceField(
        required=False,
        label="Grade",
        help_text="Revise the grade if the event has changed; the earlier grade stays in its "
        "history.",
    )
    outcome = forms.ChoiceField(choices=Outcome.choices)
    resolved_on = forms.DateField(required=False, label="Resolved on", widget=DateInput)

    def display(self, name: str, value: Any) -> str:
        """A grade as its system and wording (the choices are grouped by system)."""
        if name == "grading" and value:
            groups = self.fields["grading"].choices  # type: ignore[attr-defined]
            for system, options in groups:
                if isinstance(options, list | tuple):
                    label = dict(flatten_choices(options)).get(value)
                    if label is not None:
                        return f"{system}: {label}"
        return super().display(name, value)


class TreatmentForm(SchemaForm):
    schema = TreatmentIn

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


class DeathForm(SchemaForm):
    schema = DeathIn

    died_on = forms.DateField(label="Date of death", widget=DateInput)
    cause = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    related_event = forms.ChoiceField(required=False, label="Following which complication")


class GradingSystemForm(SchemaForm):
    """A clinic's grading scheme, entered as data: its grades one per line."""

    schema = GradingSystemIn
    schema_exclude = ("grades",)  # typed as lines here, read into the list by clean_grades

    name = forms.CharField(max_length=200, label="Name")
    code = forms.CharField(
        max_length=60,
        label="Short code",
        help_text="Letters, digits and dashes, e.g. al-muderis-2016.",
    )
    source = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        label="Source",
        help_text="The publication the grades' wording is taken from, as checked.",
    )
    applies_to = forms.MultipleChoiceField(
        choices=EventKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Kinds of event it grades",
        help_text="Leave all unticked if it grades any kind.",
    )
    grades = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Grades, in order",
        help_text="One grade a line: code | published wording | optional description | "
        "optional kinds of event it describes, comma-separated, named as in the list above "
        "(e.g. Infection: bone).",
    )

    def clean_grades(self) -> list[dict[str, Any]]:
        """Each line as a grade; an error names the line."""
        grades: list[dict[str, Any]] = []
        problems: list[str] = []
        for number, line in enumerate(self.cleaned_data["grades"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) not in (2, 3, 4) or not parts[0] or not parts[1]:
                problems.append(
                    f"Line {number}: write 'code | published wording' "
                    "(and optionally '| description | kinds')."
                )
                continue
            named = [k.strip() for k in parts[3].split(",") if k.strip()] if parts[3:] else []
            kinds = [_event_kind(name) for name in named]
            unknown = [name for name, kind in zip(named, kinds, strict=True) if kind is None]
            if unknown:
                problems.append(
                    f"Line {number}: “{unknown[0]}” is not a kind of event; name the kinds as "
                    "the list above does (e.g. Infection: bone)."
                )
                continue
            grades.append(
                {
                    "code": parts[0],
                    "label": parts[1],
                    "description": parts[2] if parts[2:] else "",
                    "kinds": kinds,
                }
            )
        if problems:
            raise forms.ValidationError(problems)
        if not grades:
            raise forms.ValidationError("List at least one grade.")
        return grades


def _event_kind(name: str) -> str | None:
    """The kind of event a grade line names, by its label (any case) or its code; None if none."""
    for code, label in EventKind.choices:
        if name.casefold() in (str(label).casefold(), code):
            return code
    return None


class EventFilterForm(forms.Form):
    """The complications list's filters (all optional; GET)."""

    outcome = forms.ChoiceField(
        required=False,
        choices=[("", "Any outcome"), *Outcome.choices],
        label="Outcome",
    )
    kind = forms.ChoiceField(
        required=False, choices=[("", "Any kind"), *EventKind.choices], label="Kind"
    )
    onset_from = forms.DateField(required=False, label="Onset from", widget=DateInput)
    onset_to = forms.DateField(required=False, label="Onset to", widget=DateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("onset_from"), data.get("onset_to")
        if low and high and high < low:
            self.add_error("onset_to", "The end cannot be before the start.")
        return data
