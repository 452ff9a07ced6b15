"""What the patient's own pages read, beyond the record itself: their episodes (one per treated
limb's journey), chosen only among their own; their care team; their access history in words."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from osseo.accounts.models import Role, User
from osseo.audit.labels import label_for
from osseo.audit.models import AuditEntry
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


def care_team(patient: Patient) -> list[dict[str, Any]]:
    """The organisations caring for the patient now (the clinic, a rehabilitation partner they
    are referred to) and the people there whose role lets them see the record
    (osseo/accounts/permissions.py: every clinical role at a caring organisation)."""
    teams = (
        patient.care_teams.filter(until__isnull=True)
        .select_related("organisation")
        .order_by("since", "id")
    )
    found = []
    for team in teams:
        people = (
            User.objects.filter(membership__organisation=team.organisation, is_active=True)
            .exclude(membership__role=Role.PATIENT)
            .select_related("membership")
            .order_by("last_name", "first_name", "username")
        )
        found.append(
            {
                "organisation": team.organisation,
                "since": team.since,
                "people": [
                    (p.get_full_name() or p.username, p.membership.get_role_display())
                    for p in people
                ],
            }
        )
    return found


def access_history(patient: Patient) -> QuerySet[AuditEntry]:
    """Every view and change of the patient's record, newest first."""
    return (
        AuditEntry.objects.filter(patient=patient)
        .select_related("actor__membership__organisation")
        .order_by("-seq")
    )


# The commonest entries, said to the patient; any other is its audit label.
HISTORY_WORDS = {
    "patients.patient.viewed": "looked at your record",
    "patients.patient.updated": "changed your details",
    "surgery.guide.viewed": "looked at your guide",
}


def history_line(entry: AuditEntry, user: Any) -> dict[str, Any]:
    """One entry of the access history in words: when, who (you, or a name with role and
    organisation), what."""
    actor = entry.actor
    if actor is not None and actor.pk == user.pk:
        who = "You"
    elif actor is None:
        who = "Osseo itself"
    else:
        membership = getattr(actor, "membership", None)
        who = actor.get_full_name() or actor.username
        if membership is not None:
            who += f" ({membership.get_role_display().lower()}, {membership.organisation.name})"
    what = HISTORY_WORDS.get(entry.action) or label_for(entry.action).lower()
    return {"at": entry.at, "who": who, "what": what}


def grouped(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive lines of the same person doing the same thing on the same day, as one line
    with a count (the latest time kept), so that a day of reading is one line, not twenty."""
    out: list[dict[str, Any]] = []
    for line in lines:
        last = out[-1] if out else None
        if (
            last is not None
            and (last["who"], last["what"]) == (line["who"], line["what"])
            and last["at"].date() == line["at"].date()
        ):
            last["count"] += 1
        else:
            out.append({**line, "count": 1})
    return out
