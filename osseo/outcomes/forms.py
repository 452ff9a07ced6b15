"""A questionnaire's entry form, built from its FHIR-shaped definition."""

from __future__ import annotations

from typing import Any

from django import forms

from osseo.editing import VersionedForm
from osseo.patients.forms import DateInput
from osseo.typed import SchemaForm

from .schemas import ResponseIn


class ResponseForm(SchemaForm):
    schema = ResponseIn

    authored_on = forms.DateField(label="Date answered", widget=DateInput)
    limb = forms.ChoiceField(required=False, label="Residual limb")


def build_response_form(
    definition: dict[str, Any], data: Any = None, initial: dict[str, Any] | None = None
) -> tuple[ResponseForm, list[tuple[str, Any]]]:
    """The form, and the rows to render in order: ("text", str) or ("field", bound field)."""
    form = ResponseForm(data, initial=initial)
    rows: list[tuple[str, str]] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            link_id = item["linkId"]
            if item["type"] == "display":
                rows.append(("text", item["text"]))
            elif item["type"] == "group":
                rows.append(("heading", item.get("text", link_id)))
                walk(item.get("item", []))
            elif item.get("answerOption"):
                name = f"item_{link_id}"
                form.fields[name] = forms.TypedChoiceField(
                    label=f"{item.get('prefix', '')} {item['text']}".strip(),
                    choices=[
                        (o["valueCoding"]["code"], o["valueCoding"]["display"])
                        for o in item["answerOption"]
                    ],
                    coerce=int,
                    empty_value=None,  # unanswered, not an answer of ""
                    required=False,
                    widget=forms.RadioSelect,
                )
                rows.append(("field", name))
            else:
                name = f"item_{link_id}"
                form.fields[name] = forms.IntegerField(
                    label=item["text"],
                    required=False,
                    help_text="The number of the response ticked on the form.",
                    min_value=0,
                    max_value=1000,
                )
                rows.append(("field", name))

    walk(definition.get("item", []))
    bound = [(kind, form[value] if kind == "field" else value) for kind, value in rows]
    return form, bound


def answers_from(form: ResponseForm) -> dict[str, int | None]:
    return {
        name.removeprefix("item_"): value
        for name, value in form.cleaned_data.items()
        if name.startswith("item_")
    }


class _LinesField(forms.CharField):
    """Text whose line breaks are compared as sent back by a browser (CRLF) or stored (LF)."""

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        return text.replace("\r\n", "\n") if isinstance(text, str) else text


class InstrumentConfigForm(VersionedForm):
    """Import: a file another clinic exported (rules and wording), or scoring rules alone, pasted
    as JSON; and a wording file. Checked whole: nothing is saved unless all of it can be used."""

    rules = _LinesField(
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        label="Rules and wording to import (JSON)",
        help_text="Paste a file exported from Osseo by another clinic, or the scoring rules "
        "alone. A JSON error names its line; a value that cannot be used names its field. "
        "Nothing is saved unless all of it can be used.",
    )
    # What the rules and the wording were when the page was opened (fingerprints), so that an
    # import does not silently replace a colleague's change made since.
    rules_seen = forms.CharField(
        required=False, widget=forms.HiddenInput, max_length=64, label="the scoring rules"
    )
    wording_seen = forms.CharField(
        required=False, widget=forms.HiddenInput, max_length=64, label="the wording"
    )
    item_text_file = forms.FileField(
        required=False,
        label="Item wording file (.json or .csv)",
        help_text='JSON {"capability.1": "wording", "capability#1": "a response", ...} or CSV '
        "with the header linkId,text. A response's wording is keyed <item>#<number> or, for "
        "a whole section, <section>#<number>. Up to 1 MB.",
    )
