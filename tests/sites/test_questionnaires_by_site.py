"""Questionnaires by site (issue 16): the instruments offered and accepted for a patient are those
of their limbs' site profiles (the Q-TFA for a transfemoral limb only, RAND-36 for all), on the
patient page, the answer screen and the API alike."""

import pytest

from osseo.outcomes.assigned import instrument_sites, questionnaires_for
from osseo.outcomes.models import QuestionnaireResponse
from tests.conftest import api_client, client_for
from tests.rehab.conftest import post
from tests.sites.conftest import site_patient


@pytest.mark.parametrize(
    ("sites", "offered"),
    [
        (("femur",), ["q-tfa", "rand-36"]),
        (("tibia",), ["rand-36"]),
        (("humerus",), ["rand-36"]),
        (("hand",), ["rand-36"]),
        (("craniofacial",), ["rand-36"]),
        (("tibia", "femur"), ["q-tfa", "rand-36"]),
    ],
)
def test_the_instruments_offered_are_the_site_profiles(world, sites, offered):
    patient, limbs = site_patient(world, *sites, refer=False)
    assert sorted(q.code for q in questionnaires_for(patient)) == offered
    by_code = instrument_sites(patient)
    femurs = [limb for limb in limbs if limb.site == "femur"]
    if femurs:
        assert by_code["q-tfa"] == femurs  # never the tibia of a patient with both
    assert by_code["rand-36"] == limbs


def test_the_qtfa_is_refused_for_a_humerus_patient_everywhere(world):
    patient, _ = site_patient(world, "humerus", refer=False)
    recorder = world.users["prosthetist"]
    page = client_for(recorder).get(f"/patients/{patient.uuid}/").content.decode()
    assert f"/patients/{patient.uuid}/questionnaires/rand-36/new/" in page
    assert f"/patients/{patient.uuid}/questionnaires/q-tfa/new/" not in page
    screen = client_for(recorder).get(f"/patients/{patient.uuid}/questionnaires/q-tfa/new/")
    assert screen.status_code == 404
    refused = post(
        api_client(recorder),
        f"/api/v1/patients/{patient.uuid}/questionnaire-responses",
        {"questionnaire": "q-tfa", "authored_on": "2026-02-01", "answers": {"1": 1}},
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["questionnaire"]
    assert "(humerus)" in refused.json()["errors"][0]["message"]
    assert not QuestionnaireResponse.objects.filter(patient=patient).exists()
