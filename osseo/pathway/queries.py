from __future__ import annotations

import uuid as uuid_module
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from osseo.accounts.models import User
from osseo.patients.queries import get_patient_for, patients_for

from .models import Episode


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
