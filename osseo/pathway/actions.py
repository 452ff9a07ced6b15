"""Opening episodes and moving them: `transition_to()` is the only place a phase changes.

Both go through the action contract (`osseo.contract.action`): the permission, one transaction,
the row whose state is checked locked and re-read first (the limb for opening, the episode for a
move), a refused move answered with `Conflict` (409) and invalid input with `ValidationError`."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from osseo.accounts.models import Role, User
from osseo.audit.labels import register
from osseo.audit.services import record
from osseo.contract import action
from osseo.errors import Conflict, Missing
from osseo.patients.models import ResidualLimb

from . import gates
from .machine import transition_problem
from .models import Episode, GateOverride, Phase, PhaseChange
from .queries import gate_facts

register(
    {
        "pathway.episode.opened": "Episode of care opened",
        "pathway.episode.transitioned": "Episode moved to another phase",
        "pathway.gate.overridden": "Surgeon overrode a pathway gate",
        "pathway.gate.override_withdrawn": "Pending gate override withdrawn",
    }
)


@action(permission="episode.create", locks=["limb"])
def open_episode(
    *, actor: User, limb: ResidualLimb, reason: str = "", opened_at: dt.datetime | None = None
) -> Episode:
    """Open an episode for a limb, in the referral phase; one open episode per limb (the limb is
    locked, so two concurrent requests cannot both open one). `opened_at`: when the referral was
    made, for one received from another system (osseo/interop), never in the future."""
    if Episode.objects.filter(limb=limb).exclude(phase__in=[Phase.CLOSED, Phase.DECLINED]).exists():
        raise Conflict(
            "This limb already has an open episode; close it before opening another.",
            missing=[Missing("open_episode_closed", "Close the limb's open episode first.")],
        )
    now = timezone.now()
    if opened_at is not None:
        if opened_at > now:
            raise ValidationError({"opened_at": ["The referral cannot be dated in the future."]})
        now = opened_at
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
    used = pass_gate(actor=actor, episode=episode, move=to_phase, reason=reason)
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
            **({"overrides": [None, [o.requirement for o in used]]} if used else {}),
        },
    )
    return change


@action()
def pass_gate(*, actor: User, episode: Episode, move: str, reason: str = "") -> list[GateOverride]:
    """Check a move's gate (`gates.GATES`) inside the caller's action, with the episode locked by
    it: refused with `Conflict` listing every unmet requirement; the pending overrides the move
    relies on are marked used by it (and returned)."""
    facts = gate_facts(episode)
    missing, overridden = gates.unmet(move, facts, from_phase=episode.phase, reason=reason)
    if missing:
        what = (
            "The operation cannot be recorded yet."
            if move == gates.OPERATION
            else f"The episode cannot move to {Phase(move).label} yet."
        )
        raise Conflict(what, missing=gates.as_missing(missing))
    used = list(
        episode.overrides.filter(
            used_at__isnull=True,
            withdrawn_at__isnull=True,
            requirement__in=[r.code for r in overridden],
        )
    )
    now = timezone.now()
    for override in used:
        override.used_at = now
        override.used_for = move
        override.save(update_fields=["used_at", "used_for"])
    return used


@action(permission="gate.override", locks=["episode"])
def override_gate(*, actor: User, episode: Episode, requirement: str, reason: str) -> GateOverride:
    """A surgeon lets the episode's next move (or operation) go through without one requirement,
    saying why. The MDT's eligibility decision cannot be overridden (NICE IPG270,
    docs/sources.md#nice-ipg270); an override waits, pending, until the move that needs it."""
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    req = gates.REQUIREMENTS.get(requirement)
    if req is None:
        errors["requirement"] = [
            f"Choose a requirement that can be overridden: {', '.join(gates.OVERRIDABLE)}."
        ]
    elif not req.overridable:
        errors["requirement"] = [f"{req.label} This cannot be overridden ({req.source})."]
    if not reason:
        errors["reason"] = ["Say why the requirement is overridden."]
    if errors:
        raise ValidationError(errors)
    if not episode.is_open:
        raise Conflict("A closed or declined episode has no gates to override.")
    if episode.overrides.filter(
        used_at__isnull=True, withdrawn_at__isnull=True, requirement=requirement
    ).exists():
        raise Conflict("This requirement already has an override waiting for the next move.")
    override = GateOverride.objects.create(
        episode=episode,
        requirement=requirement,
        reason=reason,
        by=actor,
        at=timezone.now(),
        phase=episode.phase,
    )
    record(
        "pathway.gate.overridden",
        actor=actor,
        patient=episode.patient,
        obj=episode,
        changes={"requirement": [None, requirement], "reason": [None, reason]},
    )
    return override


@action(permission="gate.withdraw", locks=["override"])
def withdraw_gate_override(*, actor: User, override: GateOverride, reason: str) -> GateOverride:
    """Withdraw a pending override, saying why: by the surgeon who gave it or a clinic
    administrator. It then lets no move through; one already used, or withdrawn, stays as it is
    (409): the move it let through is history, undone only by moving the episode again."""
    membership = getattr(actor, "membership", None)
    if override.by_id != actor.pk and (membership is None or membership.role != Role.CLINIC_ADMIN):
        raise PermissionDenied(
            "Only the surgeon who gave the override, or a clinic administrator, may withdraw it."
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the override is withdrawn."]})
    if override.used_at is not None:
        raise Conflict(
            f"This override was already used for the move to {override.used_for}.",
            missing=[Missing("override_pending", "Only a pending override can be withdrawn.")],
        )
    if override.withdrawn_at is not None:
        raise Conflict(
            "This override was already withdrawn.",
            missing=[Missing("override_pending", "Only a pending override can be withdrawn.")],
        )
    override.withdrawn_at = timezone.now()
    override.withdrawn_by = actor
    override.withdrawal_reason = reason
    override.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    record(
        "pathway.gate.override_withdrawn",
        actor=actor,
        patient=override.episode.patient,
        obj=override.episode,
        changes={
            "requirement": [override.requirement, None],
            "withdrawal_reason": [None, reason],
        },
    )
    return override


def _refused_move(from_phase: str, to_phase: str, explanation: str) -> Conflict:
    """The state machine's refusal: already there, or closed for good (nothing to list), or not a
    move from here (the explanation names the moves that are)."""
    if to_phase == from_phase or from_phase == Phase.CLOSED:
        return Conflict(explanation)
    return Conflict(
        f"The episode cannot move to {Phase(to_phase).label} now.",
        missing=[Missing("allowed_move", explanation)],
    )
