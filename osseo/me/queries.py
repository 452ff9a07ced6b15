"""What the patient's own pages read, beyond the record itself: their episodes (one per treated
limb's journey), chosen only among their own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from osseo.pathway.models import Episode
from osseo.patients.models import Patient
from osseo.patients.queries import get_by_uuid


def my_episodes(patient: Patient) -> QuerySet[Episode]:
    """The patient's episodes, oldest first, with their limbs."""
    return patient.episodes.select_related("limb").order_by("opened_at", "id")


def my_episode(patient: Patient, key: Any) -> Episode | None:
    """The episode `?episode=` names among the patient's own (404 for any other), else their
    latest open one, else their latest; None when they have none."""
    episodes = my_episodes(patient)
    if key:
        return get_by_uuid(episodes, key, "episode")
    open_ones = [e for e in episodes if e.closed_at is None]
    chosen = open_ones or list(episodes)
    return chosen[-1] if chosen else None
