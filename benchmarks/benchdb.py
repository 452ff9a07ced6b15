"""A throwaway clinic for the page benchmarks: a migrated SQLite database in a temporary folder,
one OI clinic with a surgeon, and patients bulk-loaded as the apps' rows."""

import datetime as dt
import os
import tempfile
from typing import Any


def throwaway_clinic(prefix: str) -> tuple[Any, Any]:
    """Set Django up on a new SQLite database; return the clinic and its surgeon."""
    folder = tempfile.mkdtemp(prefix=prefix)
    os.environ["OSSEO_VAR_DIR"] = folder
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osseo.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from osseo.accounts.actions import create_organisation, create_user

    call_command("migrate", verbosity=0)
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
