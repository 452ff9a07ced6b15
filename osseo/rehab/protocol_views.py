"""Clinics copy a loading protocol and edit their own (the reference protocols stay read-only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from osseo.accounts.permissions import has_permission

from . import actions
from .queries import get_protocol_for


class ProtocolForm(forms.Form):
    name = forms.CharField(max_length=200)
    source = forms.CharField(
        max_length=500, required=False, help_text="The publication, or leave empty."
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PhaseForm(forms.Form):
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


PhaseFormSet = forms.formset_factory(PhaseForm, extra=1, can_delete=True, max_num=30)


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
    initial = [
        {f: getattr(p, f) for f in PhaseForm.base_fields if f != "DELETE"}
        for p in protocol.phases.order_by("start_day")
    ]
    form = ProtocolForm(
        request.POST or None,
        initial={"name": protocol.name, "source": protocol.source, "notes": protocol.notes},
    )
    phases = PhaseFormSet(request.POST or None, initial=initial, prefix="phases")
    if request.method == "POST" and form.is_valid() and phases.is_valid():
        rows = [
            f.cleaned_data
            for f in phases.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            actions.update_protocol(
                actor=user, protocol=protocol, data={**form.cleaned_data, "phases": rows}
            )
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
            messages.success(request, "Protocol saved.")
            return redirect("rehab:protocols")
    status = 422 if form.is_bound and (form.errors or phases.total_error_count()) else 200
    return render(
        request,
        "rehab/protocol_edit.html",
        {"form": form, "phases": phases, "protocol": protocol},
        status=status,
    )
