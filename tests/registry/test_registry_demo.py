"""`osseo demo --registry N`: a synthetic multi-centre cohort in demonstration centres, shown
beside the clinic's registry as the labelled comparator and never mixed into its own figures."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from osseo.accounts.models import Organisation
from osseo.demo.registry import seed_registry_demo
from osseo.patients.models import Site
from osseo.patients.queries import patients_for
from osseo.registry.queries import demonstration_cohort, implant_cohort
from osseo.surgery.models import Device, DeviceKind
from tests.conftest import client_for

N = 800
TODAY = dt.date(2026, 6, 1)  # a fixed day: the cohort does not depend on when the test runs


@pytest.fixture
def demo(world):
    return seed_registry_demo(N, today=TODAY)


def test_the_demonstration_is_its_own_labelled_organisations(demo):
    centres = Organisation.objects.filter(demonstration=True)
    assert demo.created and demo.centres == centres.count() == 3
    assert all("synthetic" in c.name for c in centres)
    cohort = demonstration_cohort()
    # N first implants, plus the implants placed in revisions.
    revisions = int((cohort.strategy == "revision").sum())
    assert len(cohort) == N + revisions
    assert set(cohort.site.tolist()) == {s.value for s in Site}
    assert set(cohort.fixation.tolist()) == {"press_fit", "threaded"}
    assert {"single_stage", "staged", "revision"} <= set(cohort.strategy.tolist())
    assert (cohort.explanted != -1).sum() > 0 and revisions > 0
    assert (cohort.any_infection != -1).sum() > 0 and (cohort.died != -1).sum() > 0
    # Seeding again adds nothing.
    assert seed_registry_demo(N, today=TODAY).created is False
    assert Device.objects.filter(kind=DeviceKind.IMPLANT).count() == len(cohort)


def test_the_clinics_own_counts_lists_and_exports_leave_the_demonstration_out(world, demo):
    surgeon, admin = world.users["surgeon"], world.users["clinic_admin"]
    assert not patients_for(surgeon).filter(care_teams__organisation__demonstration=True).exists()
    assert len(implant_cohort(surgeon)) == 0
    for user in (surgeon, admin):
        client = client_for(user)
        page = client.get("/registry/").content.decode()
        assert "0 implants placed by signed operations" in page
        dataset = client.get("/registry/?export=dataset").content.decode()
        rows = list(csv.DictReader(io.StringIO(dataset)))
        assert rows == []
        curves = client.get("/registry/?export=curves").content.decode()
        assert curves.strip().splitlines() == [
            "analysis,group,years,estimate,lower_95,upper_95,shown"
        ]
        patients = client.get("/patients/").content.decode()
        assert "Synthetic" not in patients and "Registry 0" not in patients


def test_the_registry_shows_the_comparison_at_each_site_labelled_demonstration(world, demo):
    page = client_for(world.users["surgeon"]).get("/registry/?by=site").content.decode()
    assert "Comparator: demonstration registry (synthetic)" in page
    assert "synthetic implants from demonstration centres" in page
    blocks = re.findall(
        r"<caption class=\"visually-hidden\">Demonstration registry \(synthetic\): comparison "
        r"within each site</caption>(.*?)</table>",
        page,
        re.S,
    )
    assert len(blocks) == 2  # the guide's two claims: staging and fixation
    for block in blocks:
        rows = re.findall(
            r'<th scope="row" data-label="Site">([^<]+?) \(\d+\)</th>(.*?)</tr>', block, re.S
        )
        assert {site for site, _ in rows} == {s.label for s in Site}  # named, not coded
        for site, cells in rows:
            assert "No comparator" not in cells, site
            # Two arms, each with its estimate and interval at one year.
            assert len(re.findall(r"\d+% \(\d+\u2013\d+%\)", cells)) == 2, site
