"""Due lists and letters read the parts in place today, on living patients in open episodes
(issue 18: a removed dualcone stayed on the parts-due list, also after the patient's death)."""

import datetime as dt

from osseo.complications.actions import record_death
from osseo.connectors.actions import replace_part
from osseo.connectors.queries import due_parts
from osseo.pathway.actions import transition_to
from osseo.surgery.models import Device
from tests.conftest import api_client, client_for
from tests.connectors.conftest import NEW_DUALCONE_GTIN, policy
from tests.surgery.conftest import days_ago, operation, post


def _due(world):
    return [
        (f.device.kind, f.device.lot)
        for f in due_parts(world.users["surgeon"], within_days=30, today=dt.date.today())
    ]


def test_a_dualcone_removed_by_a_signed_explantation_leaves_the_due_list(world):
    operation(world, on=days_ago(500))
    policy(world, time_limit_months=12)
    assert _due(world) == [("dualcone", "DUA-A")]
    operation(world, "explantation", on=days_ago(30), parts=())
    assert _due(world) == []


def test_a_death_takes_the_parts_off_the_due_list(world):
    operation(world, on=days_ago(500))
    policy(world, time_limit_months=12)
    record_death(actor=world.users["surgeon"], patient=world.patient, died_on=days_ago(3))
    assert _due(world) == []
    assert Device.objects.get(kind="dualcone").status == "in_place"  # still in the patient


def test_a_closed_episode_takes_the_parts_off_the_due_list(world):
    operation(world, on=days_ago(500))
    policy(world, time_limit_months=12)
    transition_to(
        actor=world.users["surgeon"],
        episode=world.episode,
        to_phase="closed",
        reason="Moved abroad; care transferred.",
    )
    assert _due(world) == []


def test_the_letter_lists_the_parts_in_place_today(world):
    operation(world, on=days_ago(500))
    old = Device.objects.get(kind="dualcone")
    replace_part(
        actor=world.users["prosthetist"],
        device=old,
        replaced_on=days_ago(20),
        reason="wear",
        data={"gtin": NEW_DUALCONE_GTIN, "lot": "DC-NEW"},
    )

    referral = post(
        api_client(world.users["coordinator"]),
        f"/api/v1/patients/{world.patient.uuid}/referrals",
        {"organisation": str(world.rehab.uuid)},
    ).json()
    html = (
        client_for(world.users["coordinator"])
        .get(f"/referrals/{referral['id']}/letter/")
        .content.decode()
    )
    assert "DC-NEW" in html and "IMP-A" in html
    assert "DUA-A" not in html  # the removed dualcone
