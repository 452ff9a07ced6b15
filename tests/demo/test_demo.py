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


def test_staged_demo_episodes_went_back_to_planning_for_a_second_stage(db):
    call_command("demo")
    from osseo.pathway.models import PhaseChange

    back = PhaseChange.objects.filter(from_phase="surgery", to_phase="planning")
    assert back.exists()
    assert set(back.values_list("episode__limb__site", flat=True)) <= {"craniofacial", "hand"}


def test_the_demo_cohort_carries_complications_treatments_a_revision_a_death_and_outcomes(db):
    call_command("demo")
    from osseo.complications.models import AdverseEvent, Death, Treatment
    from osseo.outcomes.models import QuestionnaireResponse, Score

    assert AdverseEvent.objects.filter(grade__isnull=False).count() >= 3
    revision = Treatment.objects.get(kind="revision")
    assert (revision.procedure.kind, revision.procedure.status) == ("revision", "signed")
    assert Treatment.objects.filter(kind="oral_antibiotics").exists()
    assert Death.objects.count() == 1
    assert QuestionnaireResponse.objects.filter(questionnaire__code="rand-36").count() >= 30
    assert Score.objects.filter(value__isnull=False).exists()
