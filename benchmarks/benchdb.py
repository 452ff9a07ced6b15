"""A throwaway clinic for the page benchmarks: a migrated database (SQLite in a temporary folder,
or the empty PostgreSQL database given), one OI clinic with a surgeon, and patients bulk-loaded
as the apps' rows."""

import datetime as dt
import os
import tempfile
from typing import Any


def throwaway_clinic(prefix: str, database_url: str | None = None) -> tuple[Any, Any]:
    """Set Django up on a new SQLite database in a temporary folder (the var folder too), or on
    `database_url`, which must hold no patients; return the clinic and its surgeon."""
    folder = tempfile.mkdtemp(prefix=prefix)
    os.environ["OSSEO_VAR_DIR"] = folder
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osseo.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from osseo.accounts.actions import create_organisation, create_user
    from osseo.patients.models import Patient

    call_command("migrate", verbosity=0)
    if Patient.objects.exists():
        raise SystemExit("The database in DATABASE_URL holds patients: give an empty one.")
    clinic = create_organisation(name="Bench clinic", slug="bench", kind="oi_clinic")
    surgeon = create_user(
        actor=None,
        username="bench",
        password="bench-password-1",  # noqa: S106  (a throwaway benchmark database)
        role="surgeon",
        organisation=clinic,
        check_password=False,
    )
    return clinic, surgeon


def operated_patients(
    clinic: Any, surgeon: Any, sites: list[str], operated: list[dt.date], kinds: list[str]
) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """One patient a site given, in the clinic's care and in follow-up after a signed operation
    of the kind given on the date given; their patients, limbs, episodes and procedures."""
    from osseo.pathway.models import Episode
    from osseo.patients.models import CareTeam, Patient, ResidualLimb
    from osseo.surgery.models import Procedure

    now = dt.datetime.now(dt.UTC)
    patients = Patient.objects.bulk_create(
        [
            Patient(
                given_name="B", family_name=f"P{i}", birth_date=dt.date(1970, 1, 1), sex="female"
            )
            for i in range(len(sites))
        ],
        batch_size=5000,
    )
    CareTeam.objects.bulk_create(
        [CareTeam(patient=p, organisation=clinic, since=now) for p in patients], batch_size=5000
    )
    limbs = ResidualLimb.objects.bulk_create(
        [
            ResidualLimb(
                patient=p,
                site=sites[i],
                side="left",
                amputation_date=dt.date(1990, 1, 1),
                cause="trauma",
            )
            for i, p in enumerate(patients)
        ],
        batch_size=5000,
    )
    episodes = Episode.objects.bulk_create(
        [
            Episode(patient=p, limb=limbs[i], phase="follow_up", opened_at=now)
            for i, p in enumerate(patients)
        ],
        batch_size=5000,
    )
    procedures = Procedure.objects.bulk_create(
        [
            Procedure(
                episode=episodes[i],
                patient=p,
                limb=limbs[i],
                kind=kinds[i],
                performed_on=operated[i],
                surgeon=surgeon,
                status="signed",
            )
            for i, p in enumerate(patients)
        ],
        batch_size=5000,
    )
    return patients, limbs, episodes, procedures


def follow_up_cohort(clinic: Any, surgeon: Any, n: int, seed: int) -> tuple[list[Any], int]:
    """A large clinic's worklist: n patients in follow-up after a signed single-stage femur
    operation (30 days to 10 years ago), each with an implant and a dualcone whose service
    forecast falls over the next two years (some overdue), and one patient in twenty with an
    ongoing grade 2 soft-tissue infection. Returns the patients and the dualcones overdue."""
    import numpy as np
    from django.utils import timezone

    from osseo.complications.models import AdverseEvent, Grade, GradingSystem
    from osseo.connectors.models import Forecast
    from osseo.surgery.models import Device

    rng = np.random.default_rng(seed)
    today = timezone.localdate()
    now = timezone.now()
    operated = [today - dt.timedelta(days=int(d)) for d in rng.integers(30, 3650, n)]
    due_in = rng.integers(-60, 730, n)  # days until the dualcone is due; some overdue
    patients, limbs, episodes, procedures = operated_patients(
        clinic, surgeon, ["femur"] * n, operated, ["single_stage"] * n
    )
    devices = Device.objects.bulk_create(
        [
            Device(
                patient=p,
                limb=limbs[i],
                kind=kind,
                gtin="09506000134352",
                lot=f"L{i % 500}",
                placed_on=operated[i],
                placed_by=procedures[i],
                status="in_place",
            )
            for i, p in enumerate(patients)
            for kind in ("implant", "dualcone")
        ],
        batch_size=5000,
    )
    Forecast.objects.bulk_create(
        [
            Forecast(
                device=d,
                due_on=today + dt.timedelta(days=int(due_in[i // 2])),
                basis="time",
                basis_text="Time limit (benchmark)",
                computed_at=now,
            )
            for i, d in enumerate(devices)
            if d.kind == "dualcone"
        ],
        batch_size=5000,
    )
    system = GradingSystem.objects.get(code="radboud-infection")
    grade = Grade.objects.get(system=system, code="2")
    AdverseEvent.objects.bulk_create(
        [
            AdverseEvent(
                patient=p,
                limb=limbs[i],
                episode=episodes[i],
                kind="infection_soft_tissue",
                onset_on=today - dt.timedelta(days=int(rng.integers(1, 300))),
                outcome="ongoing",
                grading_system=system,
                grade=grade,
                recorded_by=surgeon,
            )
            for i, p in enumerate(patients)
            if i % 20 == 0
        ],
        batch_size=5000,
    )
    return patients, int((due_in < 0).sum())
