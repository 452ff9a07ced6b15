"""Episodes and their transitions over the API."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from osseo.patients.queries import get_limb_for, get_patient_for
from osseo.problem import errors, write_errors

from . import actions
from .models import Episode, Phase
from .queries import get_episode_for

router = Router(tags=["pathway"])


class EpisodeIn(Schema):
    limb: uuid.UUID
    reason: str = Field("", max_length=2000)


class TransitionIn(Schema):
    phase: Phase
    reason: str = Field("", max_length=2000)


class PhaseChangeOut(Schema):
    from_phase: str
    to_phase: str
    at: dt.datetime
    by: str = Field(alias="by.username")
    reason: str


class OverrideIn(Schema):
    requirement: str = Field(
        ...,
        max_length=40,
        description="The code of the gate requirement to override (never mdt_eligibility).",
    )
    reason: str = Field(..., max_length=2000)


class OverrideOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    requirement: str
    reason: str
    by: str = Field(alias="by.username")
    at: dt.datetime
    used_for: str = Field(description="The move that went through on it; empty while pending.")
    withdrawn_at: dt.datetime | None = Field(
        description="When it was withdrawn while pending (it then lets nothing through)."
    )
    withdrawn_by: str | None = Field(None, alias="withdrawn_by.username")
    withdrawal_reason: str


class OverrideWithdrawalIn(Schema):
    reason: str = Field(..., max_length=2000)


class EpisodeOut(Schema):
    id: uuid.UUID = Field(alias="uuid")
    patient: uuid.UUID = Field(alias="patient.uuid")
    limb: uuid.UUID = Field(alias="limb.uuid")
    phase: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    changes: list[PhaseChangeOut]
    overrides: list[OverrideOut]


def _loaded(episode: Episode) -> Episode:
    return (
        Episode.objects.select_related("patient", "limb")
        .prefetch_related("changes__by", "overrides__by", "overrides__withdrawn_by")
        .get(pk=episode.pk)
    )


@router.post(
    "/patients/{patient_id}/episodes",
    response={201: EpisodeOut, **write_errors()},
    operation_id="open_episode",
)
def open_episode(request: HttpRequest, patient_id: uuid.UUID, payload: EpisodeIn) -> Status[Any]:
    user = request.user
    patient = get_patient_for(user, patient_id, permission="episode.create", audit_read=False)  # type: ignore[arg-type]
    limb = get_limb_for(user, payload.limb, permission="episode.create")  # type: ignore[arg-type]
    if limb.patient_id != patient.pk:
        from django.core.exceptions import ValidationError

        raise ValidationError({"limb": ["That limb belongs to another patient."]})
    episode = actions.open_episode(actor=user, limb=limb, reason=payload.reason)  # type: ignore[arg-type]
    return Status(201, _loaded(episode))


@router.get(
    "/episodes/{episode_id}",
    response={200: EpisodeOut, **errors(403, 404)},
    operation_id="get_episode",
)
def get_episode(request: HttpRequest, episode_id: uuid.UUID) -> Any:
    episode = get_episode_for(request.user, episode_id, audit_read=True)  # type: ignore[arg-type]
    return _loaded(episode)


@router.post(
    "/episodes/{episode_id}/transitions",
    response={201: EpisodeOut, **write_errors()},
    operation_id="transition_episode",
)
def transition_episode(
    request: HttpRequest, episode_id: uuid.UUID, payload: TransitionIn
) -> Status[Any]:
    """Move the episode to another phase; a move the phase table refuses from the current phase
    is a 409 naming the moves it allows."""
    episode = get_episode_for(request.user, episode_id, permission="episode.transition")  # type: ignore[arg-type]
    actions.transition_to(
        actor=request.user,  # type: ignore[arg-type]
        episode=episode,
        to_phase=payload.phase,
        reason=payload.reason,
    )
    return Status(201, _loaded(episode))


@router.post(
    "/episodes/{episode_id}/overrides",
    response={201: EpisodeOut, **write_errors()},
    operation_id="override_gate",
)
def override_gate(request: HttpRequest, episode_id: uuid.UUID, payload: OverrideIn) -> Status[Any]:
    """A surgeon overrides one requirement of the episode's next move (or operation) with a
    reason; the MDT's eligibility decision cannot be overridden (422)."""
    episode = get_episode_for(request.user, episode_id, permission="gate.override")  # type: ignore[arg-type]
    actions.override_gate(
        actor=request.user,  # type: ignore[arg-type]
        episode=episode,
        requirement=payload.requirement,
        reason=payload.reason,
    )
    return Status(201, _loaded(episode))


@router.post(
    "/episodes/{episode_id}/overrides/{override_id}/withdrawal",
    response={200: EpisodeOut, **write_errors()},
    operation_id="withdraw_gate_override",
)
def withdraw_gate_override(
    request: HttpRequest,
    episode_id: uuid.UUID,
    override_id: uuid.UUID,
    payload: OverrideWithdrawalIn,
) -> Any:
    """Withdraw a pending override, with a reason: its surgeon or a clinic administrator (403
    for anyone else); one already used or withdrawn is a 409."""
    episode = get_episode_for(request.user, episode_id, permission="gate.withdraw")  # type: ignore[arg-type]
    override = episode.overrides.filter(uuid=override_id).first()
    if override is None:
        raise Http404("No such override on this episode.")
    actions.withdraw_gate_override(
        actor=request.user,  # type: ignore[arg-type]
        override=override,
        reason=payload.reason,
    )
    return _loaded(episode)
