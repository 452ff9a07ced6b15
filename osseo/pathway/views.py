from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from osseo.errors import Conflict
from osseo.patients.forms import apply_errors
from osseo.patients.queries import get_limb_for

from . import actions
from .forms import TransitionForm
from .machine import needs_reason
from .queries import get_episode_for


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
        except Conflict as exc:  # the phase table refuses the move from the current phase
            apply_errors(form, exc)  # type: ignore[arg-type]
            status = 409
        else:
            return redirect("patients:detail", patient_id=episode.patient.uuid)
    if status == 200 and form.is_bound and form.errors:
        status = 422
    reasons = {p: needs_reason(episode.phase, p) for p, _ in form.fields["phase"].widget.choices}  # type: ignore[attr-defined]
    return render(
        request,
        "pathway/transition.html",
        {"form": form, "episode": episode, "patient": episode.patient, "reasons": reasons},
        status=status,
    )
