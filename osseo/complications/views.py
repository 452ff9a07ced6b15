"""The clinic's screens for complications: record a graded event, its treatments, a death."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from osseo.accounts.permissions import has_permission
from osseo.audit.services import record
from osseo.patients.forms import apply_errors
from osseo.patients.queries import get_patient_for

from . import actions
from .forms import DeathForm, EventForm, OutcomeForm, TreatmentForm, grading_choices
from .models import AdverseEvent
from .queries import get_event_for, grading_systems_for


def _status(*forms_: Any) -> int:
    return 422 if any(f.is_bound and f.errors for f in forms_) else 200


def _pick(qs: Any, key: str) -> Any:
    return qs.filter(uuid=key).first() if key else None


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest, patient_id: str) -> HttpResponse:
    user: Any = request.user
    patient = get_patient_for(user, patient_id, permission="complication.record")
    systems = list(grading_systems_for(user))
    form = EventForm(request.POST or None)
    limbs = list(patient.limbs.all())
    form.fields["limb"].choices = [(str(lb.uuid), str(lb)) for lb in limbs]  # type: ignore[attr-defined]
    form.fields["grading"].choices = grading_choices(systems)  # type: ignore[attr-defined]
    form.fields["procedure"].choices = [("", "None")] + [  # type: ignore[attr-defined]
        (str(p.uuid), f"{p.get_kind_display()} {p.performed_on:%d %b %Y}")
        for p in patient.procedures.all()
    ]
    form.fields["device"].choices = [("", "None")] + [  # type: ignore[attr-defined]
        (str(d.uuid), f"{d.get_kind_display()} lot {d.lot or '—'} ({d.get_status_display()})")
        for d in patient.devices.all()
    ]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["limb"] = _pick(patient.limbs.all(), data["limb"])
        data["procedure"] = _pick(patient.procedures.all(), data["procedure"])
        data["device"] = _pick(patient.devices.all(), data["device"])
        system_code, _, grade_code = str(data.pop("grading") or "").partition(":")
        system = next((s for s in systems if s.code == system_code), None)
        data["grading_system"] = system
        data["grade"] = system.grades.filter(code=grade_code).first() if system else None
        if data["limb"] is not None:
            data["episode"] = (
                data["limb"].episodes.exclude(phase__in=["closed", "declined"]).first()
            )
        try:
            event = actions.record_event(actor=user, patient=patient, data=data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name in ("grading_system", "grade"):
                    if name in exc.error_dict:
                        exc.error_dict.setdefault("grading", []).extend(exc.error_dict.pop(name))
            apply_errors(form, exc)
        else:
            messages.success(request, "Complication recorded.")
            return redirect("complications:event", event_id=event.uuid)
    return render(
        request,
        "complications/event_form.html",
        {"form": form, "patient": patient, "systems": systems},
        status=_status(form),
    )


def _event_page(event: AdverseEvent) -> AdverseEvent:
    return (
        AdverseEvent.objects.select_related(
            "patient", "limb", "procedure", "device", "grading_system", "grade", "recorded_by"
        )
        .prefetch_related("treatments__procedure")
        .get(pk=event.pk)
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_detail(request: HttpRequest, event_id: str) -> HttpResponse:
    user: Any = request.user
    writing = request.method == "POST"
    event = get_event_for(
        user, event_id, permission="complication.record" if writing else "patient.view"
    )
    if not writing:
        record("patients.patient.viewed", actor=user, patient=event.patient, obj=event)
    treatment_form = TreatmentForm(request.POST if "add_treatment" in request.POST else None)
    outcome_form = OutcomeForm(
        request.POST if "update_outcome" in request.POST else None,
        initial={"outcome": event.outcome, "resolved_on": event.resolved_on},
    )
    if "add_treatment" in request.POST and treatment_form.is_valid():
        try:
            treatment = actions.record_treatment(
                actor=user, event=event, data=treatment_form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(treatment_form, exc)
        else:
            if treatment.procedure is not None:
                messages.success(
                    request,
                    "Operation recorded in the procedure history; complete and sign its record.",
                )
                return redirect("surgery:procedure", procedure_id=treatment.procedure.uuid)
            messages.success(request, "Treatment recorded.")
            return redirect("complications:event", event_id=event.uuid)
    if "update_outcome" in request.POST and outcome_form.is_valid():
        try:
            actions.update_event(actor=user, event=event, data=outcome_form.cleaned_data)
        except ValidationError as exc:
            apply_errors(outcome_form, exc)
        else:
            messages.success(request, "Outcome saved.")
            return redirect("complications:event", event_id=event.uuid)
    return render(
        request,
        "complications/event_detail.html",
        {
            "event": _event_page(event),
            "patient": event.patient,
            "treatment_form": treatment_form,
            "outcome_form": outcome_form,
            "can_write": has_permission(user, "complication.record"),
        },
        status=_status(treatment_form, outcome_form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def death_new(request: HttpRequest, patient_id: str) -> HttpResponse:
    user: Any = request.user
    patient = get_patient_for(user, patient_id, permission="death.record")
    form = DeathForm(request.POST or None)
    form.fields["related_event"].choices = [("", "None")] + [  # type: ignore[attr-defined]
        (str(e.uuid), str(e)) for e in patient.adverse_events.all()
    ]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_death(
                actor=user,
                patient=patient,
                died_on=data["died_on"],
                cause=data["cause"],
                related_event=_pick(patient.adverse_events.all(), data["related_event"]),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Death recorded; the open episodes are closed.")
            return redirect("patients:detail", patient_id=patient.uuid)
    return render(
        request,
        "complications/death_form.html",
        {"form": form, "patient": patient},
        status=_status(form),
    )
