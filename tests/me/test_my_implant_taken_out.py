"""A patient whose implant a signed explantation took out reads that it was taken out, when,
and that their team will talk the next step through: not "after surgery comes rehabilitation",
not parts to maintain, not "no implant recorded yet"."""

from __future__ import annotations

from osseo.pathway.actions import transition_to
from osseo.surgery import actions
from tests.conftest import client_for
from tests.gates import advance
from tests.surgery.conftest import days_ago, operation


def test_an_explanted_limb_says_its_implant_was_taken_out(world):
    operation(world, on=days_ago(900))
    advance(world.users, world.episode, "rehabilitation", "follow_up")
    explantation = operation(
        world, "explantation", on=days_ago(10), parts=(), sign=False, indication="infection"
    )
    actions.sign_operative_record(actor=world.users["surgeon"], procedure=explantation)
    client = client_for(world.users["patient"])
    taken_out = f'<time datetime="{days_ago(10):%Y-%m-%d}">'
    home = client.get("/me/").content.decode()
    assert "Your implant has been taken out" in home
    assert f"Your implant was taken out in an operation on {taken_out}" in home
    assert "After surgery comes rehabilitation" not in home
    assert 'aria-current="step"' not in home
    implant = client.get("/me/implant/").content.decode()
    assert f"The implant in your left thigh bone (femur) was taken out on {taken_out}" in implant
    assert "No implant is recorded for you yet" not in implant
    assert "need regular maintenance" not in implant
    plan = client.get("/me/plan/").content.decode()
    assert "<dd>Your implant has been taken out</dd>" in plan
    assert "An operation to take out your implant." in plan
    # Once the clinic closes the episode, its own words say where it stands.
    transition_to(
        actor=world.users["surgeon"], episode=world.episode, to_phase="closed", reason="Removed"
    )
    assert "This part of your care has ended" in client.get("/me/").content.decode()


def test_an_implant_in_place_keeps_the_pathway_as_it_is(world):
    operation(world, on=days_ago(900))
    advance(world.users, world.episode, "rehabilitation", "follow_up")
    home = client_for(world.users["patient"]).get("/me/").content.decode()
    assert "Your implant has been taken out" not in home
    assert 'aria-current="step"' in home
