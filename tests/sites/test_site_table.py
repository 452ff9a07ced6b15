"""Six sites x every rule that asks the site profile (or the implant system) instead of assuming a
lower limb: one row per site, one column per rule."""

from __future__ import annotations

import pytest

from osseo.patients.sites import PROFILES, SITES, profile
from osseo.surgery import rules as surgery_rules
from osseo.surgery.systems import system_for

WALKING = ["six_minute_walk", "timed_up_and_go", "amp_pro", "amp_nopro", "k_level"]

# site: (region, staged, spinal/epidural offered, wear basis, load recordings, function tests,
#        questionnaires, guide text, parts of the clinic's usual system)
TABLE = {
    "femur": (
        "lower_limb",
        False,
        True,
        "steps",
        True,
        [*WALKING, "wear_hours"],
        ["q-tfa", "rand-36"],
        "limb",
        ("dualcone",),
    ),
    "tibia": (
        "lower_limb",
        False,
        True,
        "steps",
        True,
        [*WALKING, "wear_hours"],
        ["rand-36"],
        "limb",
        ("dualcone",),
    ),
    "humerus": (
        "upper_limb",
        False,
        False,
        "time",
        False,
        ["wear_hours"],
        ["rand-36"],
        "limb",
        ("dualcone",),
    ),
    "radius_ulna": (
        "upper_limb",
        False,
        False,
        "time",
        False,
        ["wear_hours"],
        ["rand-36"],
        "limb",
        ("dualcone",),
    ),
    "hand": (
        "upper_limb",
        True,
        False,
        "time",
        False,
        ["wear_hours"],
        ["rand-36"],
        "limb",
        ("dualcone",),
    ),
    "craniofacial": (
        "head_neck",
        True,
        False,
        "time",
        False,
        ["wear_hours"],
        ["rand-36"],
        "craniofacial",
        ("abutment",),
    ),
}


def test_the_table_covers_every_site():
    assert sorted(TABLE) == sorted(SITES) == sorted(PROFILES)


@pytest.mark.parametrize("site", SITES)
def test_each_rule_answers_from_the_sites_profile(site):
    region, staged, spinal, wear, recordings, tests, questionnaires, guide, parts = TABLE[site]
    p = profile(site)
    options = [o.code for o in surgery_rules.anaesthesia_options(site)]
    assert (
        p.region,
        surgery_rules.recommended_strategy(site) == "staged",
        "general_spinal" in options and "general_epidural" in options,
        p.wear_basis,
        p.load_recordings,
        list(p.function_tests),
        list(p.questionnaires),
        p.guide_text,
        system_for(None, site=site).parts,
    ) == (region, staged, spinal, wear, recordings, tests, questionnaires, guide, parts)


@pytest.mark.parametrize("site", SITES)
def test_every_answer_names_its_source_or_is_labelled_not_validated(site):
    p = profile(site)
    for source in (
        p.loading_source,
        p.wear_basis_source,
        p.function_tests_source,
        p.questionnaires_source,
        p.guide_text_source,
    ):
        assert p.label_of(source) == (source if source else "not validated")
    # What the literature gives lower limbs is sourced; the rest is the clinic's own.
    assert bool(p.loading_source) == bool(p.wear_basis_source) == p.lower_limb


def test_a_clinic_adds_instruments_and_recordings_but_never_a_lower_limb_test_elsewhere():
    added = profile(
        "humerus",
        {
            "function_tests": ["six_minute_walk", "wear_hours"],
            "questionnaires": ["q-tfa", "custom-arm"],
            "load_recordings": True,
        },
    )
    assert list(added.function_tests) == ["wear_hours"]
    assert list(added.questionnaires) == ["rand-36", "custom-arm"]
    assert added.load_recordings is True
    assert profile("tibia", {"questionnaires": ["q-tfa"]}).questionnaires == ("rand-36",)


@pytest.mark.parametrize("site", SITES)
def test_the_outcome_instruments_offered_for_a_patient_are_their_sites(world, site):
    from osseo.outcomes.assigned import questionnaires_for
    from tests.conftest import make_patient
    from tests.sites.conftest import add_site

    patient = make_patient(world.users["coordinator"], given_name="Quin", family_name="Table")
    add_site(world, patient, site)
    assert sorted(q.code for q in questionnaires_for(patient)) == sorted(TABLE[site][6])


@pytest.mark.parametrize("site", SITES)
def test_the_shipped_loading_programmes_apply_to_the_lower_limbs_only(world, site):
    """The Radboud programmes (docs/sources.md#radboud-loading) are of transfemoral and
    transtibial OI; every other site's programme is the clinic's own."""
    from osseo.rehab.models import LoadingProtocol

    shipped = LoadingProtocol.objects.filter(organisation__isnull=True)
    covering = [p.name for p in shipped if site in p.sites]
    assert bool(covering) == (TABLE[site][0] == "lower_limb")
    assert all(p.measure == "load" for p in shipped)


@pytest.mark.parametrize("site", SITES)
def test_the_function_tests_offered_for_a_patient_are_their_sites(world, site):
    from osseo.rehab.queries import tests_for
    from tests.conftest import make_patient
    from tests.sites.conftest import add_site

    patient = make_patient(world.users["coordinator"], given_name="Tess", family_name="Table")
    add_site(world, patient, site)
    assert tests_for(patient) == list(TABLE[site][5])
