"""The MDT that decides eligibility (issue 17): who took part, in which discipline, and whether
that is a team NICE would call one.

NICE IPG270 §1 (docs/sources.md#nice-ipg270): "Patient selection must be by an MDT: a surgeon
experienced in amputation and in bone/soft-tissue reconstruction, plus rehab specialists including
experts in prosthetics". The floor is `accounts.disciplines.REQUIRED`; the clinic setting
`mdt_disciplines` can add to it, never remove from it.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from osseo.accounts.clinic_settings import resolve
from osseo.accounts.disciplines import BY_ROLE, REQUIRED, REQUIRED_SOURCE, Discipline
from osseo.accounts.models import Organisation, Role, User
from osseo.errors import Missing
from osseo.patients.models import Patient


@dataclass(frozen=True)
class Participant:
    discipline: str
    user: User | None = None
    name: str = ""
    organisation: str = ""


def _user(value: Any) -> User | None:
    if isinstance(value, User):
        return value
    try:
        key = uuid_module.UUID(str(value))
    except ValueError:
        return None
    return User.objects.select_related("membership__organisation").filter(uuid=key).first()


def allowed_organisations(patient: Patient, actor: User) -> set[int]:
    """Whose users may be named at the MDT: the actor's organisation and those caring for the
    patient (the clinic and its rehabilitation partner)."""
    orgs = set(patient.care_teams.values_list("organisation_id", flat=True))  # type: ignore[attr-defined]
    membership = getattr(actor, "membership", None)
    if membership is not None:
        orgs.add(membership.organisation_id)
    return orgs


def clean_participants(
    raw: Any, *, patient: Patient | None, actor: User, organisations: set[int] | None = None
) -> tuple[list[Participant], list[str]]:
    """The participants as given ({user, discipline} or {name, organisation, discipline}), and
    the problems found, as sentences for the `participants` field. Users come from the
    organisations caring for `patient`, or (for a meeting, before any patient) `organisations`."""
    problems: list[str] = []
    clean: list[Participant] = []
    if not isinstance(raw, list | tuple) or not raw:
        return [], ["Name who took part: clinic users, or outside professionals by name."]
    orgs = (
        allowed_organisations(patient, actor) if patient is not None else set(organisations or ())
    )
    seen: set[tuple[Any, str]] = set()
    for n, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.append(f"Participant {n}: give a user or a name, with a discipline.")
            continue
        discipline = str(item.get("discipline") or "")
        if discipline not in Discipline.values:
            problems.append(
                f"Participant {n}: the discipline is one of {', '.join(Discipline.values)}."
            )
            continue
        if item.get("user"):
            user = _user(item["user"])
            membership = getattr(user, "membership", None) if user else None
            if (
                user is None
                or not user.is_active
                or membership is None
                or membership.role == Role.PATIENT
                or membership.organisation_id not in orgs
            ):
                problems.append(
                    f"Participant {n}: not a colleague at this clinic or its partner; name an "
                    "outside professional with their organisation instead."
                )
                continue
            if discipline not in BY_ROLE.get(membership.role, frozenset()):
                problems.append(
                    f"Participant {n}: {user.get_full_name() or user.username} is a "
                    f"{Role(membership.role).label.lower()} and cannot take part as "
                    f"{Discipline(discipline).label.lower()}."
                )
                continue
            key: tuple[Any, str] = (user.pk, discipline)
            participant = Participant(discipline, user=user)
        else:
            name = str(item.get("name") or "").strip()
            organisation = str(item.get("organisation") or "").strip()
            if not name or not organisation or len(name) > 200 or len(organisation) > 200:
                problems.append(
                    f"Participant {n}: an outside professional needs a name and an "
                    "organisation (at most 200 characters each)."
                )
                continue
            key = (name.casefold(), discipline)
            participant = Participant(discipline, name=name, organisation=organisation)
        if key in seen:
            problems.append(f"Participant {n} is listed twice.")
            continue
        seen.add(key)
        clean.append(participant)
    return clean, problems


def required_disciplines(organisation: Organisation | None) -> list[str]:
    """The clinic's required composition: its setting, never less than NICE's floor."""
    setting = resolve(organisation, "mdt_disciplines").value
    extra = [d for d in setting if d in Discipline.values] if isinstance(setting, list) else []
    return [d for d in Discipline.values if d in REQUIRED or d in extra]


def composition_missing(
    participants: Iterable[Participant], required: Iterable[str]
) -> list[Missing]:
    """The disciplines the MDT lacks, each as a `Missing` with its source."""
    present = {p.discipline for p in participants}
    return [
        Missing(
            f"mdt_{code}",
            f"A {Discipline(code).label.lower()} taking part in the MDT.",
            REQUIRED_SOURCE if code in REQUIRED else "Clinic setting: MDT disciplines",
        )
        for code in required
        if code not in present
    ]
