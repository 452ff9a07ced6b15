"""What the seeded demo cohort holds (seeded once for the module, read by each test)."""


def test_staged_demo_episodes_went_back_to_planning_for_a_second_stage(seeded_demo, db):
    from osseo.pathway.models import PhaseChange

    back = PhaseChange.objects.filter(from_phase="surgery", to_phase="planning")
    assert back.exists()
    assert set(back.values_list("episode__limb__site", flat=True)) <= {"craniofacial", "hand"}


def test_the_demo_cohort_carries_complications_treatments_a_revision_a_death_and_outcomes(
    seeded_demo, db
):
    from osseo.complications.models import AdverseEvent, Death, Treatment
    from osseo.outcomes.models import QuestionnaireResponse, Score

    assert AdverseEvent.objects.filter(grade__isnull=False).count() >= 3
    revision = Treatment.objects.get(kind="revision")
    assert (revision.procedure.kind, revision.procedure.status) == ("revision", "signed")
    assert Treatment.objects.filter(kind="oral_antibiotics").exists()
    assert Death.objects.count() == 1
    assert QuestionnaireResponse.objects.filter(questionnaire__code="rand-36").count() >= 30
    assert Score.objects.filter(value__isnull=False).exists()
