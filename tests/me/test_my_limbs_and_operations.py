"""Beyond one limb in one phase: a patient with two treated limbs reads which limb each next step
is for; a staged plan between its operations says how far it has got; the operations they have
had are in plain words, with the implant system's own parts; a plan once operated on no longer
says its date is to be set."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from osseo.me import words
from tests.conftest import client_for, make_user
from tests.gates import advance
from tests.scheduling.conftest import staged_hand
from tests.sites.conftest import site_patient


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_two_limbs_in_follow_up_each_step_names_its_limb(world):
    today = timezone.localdate()
    patient, limbs = site_patient(world, "femur", "femur", on=today - dt.timedelta(days=400))
    for limb in limbs:
        advance(world.users, limb.episodes.get(), "follow_up")
    client = client_for(make_user("una", "patient", world.clinic, patient=patient))
    home = _page(client, "/me/")
    assert "Your follow-up visit for your left thigh bone (femur) at 3 months" in home
    assert "Your follow-up visit for your right thigh bone (femur) at 3 months" in home
    plan = _page(client, "/me/plan/")
    assert "not set yet" not in plan  # both operated
    assert plan.count("Your implant operation, in one stage.") == 2
    assert "Single-stage implantation" not in plan
    assert "<dd>Follow-up</dd>" in plan
    appointments = _page(client, "/me/appointments/")
    for side in ("left", "right"):
        assert f"follow-up visit (for your {side} thigh bone (femur))" in appointments
    summary = client.get("/api/v1/me").json()
    assert [(e["side"], e["limb"]) for e in summary["episodes"]] == [
        ("left", "your left thigh bone (femur)"),
        ("right", "your right thigh bone (femur)"),
    ]
    assert sorted((p["side"], p["limb"]) for p in summary["parts"]) == [
        ("left", "your left thigh bone (femur)"),
        ("right", "your right thigh bone (femur)"),
    ]
    labels = [s["label"] for s in summary["next_steps"] if s["code"] == "follow_up_visit"]
    assert sorted(labels) == sorted(
        f"Your follow-up visit for your {side} thigh bone (femur) at 3 months is due: the "
        "clinic will book it with you"
        for side in ("left", "right")
    )


def test_one_limb_reads_no_limb_in_its_steps(world):
    today = timezone.localdate()
    patient, (limb,) = site_patient(world, "tibia", on=today - dt.timedelta(days=400))
    advance(world.users, limb.episodes.get(), "follow_up")
    client = client_for(make_user("una", "patient", world.clinic, patient=patient))
    home = _page(client, "/me/")
    assert "Your follow-up visit at 3 months is due" in home
    assert "for your left shin bone" not in home


def test_a_staged_plan_between_its_operations_says_how_far_it_has_got(world):
    today = timezone.localdate()
    staged_hand(world, today - dt.timedelta(days=20))
    client = client_for(world.users["patient"])
    home = _page(client, "/me/")
    assert "1 operation of your plan is done; the next is still to come." in home
    assert (
        "<strong>Next:</strong> your next operation: the clinic will agree its date with you. "
        "After surgery comes rehabilitation" in home
    )
    plan = _page(client, "/me/plan/")
    assert "Your first operation: the implant placed in the bone." in plan
    assert "The date of your next operation is not set yet" in plan
    assert "Stage 1 (implant)" not in plan


def test_the_second_operation_names_the_systems_parts_for_each_site():
    assert words.operation_words("stage_2", words.parts_words(None, "craniofacial")) == (
        "Your second operation: the abutment attached to the implant"
    )
    assert "dualcone" in words.operation_words("stage_2", words.parts_words(None, "femur"))
    for kind in ("revision", "explantation", "debridement", "soft_tissue_refashioning"):
        said = words.operation_words(kind, "abutment")
        assert said.startswith("An operation to"), said


def test_a_head_or_neck_patient_is_not_promised_a_limbs_loading_programme(world):
    patient, _ = site_patient(world, "craniofacial")
    client = client_for(make_user("una", "patient", world.clinic, patient=patient))
    diary = _page(client, "/me/diary/")
    assert "You have no programme to log at the moment." in diary
    assert "loading programme" not in diary and "rehabilitation team" not in diary
    limb = _page(client_for(world.users["patient"]), "/me/diary/")
    assert "Your rehabilitation team sets one up after your operation" in limb
