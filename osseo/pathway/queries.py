from __future__ import annotations

import uuid as uuid_module
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from osseo.accounts.models import User
from osseo.patients.queries import get_patient_for, patients_for

from . import gates
from .gates import Facts, Requirement
from .models import Episode, Phase


def get_episode_for(
    user: User, episode_id: Any, *, permission: str = "patient.view", audit_read: bool = False
) -> Episode:
    """The episode, if its patient is in the user's scope and the user holds `permission`."""
    try:
        key = uuid_module.UUID(str(episode_id))
        episode = Episode.objects.select_related("patient", "limb").get(uuid=key)
    except (ValueError, Episode.DoesNotExist) as exc:
        raise Http404("No such episode.") from exc
    get_patient_for(user, episode.patient.uuid, permission=permission, audit_read=audit_read)
    return episode


def episodes_by_phase(user: User) -> dict[str, int]:
    rows = (
        Episode.objects.filter(patient__in=patients_for(user))
        .values("phase")
        .annotate(n=Count("id"))
    )
    return {row["phase"]: row["n"] for row in rows}


def episodes_in_phase(user: User, phase: str) -> QuerySet[Episode]:
    return (
        Episode.objects.filter(patient__in=patients_for(user), phase=phase)
        .select_related("patient", "limb")
        .order_by("patient__family_name", "patient__given_name")
    )


def gate_facts(episode: Episode) -> Facts:
    """What the gates read about an episode (`gates.Facts`), from the records the other apps keep
    on it (through their relations to the episode, so this app imports none of them)."""
    latest = episode.assessments.order_by("-assessed_on", "-id").first()  # type: ignore[attr-defined]
    plan = episode.plans.order_by("-created_at", "-id").first()  # type: ignore[attr-defined]
    entered = episode.changes.filter(to_phase=Phase.SURGERY).order_by("-at", "-id").first()
    signed = episode.procedures.filter(status="signed")  # type: ignore[attr-defined]
    last_operation = signed.order_by("-performed_on", "-id").first()
    # The episode's own limb's plans: a bilateral patient's other limb has its own episode and
    # its own plan (a plan names its limb, osseo/rehab/actions.create_plan).
    rehab_plan = last_operation is not None and (
        episode.limb.rehab_plans.filter(start_date__gte=last_operation.performed_on).exists()  # type: ignore[attr-defined]
    )
    return Facts(
        mdt_eligibility=latest is not None and latest.decision == "eligible",
        surgical_plan=plan is not None,
        anaesthesia_agreed=plan is not None and plan.anaesthesia_agreed_by_id is not None,
        signed_operative_record=entered is not None
        and signed.filter(created_at__gte=entered.at).exists(),
        rehab_plan=rehab_plan,
        overridden=frozenset(
            episode.overrides.filter(used_at__isnull=True, withdrawn_at__isnull=True).values_list(
                "requirement", flat=True
            )
        ),
    )


def entry_unmet(episode: Episode) -> list[Requirement]:
    """The gate check of the move that brought the episode into its phase, run again on its
    records now: the requirements not met and not passed on an override used for that move
    (empty for an episode that got where it is through its gates)."""
    last = episode.changes.order_by("-at", "-id").first()
    if last is None or not last.from_phase:
        return []
    missing, _ = gates.unmet(
        episode.phase, gate_facts(episode), from_phase=last.from_phase, reason=last.reason
    )
    used = set(
        episode.overrides.filter(used_for=episode.phase).values_list("requirement", flat=True)
    )
    return [r for r in missing if r.code not in used]
