"""The clinic's screens for complications: record a graded event, its treatments, a death."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from osseo.accounts.permissions import has_permission, require_permission
from osseo.audit.labels import label_for
from osseo.audit.models import AuditEntry
from osseo.audit.services import record
from osseo.editing import save_edit
from osseo.errors import Conflict
from osseo.patients.forms import apply_errors
from osseo.patients.queries import get_patient_for, record_list_read

from . import actions
from .forms import (
    DeathForm,
    EventFilterForm,
    EventForm,
    GradingSystemForm,
    OutcomeForm,
    TreatmentForm,
    grading_choices,
)
from .models import AdverseEvent, EventKind, GradingSystem, Outcome, TreatmentKind
from .queries import events_for, get_event_for, grading_systems_for


def _status(*forms_: Any, conflict: bool = False) -> int:
    """409 when the record's state refused the change (or a colleague changed the same field),
    422 for invalid input, else 200."""
    if conflict:
        return 409
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
        data.update(_grading(systems, data.pop("grading")))
        if data["limb"] is not None:
            data["episode"] = (
                data["limb"].episodes.exclude(phase__in=["closed", "declined"]).first()
            )
        try:
            event = actions.record_event(actor=user, patient=patient, data=data)
        except ValidationError as exc:
            apply_errors(form, _grading_errors(exc))
        else:
            messages.success(request, "Complication recorded.")
            return redirect("complications:event", event_id=event.uuid)
    return render(
        request,
        "complications/event_form.html",
        {"form": form, "patient": patient, "systems": systems},
        status=_status(form),
    )


def _grading(systems: list[GradingSystem], value: str | None) -> dict[str, Any]:
    """The form's one 'system:grade' value as the event's grading system and grade."""
    system_code, _, grade_code = str(value or "").partition(":")
    system = next((s for s in systems if s.code == system_code), None)
    grade = system.grades.filter(code=grade_code).first() if system else None
    return {"grading_system": system, "grade": grade}


def _grading_errors(exc: ValidationError) -> ValidationError:
    """Errors on the grading system or grade belong to the form's one grading field."""
    if hasattr(exc, "error_dict"):
        for name in ("grading_system", "grade"):
            if name in exc.error_dict:
                exc.error_dict.setdefault("grading", []).extend(exc.error_dict.pop(name))
    return exc


def _history(event: AdverseEvent) -> list[dict[str, Any]]:
    """What was recorded and changed about the event and its treatments, oldest first."""
    ids = [str(event.uuid), *(str(t.uuid) for t in event.treatments.all())]
    entries = (
        AuditEntry.objects.filter(patient=event.patient, object_id__in=ids)
        .exclude(action__endswith=".viewed")
        .select_related("actor")
        .order_by("seq")
    )
    return [
        {
            "entry": e,
            "label": label_for(e.action),
            # A treatment's "kind" is the treatment; an event's is what happened.
            "changes": _shown_changes(
                {"treatment": e.changes.get("kind"), **e.changes, "kind": None}
                if e.object_type.endswith(".treatment")
                else e.changes
            ),
        }
        for e in entries
    ]


def _day(value: Any) -> str:
    try:
        return f"{dt.date.fromisoformat(str(value)):%-d %b %Y}"
    except ValueError:
        return str(value)


def _label_of(choices: Any) -> Any:
    """A stored code as its label (an unknown code as it is)."""
    return lambda v: choices(v).label if v in choices.values else v


# The fields worth reading in an event's history, with how to show a stored value.
_HISTORY_FIELDS: dict[str, tuple[str, Any]] = {
    "grade": ("Grade", str),
    "outcome": ("Outcome", _label_of(Outcome)),
    "onset_on": ("Onset", _day),
    "resolved_on": ("Resolved on", _day),
    "kind": ("What happened", _label_of(EventKind)),
    "treatment": ("Treatment", _label_of(TreatmentKind)),
    "started_on": ("From", _day),
}


def _shown_changes(changes: dict[str, Any]) -> list[tuple[str, str, str]]:
    shown = []
    for name, (label, show) in _HISTORY_FIELDS.items():
        pair = changes.get(name)
        if isinstance(pair, list) and len(pair) == 2:
            before, after = (show(v) if v not in (None, "") else "—" for v in pair)
            shown.append((label, before, after))
    return shown


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
    systems = list(grading_systems_for(user))
    if event.grading_system is not None and event.grading_system not in systems:
        systems.append(event.grading_system)  # retired since: still shown as the current grade

    def values() -> dict[str, Any]:
        """The event's grade and outcome now, as the form shows them."""
        return {
            "grading": f"{event.grading_system.code}:{event.grade.code}"
            if event.grading_system and event.grade
            else "",
            "outcome": event.outcome,
            "resolved_on": event.resolved_on,
        }

    def save(edits: dict[str, Any], if_match: str | None) -> None:
        data = dict(edits)
        if "grading" in data:
            data.update(_grading(systems, data.pop("grading")))
        actions.update_event(actor=user, event=event, data=data, if_match=if_match)

    outcome_form = OutcomeForm(
        request.POST if "update_outcome" in request.POST else None,
        initial=values(),
        record=event,
    )
    outcome_form.fields["grading"].choices = grading_choices(systems)  # type: ignore[attr-defined]
    conflict = False
    if "add_treatment" in request.POST and treatment_form.is_valid():
        try:
            treatment = actions.record_treatment(
                actor=user, event=event, data=treatment_form.cleaned_data
            )
        except Conflict as exc:
            apply_errors(treatment_form, exc)
            conflict = True
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
            saved = save_edit(request, outcome_form, current=values, save=save)
        except ValidationError as exc:
            apply_errors(outcome_form, _grading_errors(exc))
        else:
            if saved:
                messages.success(request, "Grade and outcome saved.")
                return redirect("complications:event", event_id=event.uuid)
            conflict = True  # a colleague changed the same field: theirs is shown, nothing saved
    return render(
        request,
        "complications/event_detail.html",
        {
            "event": (page := _event_page(event)),
            "history": _history(page),
            "patient": event.patient,
            "treatment_form": treatment_form,
            "outcome_form": outcome_form,
            "can_write": has_permission(user, "complication.record"),
        },
        status=_status(treatment_form, outcome_form, conflict=conflict),
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
    conflict = False
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
        except Conflict as exc:
            apply_errors(form, exc)
            conflict = True
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Death recorded; the open episodes are closed.")
            return redirect("patients:detail", patient_id=patient.uuid)
    return render(
        request,
        "complications/death_form.html",
        {"form": form, "patient": patient},
        status=_status(form, conflict=conflict),
    )


@login_required
@require_http_methods(["GET", "POST"])
def grading_systems(request: HttpRequest) -> HttpResponse:
    """The grading schemes in use (shipped and the clinic's), and a form to add the clinic's."""
    user: Any = request.user
    require_permission(user, "settings.manage")
    form = GradingSystemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            system = actions.add_grading_system(actor=user, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{system.name} added: it can now grade events.")
            return redirect("complications:grading_systems")
    return render(
        request,
        "complications/grading_systems.html",
        {"form": form, "systems": grading_systems_for(user).select_related("organisation")},
        status=_status(form),
    )


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    """Every complication of the patients the user may see, filtered; named rows are a read."""
    user: Any = request.user
    if user.membership.role == "patient":
        raise PermissionDenied
    require_permission(user, "patient.view")
    form = EventFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = Paginator(events_for(user, filters), 50).get_page(request.GET.get("page"))
    record_list_read(
        user, sorted({str(e.patient.uuid) for e in page.object_list}), list="complications"
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complications/event_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "today": timezone.localdate()},
        status=_status(form),
    )
