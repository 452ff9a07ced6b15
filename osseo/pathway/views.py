from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from osseo.accounts.permissions import has_permission
from osseo.errors import Conflict, Missing
from osseo.patients.forms import apply_errors
from osseo.patients.queries import get_limb_for

from . import actions, gates
from .forms import OverrideForm, TransitionForm
from .machine import needs_reason, next_phases
from .models import Episode, Phase
from .queries import gate_facts, get_episode_for


def gate_link(episode: Episode, code: str, user: Any) -> str:
    """Where a gate's requirement is done, for the screen's list of what a move needs; no link
    to a form the user may not open (a coordinator does not record the operation)."""
    if code == gates.MDT_ELIGIBILITY.code:
        if not has_permission(user, "assessment.record"):
            return ""
        return reverse("surgery:assessment_new", args=[episode.uuid])
    if code in (gates.SURGICAL_PLAN.code, gates.ANAESTHESIA_AGREED.code):
        return reverse("surgery:plan", args=[episode.uuid])
    if code == gates.SIGNED_RECORD.code:
        last = episode.procedures.order_by("-performed_on", "-id").first()  # type: ignore[attr-defined]
        if last is not None:
            return reverse("surgery:procedure", args=[last.uuid])
        if not has_permission(user, "procedure.record"):
            return ""
        return reverse("surgery:procedure_new", args=[episode.uuid])
    if code == gates.REHAB_PLAN_OR_REASON.code:
        return reverse("rehab:patient", args=[episode.patient.uuid])
    return ""


def linked(episode: Episode, missing: list[Missing], user: Any) -> list[dict[str, object]]:
    return [
        {
            **m.as_dict(),
            "url": gate_link(episode, m.code, user),
            "overridable": getattr(gates.REQUIREMENTS.get(m.code), "overridable", False),
        }
        for m in missing
    ]


def _forward_needs(episode: Episode, user: Any) -> list[dict[str, object]]:
    """What each move onward from here still needs, for the page before the user chooses."""
    facts = gate_facts(episode)
    rows: list[dict[str, object]] = []
    for phase in [*gates.GATES]:
        if phase == gates.OPERATION and episode.phase != Phase.SURGERY:
            continue
        if phase != gates.OPERATION and phase not in next_phases(episode.phase):
            continue
        missing, _ = gates.unmet(phase, facts, from_phase=episode.phase)
        if missing:
            label = (
                "Recording an operation"
                if phase == gates.OPERATION
                else f"Moving to {Phase(phase).label}"
            )
            rows.append(
                {"move": label, "missing": linked(episode, gates.as_missing(missing), user)}
            )
    return rows


@login_required
@require_POST
def episode_open(request: HttpRequest, limb_id: str) -> HttpResponse:
    limb = get_limb_for(request.user, limb_id, permission="episode.create")  # type: ignore[arg-type]
    try:
        actions.open_episode(actor=request.user, limb=limb)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except Conflict as exc:  # shown on the patient's page, where the open episode is
        messages.error(request, str(exc))
    return redirect("patients:detail", patient_id=limb.patient.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def episode_transition(request: HttpRequest, episode_id: str) -> HttpResponse:
    episode = get_episode_for(
        request.user,  # type: ignore[arg-type]
        episode_id,
        permission="episode.transition",
        audit_read=request.method == "GET",
    )
    form = TransitionForm(request.POST or None, current=episode.phase)
    status = 200
    missing: list[dict[str, object]] = []
    if request.method == "POST" and form.is_valid():
        try:
            actions.transition_to(
                actor=request.user,  # type: ignore[arg-type]
                episode=episode,
                to_phase=form.cleaned_data["phase"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)  # type: ignore[arg-type]
        except Conflict as exc:  # the phase table or a gate refuses the move
            form.add_error(None, str(exc))
            missing = linked(episode, exc.missing, request.user)
            status = 409
        else:
            return redirect("patients:detail", patient_id=episode.patient.uuid)
    if status == 200 and form.is_bound and form.errors:
        status = 422
    reasons = {p: needs_reason(episode.phase, p) for p, _ in form.fields["phase"].widget.choices}  # type: ignore[attr-defined]
    return render(
        request,
        "pathway/transition.html",
        {
            "form": form,
            "episode": episode,
            "patient": episode.patient,
            "reasons": reasons,
            "missing": missing,
            "needs": _forward_needs(episode, request.user),
            "can_override": has_permission(request.user, "gate.override"),  # type: ignore[arg-type]
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def gate_override(request: HttpRequest, episode_id: str) -> HttpResponse:
    """A surgeon overrides one gate requirement of the episode's next move, with a reason."""
    episode = get_episode_for(
        request.user,  # type: ignore[arg-type]
        episode_id,
        permission="gate.override",
        audit_read=request.method == "GET",
    )
    form = OverrideForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.override_gate(
                actor=request.user,  # type: ignore[arg-type]
                episode=episode,
                requirement=form.cleaned_data["requirement"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)  # type: ignore[arg-type]
        except Conflict as exc:
            apply_errors(form, exc)  # type: ignore[arg-type]
            status = 409
        else:
            messages.success(request, "Override recorded; it applies to the next move.")
            return redirect("patients:detail", patient_id=episode.patient.uuid)
    if status == 200 and form.is_bound and form.errors:
        status = 422
    return render(
        request,
        "pathway/override.html",
        {"form": form, "episode": episode, "patient": episode.patient},
        status=status,
    )
