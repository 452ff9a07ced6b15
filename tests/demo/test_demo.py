from django.core.management import call_command

from osseo.audit.services import verify_chain
from osseo.pathway.models import Episode, Phase
from osseo.patients.models import Patient, ResidualLimb, Site
from osseo.patients.nhs import is_valid_nhs_number


def test_the_demo_seeds_a_cohort_across_every_site_and_phase(db, capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert "Seeded the demo: 48 fictional patients." in out
    for username in [
        "surgeon",
        "anaesthetist",
        "prosthetist",
        "coordinator",
        "admin",
        "rehab",
        "patient",
    ]:
        assert f"  {username} " in out
    assert Patient.objects.count() >= 40
    assert set(ResidualLimb.objects.values_list("site", flat=True)) == set(Site.values)
    assert set(Episode.objects.values_list("phase", flat=True)) == set(Phase.values)
    assert all(
        is_valid_nhs_number(n)
        for n in Patient.objects.exclude(nhs_number="").values_list("nhs_number", flat=True)
    )
    assert verify_chain().ok


def test_the_demo_is_deterministic_and_runs_once(db, capsys):
    call_command("demo")
    first = list(
        Patient.objects.order_by("record_number").values_list(
            "given_name", "family_name", "birth_date", "nhs_number"
        )[:5]
    )
    assert first[0][:2] == ("Alys", "Ashdown")
    count = Patient.objects.count()
    call_command("demo")
    assert "already there; nothing changed" in capsys.readouterr().out
    assert Patient.objects.count() == count
