"""The operative record's HTML form, generated from the step definitions in operative.py.

Built for a procedure (`record=`), it is a `VersionedForm`: it carries the procedure's version and
the values it showed, so a save writes only what this user changed over the current record and
keeps a colleague's change (osseo/editing.py)."""

from __future__ import annotations

from typing import Any

from django import forms

from osseo.contract import Versioned
from osseo.editing import VersionedForm

from . import rules
from .operative import STEPS


def _name(step: str, field: str) -> str:
    return f"{step}__{field}"


def build_record_form(
    site: str,
    *,
    data: Any = None,
    initial: dict[str, dict[str, Any]] | None = None,
    record: Versioned | None = None,
) -> forms.Form:
    form = VersionedForm(data=data, record=record) if record is not None else forms.Form(data=data)
    initial = initial or {}
    for step in STEPS:
        for spec in step.fields:
            name = _name(step.key, spec.name)
            label = f"{spec.label} ({spec.unit})" if spec.unit else spec.label
            value = initial.get(step.key, {}).get(spec.name)
            field: forms.Field
            if spec.type == "bool":
                # NullBooleanSelect renders True/False/None as "true"/"false"/"unknown".
                widget = forms.NullBooleanSelect()
                widget.choices = [("unknown", "Not recorded"), ("true", "Yes"), ("false", "No")]
                field = forms.NullBooleanField(label=label, required=False, widget=widget)
            elif spec.type == "number":
                field = forms.FloatField(label=label, required=False, min_value=0, max_value=100000)
            elif spec.type == "choice":
                choices = list(spec.choices)
                if step.key == "anaesthesia" and spec.name == "given":
                    choices = [(o.code, o.label) for o in rules.anaesthesia_options(site)]
                field = forms.ChoiceField(
                    label=label, required=False, choices=[("", "Not recorded"), *choices]
                )
            else:
                field = forms.CharField(
                    label=label,
                    required=False,
                    max_length=5000,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
            form.initial[name] = value
            field.show_hidden_initial = record is not None
            form.fields[name] = field
    return form


def record_values(data: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A record's steps as the form's field values (every field, None when not recorded)."""
    return {
        _name(step.key, spec.name): data.get(step.key, {}).get(spec.name)
        for step in STEPS
        for spec in step.fields
    }


def record_changes(edits: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The form fields a user changed as the record's steps; None clears a field."""
    changes: dict[str, dict[str, Any]] = {}
    for name, value in edits.items():
        step, _, field = name.partition("__")
        changes.setdefault(step, {})[field] = None if value == "" else value
    return changes


def record_data(form: forms.Form) -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = {}
    for step in STEPS:
        for spec in step.fields:
            value = form.cleaned_data.get(_name(step.key, spec.name))
            if value in (None, ""):
                continue
            data.setdefault(step.key, {})[spec.name] = value
    return data


def grouped(form: forms.Form) -> list[tuple[Any, list[Any]]]:
    """(step, bound fields) in the guide's order, for the template."""
    return [(step, [form[_name(step.key, f.name)] for f in step.fields]) for step in STEPS]


def step_errors_to_form(form: forms.Form, errors: dict[str, list[str]]) -> None:
    for key, messages in errors.items():
        name = key.replace(".", "__")
        form.add_error(name if name in form.fields else None, messages)


def record_document(site: str, data: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """A signed record as a document: each step of the guide with its fields as people read them
    (a choice's label, yes or no, the unit), "not recorded" where empty."""
    anaesthesia = {o.code: o.label for o in rules.anaesthesia_options(site)}
    out = []
    for step in STEPS:
        rows = []
        for spec in step.fields:
            value = data.get(step.key, {}).get(spec.name)
            if value in (None, ""):
                shown = "not recorded"
            elif spec.type == "bool":
                shown = "Yes" if value else "No"
            elif spec.type == "choice":
                labels = dict(spec.choices) if spec.choices else anaesthesia
                shown = str(labels.get(value, value))
            elif spec.unit:
                shown = f"{value} {spec.unit}"
            else:
                shown = str(value)
            rows.append({"label": spec.label, "value": shown, "empty": value in (None, "")})
        out.append({"title": step.title, "rows": rows})
    return out
