"""The personalised guide by site and anaesthesia: a craniofacial guide speaks of an implant and an
abutment carrying an epithesis, in the clinic's own wording labelled "not validated"; a regional
anaesthesia with sedation is described as such; a staged plan says what each stage does; the
press-fit claim is quoted as the clinic's guide says it."""

import pytest
from django.template.loader import render_to_string

from osseo.demo import surgery as demo_surgery
from osseo.pathway.actions import open_episode
from osseo.surgery import actions as surgery
from osseo.surgery.guide import guide_context
from tests.conftest import make_patient
from tests.gates import advance
from tests.sites.conftest import add_site


@pytest.fixture
def catalogue(world):
    demo_surgery.seed_catalogue(world.users["clinic_admin"])
    return world


def _guide(world, site, *, strategy=None, anaesthesia=None):
    patient = make_patient(world.users["coordinator"], given_name="Gia", family_name="Guide")
    limb = add_site(world, patient, site)
    episode = open_episode(actor=world.users["coordinator"], limb=limb)
    surgeon = world.users["surgeon"]
    advance(world.users, episode, "assessment", "planning")
    demo_surgery.plan(world.users, episode, staged=strategy == "staged")
    if anaesthesia:
        plan = episode.plans.get()
        surgery.update_plan(actor=surgeon, plan=plan, data={"anaesthesia": anaesthesia})
    context = guide_context(episode)
    return context, " ".join(render_to_string("surgery/_guide_body.html", context).split())


def test_a_craniofacial_guide_speaks_of_an_implant_abutment_and_epithesis(catalogue):
    context, text = _guide(catalogue, "craniofacial")
    assert "abutment" in text and "epithesis (facial prosthesis)" in text
    assert "residual limb" not in text and "socket" not in text and "dualcone" not in text
    assert text.count("clinic's own wording, not validated") == 3
    assert "press fit" not in text
    # Staged for head and neck (the guide): each stage says what it does.
    assert [s.split(".")[0] for s in context["stage_words"]] == [
        "The first operation places the implant in the bone and closes the skin over it; it is "
        "left to join with the bone (integrate)",
        "The second operation opens the skin at a small opening and attaches the abutment to "
        "the implant, ready for your prosthesis",
    ]


def test_a_hand_guide_under_regional_anaesthesia_and_sedation_says_so(catalogue):
    _context, text = _guide(catalogue, "hand", anaesthesia="regional_iv_sedation")
    assert "You will be asleep" not in text
    assert "numbed with a regional anaesthetic" in text and "(sedation)" in text
    assert "Stage 1." in text and "Stage 2." in text  # staged for the hand (the guide)
    assert "the bones of your hand" in text


def test_a_limb_guide_quotes_the_press_fit_claim_as_the_clinics(catalogue):
    context, text = _guide(catalogue, "femur")
    assert (
        "Our clinic's guide says: <q>The implants we use at Relimb are “press fit” which have "
        "been shown to have fewer complications, particularly in the lower limb.</q> This is the "
        "clinic's statement, not a published finding."
    ) in text
    assert "Your dualcone" in text and context["stage_words"] == []
