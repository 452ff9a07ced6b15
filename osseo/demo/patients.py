"""The demo's patient accounts: one patient at each point of the pathway a patient lives through
on their own pages (osseo/me), chosen from the seeded cohort by what their record shows:

- in rehabilitation, with a loading diary and a questionnaire due;
- in follow-up, with a connector part (a dualcone) due for a service soonest;
- waiting for surgery, with a plan made (and so a personalised guide).

Each account is made with the same action an invitation ends in (accounts.actions.create_user).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from osseo.accounts.actions import create_user
from osseo.accounts.models import Organisation, Role, User
from osseo.outcomes.assigned import assigned_questionnaires
from osseo.pathway.models import Episode, Phase
from osseo.patients.models import Patient
from osseo.rehab.models import LoadLog
from osseo.surgery.models import CONNECTOR_KINDS, Device, DeviceStatus, RecordStatus

# (username, what the account shows), in the order `osseo demo` prints them.
PATIENT_ACCOUNTS = [
    ("patient-rehab", "rehabilitation: diary, questionnaire due"),
    ("patient-follow", "follow-up: dualcone due for a service soon"),
    ("patient-plan", "waiting for surgery: plan and guide"),
]


def _first(patients: Iterable[Patient], taken: set[int]) -> Patient | None:
    return next((p for p in patients if p.pk not in taken), None)


def _in_rehabilitation(taken: set[int]) -> Patient | None:
    today = timezone.localdate()
    episodes = Episode.objects.filter(phase=Phase.REHABILITATION).select_related("patient")
    with_logs = [
        e.patient
        for e in episodes.order_by("patient__record_number")
        if LoadLog.objects.filter(plan__patient=e.patient).exists()
    ]
    due = [p for p in with_logs if any(a.due for a in assigned_questionnaires(p, today))]
    return _first(due, taken) or _first(with_logs, taken)


def _part_due_soon(taken: set[int]) -> Patient | None:
    """The follow-up patient whose dualcone is due for a service soonest (else another part)."""
    today = timezone.localdate()
    parts = (
        Device.objects.filter(
            kind__in=CONNECTOR_KINDS,
            status=DeviceStatus.IN_PLACE,
            patient__episodes__phase=Phase.FOLLOW_UP,
            forecast__due_on__gte=today,
        )
        .select_related("patient")
        .order_by("forecast__due_on", "patient__record_number")
    )
    dualcones = [d.patient for d in parts if d.kind == "dualcone"]
    return _first(dualcones, taken) or _first((d.patient for d in parts), taken)


def _waiting_for_surgery(taken: set[int]) -> Patient | None:
    episodes = (
        Episode.objects.filter(phase__in=[Phase.PLANNING, Phase.SURGERY], plans__isnull=False)
        .exclude(procedures__status=RecordStatus.SIGNED)
        .select_related("patient")
        .order_by("patient__record_number")
    )
    return _first((e.patient for e in episodes), taken)


def seed_patient_accounts(clinic: Organisation, password: str, taken: set[int]) -> list[User]:
    """An account for each of PATIENT_ACCOUNTS' patients (none of `taken`, nor each other)."""
    made = []
    for (username, _what), find in zip(
        PATIENT_ACCOUNTS, (_in_rehabilitation, _part_due_soon, _waiting_for_surgery), strict=True
    ):
        patient = find(taken)
        if patient is None:
            continue
        taken.add(patient.pk)
        made.append(patient_account(clinic, username, password, patient))
    return made


def patient_account(clinic: Organisation, username: str, password: str, patient: Patient) -> User:
    """A demo patient's own account (the action an invitation ends in)."""
    return create_user(
        actor=None,
        username=username,
        password=password,
        role=Role.PATIENT,
        organisation=clinic,
        patient=patient,
        first_name=patient.given_name,
        last_name=patient.family_name,
        check_password=False,
    )
