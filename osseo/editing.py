"""Forms that edit a versioned record without undoing a colleague's change.

A `VersionedForm` carries the version of the record it was opened at and, beside each field, the
value it showed (Django's `show_hidden_initial`). When it is sent:

- only the fields this user changed are written (`edits()`), over the current record;
- when the record changed since the form was opened, `save_edit` compares the values as opened
  with the values now: where the colleague changed a field this user also changed, nothing is
  saved and the form shows what the colleague changed (their value, who, when) with this user's
  values kept, so that saving again is a deliberate choice; where they changed other fields,
  this user's edits are saved beside theirs and the page says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from osseo.contract import Versioned
from osseo.errors import Conflict, StaleVersion


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, record: Versioned, **kwargs: Any) -> None:
        initial = dict(kwargs.pop("initial", None) or {})
        initial["version"] = record.version
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.record = record
        for name, field in self.fields.items():
            if name != "version":
                field.show_hidden_initial = True

    def opened_value(self, name: str) -> Any:
        """The field's value as the form showed it when it was opened."""
        field = self.fields[name]
        raw = field.hidden_widget().value_from_datadict(
            self.data, self.files, self.add_initial_prefix(name)
        )
        try:
            return field.to_python(raw)
        except forms.ValidationError:
            return raw

    def edits(self) -> dict[str, Any]:
        """The fields this user changed, with their new values."""
        return {n: self.cleaned_data[n] for n in self.changed_data if n != "version"}

    def display(self, name: str, value: Any) -> str:
        field = self.fields[name]
        if value in (None, "", []):
            return "(empty)"
        if isinstance(value, list | tuple):  # a list field: as the field shows it
            shown = field.prepare_value(value)
            return shown if isinstance(shown, str) else ", ".join(map(str, shown))
        choices = dict(getattr(field, "choices", []) or [])
        return str(choices.get(value, value))


@dataclass(frozen=True)
class ColleagueChange:
    field: str
    label: str
    opened: str
    now: str


def colleague_changes(form: VersionedForm, current: dict[str, Any]) -> list[ColleagueChange]:
    """The fields whose value now differs from the value the form was opened with."""
    out = []
    for name, field in form.fields.items():
        if name == "version" or name not in current:
            continue
        opened = form.opened_value(name)
        now = current[name]
        if _normal(opened) != _normal(now):
            out.append(
                ColleagueChange(
                    name,
                    str(field.label or name.replace("_", " ").capitalize()),
                    form.display(name, opened),
                    form.display(name, now),
                )
            )
    return out


def _normal(value: Any) -> Any:
    return "" if value is None else value


def save_edit(
    request: HttpRequest,
    form: VersionedForm,
    *,
    current: Callable[[], dict[str, Any]],
    save: Callable[[dict[str, Any], str | None], Any],
    last_change: Callable[[], str] | None = None,
) -> bool:
    """Save the form's edits through `save(edits, if_match)`; True when saved.

    `current()` gives the record's field values now (read after `save` refused a stale version);
    `last_change()` names who changed it last and when, for the message."""
    edits = form.edits()
    opened = form.cleaned_data.get("version")
    try:
        save(edits, str(opened) if opened else None)
        return True
    except StaleVersion:
        pass
    form.record.refresh_from_db()
    values = current()
    theirs = colleague_changes(form, values)
    overlap = [c for c in theirs if c.field in edits]
    if not overlap:
        save(edits, None)  # their changes are to other fields: write ours beside them
        if theirs:
            from django.contrib import messages

            messages.info(
                request,
                "Saved. Since you opened the form, someone else changed "
                + ", ".join(c.label for c in theirs)
                + "; their changes were kept.",
            )
        return True
    who = last_change() if last_change else last_change_of(form.record)
    _show_conflict(form, theirs, edits, values, who)
    return False


def _show_conflict(
    form: VersionedForm,
    theirs: list[ColleagueChange],
    edits: dict[str, Any],
    values: dict[str, Any],
    who: str,
) -> None:
    """Keep this user's values, move the form to the current version, and say what changed: the
    fields only the colleague changed now show their value; the fields both changed keep this
    user's value, marked with the colleague's."""
    data = form.data.copy()  # type: ignore[attr-defined]
    data["version"] = str(form.record.version)
    for change in theirs:
        value = values[change.field]
        # As the field's widget shows it (a list field joins its entries).
        now = "" if value is None else str(form.fields[change.field].prepare_value(value))
        data[form.add_initial_prefix(change.field)] = now
        if change.field not in edits:
            data[change.field] = now
    overlap = [c for c in theirs if c.field in edits]
    form.data = data
    form.is_bound = True
    form._errors = None  # type: ignore[attr-defined]  # validate again at the moved version
    form.full_clean()
    for change in overlap:
        form.add_error(
            change.field,
            f"Changed by someone else since you opened this form{who}: "
            f"it was {change.opened}, it is now {change.now}. Your value is still here; "
            "save again to replace theirs, or change it back.",
        )


def last_change_of(obj: Any) -> str:
    """Who changed the record last and when, from the audit trail: " (Name, 4 Dec 2026 10:31)"."""
    from osseo.audit.models import AuditEntry

    entry = (
        AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.uuid))
        .exclude(action__endswith=".viewed")
        .order_by("-seq")
        .only("actor_label", "at")
        .first()
    )
    if entry is None:
        return ""
    return f" ({entry.actor_label}, {timezone.localtime(entry.at):%-d %b %Y %H:%M})"


def apply_errors(form: forms.Form, exc: ValidationError | Conflict) -> None:
    """Show an action's field errors beside the form's fields (others at the top); a state
    refusal (`Conflict`) at the top, with each thing the move still needs."""
    if isinstance(exc, Conflict):
        form.add_error(None, str(exc))
        for missing in exc.missing:
            form.add_error(None, missing.label)
        return
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
