"""Opening episodes and moving them: `transition_to()` is the only place a phase changes.

Both go through the action contract (`osseo.contract.action`): the permission, one transaction,
the row whose state is checked locked and re-read first (the limb for opening, the episode for a
move), a refused move answered with `Conflict` (409) and invalid input with `ValidationError`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from osseo.accounts.models import User
from osseo.audit.labels import register
from osseo.audit.services import record
from osseo.contract import action
from osseo.errors import Conflict, Missing
from osseo.patients.models import ResidualLimb

from .machine import transition_problem
from .models import Episode, Phase, PhaseChange

register(
    {
        "pathway.episode.opened": "Episode of care opened",
        "pathway.episode.transitioned": "Episode moved to another phase",
    }
)


@action(permission="episode.create", locks=["limb"])
def open_episode(*, actor: User, limb: ResidualLimb, reason: str = "") -> Episode:
    """Open an episode for a limb, in the referral phase; one open episode per limb (the limb is
    locked, so two concurrent requests cannot both open one)."""
    if Episode.objects.filter(limb=limb).exclude(phase__in=[Phase.CLOSED, Phase.DECLINED]).exists():
        raise Conflict(
            "This limb already has an open episode; close it before opening another.",
            missing=[Missing("open_episode_closed", "Close the limb's open episode first.")],
        )
    now = timezone.now()
    episode = Episode.objects.create(
        patient=limb.patient, limb=limb, phase=Phase.REFERRAL, opened_at=now
    )
    PhaseChange.objects.create(
        episode=episode, from_phase="", to_phase=Phase.REFERRAL, at=now, by=actor, reason=reason
    )
    record(
        "pathway.episode.opened",
        actor=actor,
        patient=limb.patient,
        obj=episode,
        changes={"phase": [None, Phase.REFERRAL], "limb": [None, str(limb.uuid)]},
    )
    return episode


@action(permission="episode.transition", locks=["episode"])
def transition_to(*, actor: User, episode: Episode, to_phase: str, reason: str = "") -> PhaseChange:
    """Move an episode to another phase if the table allows it; record who, when, from, to, why.

    An unknown phase, or a move that needs a reason given none, is invalid input (422); a move
    the table forbids from the episode's current phase is a `Conflict` (409)."""
    reason = (reason or "").strip()
    from_phase = episode.phase
    problem = transition_problem(from_phase, to_phase, reason)
    if problem and (problem[0] == "reason" or to_phase not in Phase.values):
        raise ValidationError({problem[0]: [problem[1]]})
    if problem:
        raise _refused_move(from_phase, to_phase, problem[1])
    now = timezone.now()
    episode.phase = to_phase
    episode.closed_at = now if to_phase in (Phase.CLOSED, Phase.DECLINED) else None
    episode.save(update_fields=["phase", "closed_at"])
    change = PhaseChange.objects.create(
        episode=episode, from_phase=from_phase, to_phase=to_phase, at=now, by=actor, reason=reason
    )
    record(
        "pathway.episode.transitioned",
        actor=actor,
        patient=episode.patient,
        obj=episode,
        changes={
            "phase": [from_phase, to_phase],
            **({"reason": [None, reason]} if reason else {}),
        },
    )
    return change


def _refused_move(from_phase: str, to_phase: str, explanation: str) -> Conflict:
    """The state machine's refusal: already there, or closed for good (nothing to list), or not a
    move from here (the explanation names the moves that are)."""
    if to_phase == from_phase or from_phase == Phase.CLOSED:
        return Conflict(explanation)
    return Conflict(
        f"The episode cannot move to {Phase(to_phase).label} now.",
        missing=[Missing("allowed_move", explanation)],
    )
