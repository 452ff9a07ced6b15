"""Opening episodes and moving them: `transition_to()` is the only place a phase changes."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from osseo.accounts.models import User
from osseo.accounts.permissions import has_permission
from osseo.audit.labels import register
from osseo.audit.services import record
from osseo.patients.models import ResidualLimb

from .machine import transition_problem
from .models import Episode, Phase, PhaseChange

register(
    {
        "pathway.episode.opened": "Episode of care opened",
        "pathway.episode.transitioned": "Episode moved to another phase",
    }
)


def open_episode(*, actor: User, limb: ResidualLimb, reason: str = "") -> Episode:
    """Open an episode for a limb, in the referral phase; one open episode per limb."""
    if not has_permission(actor, "episode.create"):
        raise PermissionDenied("Your role may not open episodes.")
    with transaction.atomic():
        open_already = (
            Episode.objects.select_for_update()
            .filter(limb=limb)
            .exclude(phase__in=[Phase.CLOSED, Phase.DECLINED])
        )
        if open_already.exists():
            raise ValidationError(
                {
                    "limb": [
                        "This limb already has an open episode; close it before opening another."
                    ]
                }
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


def transition_to(*, actor: User, episode: Episode, to_phase: str, reason: str = "") -> PhaseChange:
    """Move an episode to another phase if the table allows it; record who, when, from, to, why."""
    if not has_permission(actor, "episode.transition"):
        raise PermissionDenied("Your role may not move episodes along the pathway.")
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = Episode.objects.select_for_update().get(pk=episode.pk)
        problem = transition_problem(locked.phase, to_phase, reason)
        if problem:
            raise ValidationError({problem[0]: [problem[1]]})
        from_phase = locked.phase
        now = timezone.now()
        locked.phase = to_phase
        locked.closed_at = now if to_phase in (Phase.CLOSED, Phase.DECLINED) else None
        locked.save(update_fields=["phase", "closed_at"])
        change = PhaseChange.objects.create(
            episode=locked,
            from_phase=from_phase,
            to_phase=to_phase,
            at=now,
            by=actor,
            reason=reason,
        )
        record(
            "pathway.episode.transitioned",
            actor=actor,
            patient=locked.patient,
            obj=locked,
            changes={
                "phase": [from_phase, to_phase],
                **({"reason": [None, reason]} if reason else {}),
            },
        )
    episode.phase = locked.phase
    episode.closed_at = locked.closed_at
    return change
