"""Clinics copy a loading protocol and edit their own (the reference protocols stay read-only).

The editor carries the version the protocol was opened at and what it showed (osseo/editing.py):
a save writes only what its user changed, and a colleague's change since is kept, or shown when
it touches what this user changed too. The phases, a formset, count as one value for that: their
canonical text travels in a hidden field beside the formset.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from osseo.accounts.permissions import has_permission
from osseo.editing import VersionedForm, save_edit
from osseo.typed import SchemaForm

from . import actions
from .models import Measure
from .queries import get_protocol_for, protocol_values
from .schemas import PhaseIn, ProtocolIn


class ProtocolForm(SchemaForm):
    schema = ProtocolIn
    schema_exclude = ("phases",)  # the phases come as a formset (PhaseForm)

    name = forms.CharField(max_length=200)
    source = forms.CharField(
        max_length=500, required=False, help_text="The publication, or leave empty."
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    measure = forms.ChoiceField(
        label="What it prescribes",
        choices=Measure.choices,
        help_text="Lower-limb programmes prescribe load; a clinic's own upper-limb or "
        "head-and-neck programme may prescribe daily wear or loading time instead.",
    )


class PhaseForm(SchemaForm):
    schema = PhaseIn

    start_day = forms.IntegerField(min_value=1, max_value=3650, label="From day")
    end_day = forms.IntegerField(min_value=1, max_value=3650, label="To day")
    target_percent_body_weight = forms.DecimalField(
        required=False, min_value=0, max_value=150, label="Target (% body weight)"
    )
    target_kg = forms.DecimalField(
        required=False, min_value=0, max_value=300, label="or target (kg)"
    )
    sessions_per_day = forms.IntegerField(
        required=False, min_value=0, max_value=24, label="Sessions a day"
    )
    minutes_per_session = forms.IntegerField(
        required=False, min_value=0, max_value=600, label="Minutes a session"
    )
    walking_aid = forms.BooleanField(required=False, label="Walking aid allowed")
    pain_gate_nrs = forms.IntegerField(
        required=False, min_value=0, max_value=10, label="Pain gate (NRS)"
    )
    description = forms.CharField(required=False, max_length=500, label="What happens")
    validated = forms.BooleanField(required=False, label="Matches its cited source")
    ramp = forms.BooleanField(required=False, label="Ramp: the target is a ceiling (“up to”)")
    floor_percent_body_weight = forms.DecimalField(
        required=False, min_value=0, max_value=150, label="Ramp floor (% body weight)"
    )
    floor_kg = forms.DecimalField(
        required=False, min_value=0, max_value=300, label="or ramp floor (kg)"
    )
    target_amount = forms.DecimalField(
        required=False, min_value=0, max_value=1440, label="Target (hours or minutes a day)"
    )
    floor_amount = forms.DecimalField(
        required=False, min_value=0, max_value=1440, label="Ramp floor (hours or minutes a day)"
    )


PhaseFormSet = forms.formset_factory(PhaseForm, extra=1, can_delete=True, max_num=30)
TARGETS = (
    "target_percent_body_weight",
    "target_kg",
    "floor_percent_body_weight",
    "floor_kg",
    "target_amount",
    "floor_amount",
)


def phases_text(rows: Iterable[dict[str, Any]]) -> str:
    """Phases (stored, or as the formset cleaned them) as one canonical text, in day order, so
    that the same phases always give the same text whatever their source."""
    out = []
    for row in rows:
        phase = {f: row.get(f) for f in actions.PHASE_FIELDS}
        for name in TARGETS:
            value = phase[name]
            phase[name] = (
                None if value in (None, "") else str(Decimal(str(value)).quantize(Decimal("0.1")))
            )
        phase["description"] = (phase["description"] or "").strip()
        phase["walking_aid"], phase["validated"], phase["ramp"] = (
            bool(phase["walking_aid"]),
            bool(phase["validated"]),
            bool(phase["ramp"]),
        )
        out.append(phase)
    out.sort(key=lambda p: (p["start_day"], p["end_day"]))
    return json.dumps(out, sort_keys=True)


def phases_summary(text: str) -> str:
    """Phases as words, for the message that a colleague changed them."""
    try:
        phases = json.loads(text or "[]")
    except ValueError:
        return "(unreadable)"
    parts = []
    for p in phases:
        target = (
            f"{p['target_percent_body_weight']} % body weight"
            if p.get("target_percent_body_weight")
            else f"{p['target_kg']} kg"
            if p.get("target_kg")
            else f"{p['target_amount']} a day"
            if p.get("target_amount")
            else "no target"
        )
        parts.append(f"days {p['start_day']}-{p['end_day']} at {target}")
    return f"{len(phases)} phase{'s' if len(phases) != 1 else ''}: " + "; ".join(parts)


class ProtocolEditForm(ProtocolForm, VersionedForm):
    """The protocol as opened: its version, and beside each field (the phases' canonical text
    included) the value it showed."""

    phases = forms.CharField(widget=forms.HiddenInput, required=False, label="Phases")

    def display(self, name: str, value: Any) -> str:
        if name == "phases":
            return phases_summary(value)
        return super().display(name, value)


def _phase_initial(phases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{f: p[f] for f in PhaseForm.base_fields if f in p} for p in phases]


@login_required
@require_POST
def protocol_copy(request: HttpRequest, protocol_id: str) -> HttpResponse:
    user: Any = request.user
    protocol = get_protocol_for(user, protocol_id)
    copy = actions.copy_protocol(actor=user, protocol=protocol)
    messages.success(request, f"Copied as “{copy.name}”: edit it below.")
    return redirect("rehab:protocol_edit", protocol_id=copy.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def protocol_edit(request: HttpRequest, protocol_id: str) -> HttpResponse:
    user: Any = request.user
    if not has_permission(user, "protocol.manage"):
        raise PermissionDenied
    protocol = get_protocol_for(user, protocol_id)
    if protocol.organisation_id != user.membership.organisation_id:
        raise PermissionDenied("Reference protocols are read-only: copy one to edit it.")

    def values() -> dict[str, Any]:
        now = protocol_values(protocol)
        return {**now, "phases": phases_text(now["phases"])}

    def save(edits: dict[str, Any], if_match: str | None) -> None:
        data = {k: v for k, v in edits.items() if k != "phases"}
        if "phases" in edits:
            data["phases"] = rows
        actions.update_protocol(actor=user, protocol=protocol, data=data, if_match=if_match)

    opened = values()
    initial_phases = _phase_initial(protocol_values(protocol)["phases"])
    phases = PhaseFormSet(request.POST or None, initial=initial_phases, prefix="phases")
    rows: list[dict[str, Any]] = []
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        if phases.is_valid():
            rows = [
                f.cleaned_data
                for f in phases.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            data["phases"] = phases_text(rows)
    form = ProtocolEditForm(data, initial=opened, record=protocol)
    status = 200
    if request.method == "POST" and phases.is_valid() and form.is_valid():
        edited_phases = "phases" in form.changed_data
        try:
            saved = save_edit(request, form, current=values, save=save)
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                form.add_error(
                    None,
                    [
                        f"{field.replace('phases.', 'Phase ')}: {p}"
                        if field.startswith("phases")
                        else p
                        for p in problems
                    ],
                )
        else:
            if saved:
                messages.success(request, "Protocol saved.")
                return redirect("rehab:protocols")
            # A colleague changed what this user changed too: nothing saved, theirs shown.
            status = 409
            if "phases" in form.errors:
                form.add_error(None, list(form.errors.pop("phases")))
            if not edited_phases:
                current = protocol_values(protocol)["phases"]
                phases = PhaseFormSet(initial=_phase_initial(current), prefix="phases")
    if status == 200 and form.is_bound and (form.errors or phases.total_error_count()):
        status = 422
    return render(
        request,
        "rehab/protocol_edit.html",
        {"form": form, "phases": phases, "protocol": protocol},
        status=status,
    )
