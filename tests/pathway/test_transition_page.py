"""Moving an episode and opening one from the pages: a move the phase table refuses from the
episode's phase as it is now, or a second open episode, says why and changes nothing."""

from osseo.pathway.actions import transition_to
from osseo.pathway.models import Episode, PhaseChange
from tests.conftest import client_for


def test_a_move_made_meanwhile_by_a_colleague_is_a_409_on_the_form(world):
    me = client_for(world.users["surgeon"])
    url = f"/episodes/{world.episode.uuid}/transition/"
    assert me.get(url).status_code == 200
    transition_to(actor=world.users["coordinator"], episode=world.episode, to_phase="assessment")

    refused = me.post(url, {"phase": "assessment", "reason": ""})
    assert refused.status_code == 409
    assert "The episode is already in Assessment." in refused.content.decode()
    assert PhaseChange.objects.filter(episode=world.episode).count() == 2


def test_a_move_the_table_refuses_names_the_moves_it_allows(world):
    refused = client_for(world.users["surgeon"]).post(
        f"/episodes/{world.episode.uuid}/transition/", {"phase": "surgery", "reason": ""}
    )
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "The episode cannot move to Surgery now." in page
    assert (
        "An episode cannot move from Referral to Surgery; from Referral it can move to: "
        "Assessment, Declined, Closed."
    ) in page
    world.episode.refresh_from_db()
    assert world.episode.phase == "referral"


def test_a_move_without_the_reason_it_needs_is_a_422_beside_the_reason(world):
    refused = client_for(world.users["surgeon"]).post(
        f"/episodes/{world.episode.uuid}/transition/", {"phase": "declined", "reason": " "}
    )
    assert refused.status_code == 422
    assert refused.context["form"].errors["reason"] == [
        "Say why the episode moves from Referral to Declined."
    ]


def test_opening_a_second_episode_on_a_limb_says_why_and_opens_none(world):
    response = client_for(world.users["coordinator"]).post(
        f"/limbs/{world.limb.uuid}/episodes/new/", follow=True
    )
    assert "This limb already has an open episode; close it before opening another." in (
        response.content.decode()
    )
    assert Episode.objects.filter(limb=world.limb).count() == 1
