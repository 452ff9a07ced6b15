"""One device lifecycle, owned by the surgery app: signing an operation changes the parts on that
limb in the same transaction (issue 18: device state drifts)."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from osseo.audit.models import AuditEntry
from osseo.errors import Conflict
from osseo.pathway.actions import open_episode
from osseo.patients.actions import add_limb
from osseo.surgery import actions
from osseo.surgery.models import Device
from tests.conftest import api_client
from tests.surgery.conftest import days_ago, operation, post


def _states(limb=None):
    qs = Device.objects.order_by("pk")
    if limb is not None:
        qs = qs.filter(limb=limb)
    return [(d.kind, d.lot, d.status) for d in qs]


def _second_limb(world):
    limb = add_limb(
        actor=world.users["coordinator"],
        patient=world.patient,
        data={
            "site": "femur",
            "side": "right",
            "amputation_date": dt.date(2015, 3, 2),
            "cause": "trauma",
        },
    )
    return limb, open_episode(actor=world.users["coordinator"], limb=limb)


def test_parts_on_a_draft_record_are_recorded_and_go_in_place_when_it_is_signed(world):
    procedure = operation(world, sign=False)
    assert _states() == [("implant", "IMP-A", "recorded"), ("dualcone", "DUA-A", "recorded")]
    actions.sign_operative_record(actor=world.users["surgeon"], procedure=procedure)
    assert _states() == [("implant", "IMP-A", "in_place"), ("dualcone", "DUA-A", "in_place")]


def test_signing_an_explantation_removes_the_implant_and_every_part_on_that_limb_only(world):
    operation(world, on=days_ago(900))
    other_limb, other_episode = _second_limb(world)
    operation(world, episode=other_episode, on=days_ago(800), lot="R")
    explantation = operation(
        world, "explantation", on=days_ago(100), parts=(), sign=False, indication="infection"
    )
    assert _states(world.limb) == [
        ("implant", "IMP-A", "in_place"),
        ("dualcone", "DUA-A", "in_place"),
    ]  # the draft changes nothing
    actions.sign_operative_record(actor=world.users["surgeon"], procedure=explantation)
    removed = Device.objects.filter(limb=world.limb)
    assert {(d.status, d.removed_on, d.removal_reason, d.removed_by_id) for d in removed} == {
        ("removed", days_ago(100), "infection", explantation.pk)
    }
    assert _states(other_limb) == [
        ("implant", "IMP-R", "in_place"),
        ("dualcone", "DUA-R", "in_place"),
    ]
    assert AuditEntry.objects.filter(action="surgery.device.removed").count() == 2


def test_an_explantation_with_no_implant_in_place_cannot_be_signed(world):
    explantation = operation(world, "explantation", parts=(), sign=False)
    with pytest.raises(Conflict) as refused:
        actions.sign_operative_record(actor=world.users["surgeon"], procedure=explantation)
    assert [m.code for m in refused.value.missing] == ["implant_in_place"]


def test_a_second_implant_on_a_limb_is_refused_unless_a_revision_exchanges_them(world):
    first = operation(world, on=days_ago(900))
    second = operation(world, on=days_ago(500), parts=(), sign=False)
    with pytest.raises(Conflict) as refused:
        actions.place_device(
            actor=world.users["surgeon"], procedure=second, kind="implant", data={"lot": "X"}
        )
    assert [m.code for m in refused.value.missing] == ["no_implant_in_place"]
    revision = operation(
        world, "revision", on=days_ago(300), parts=("implant",), lot="B", indication="loosening"
    )
    old_implant, old_dualcone, new_implant = Device.objects.order_by("pk")
    assert (old_implant.status, old_implant.removed_by, old_implant.replaced_by) == (
        "removed",
        revision,
        new_implant,
    )
    assert (old_implant.removal_reason, old_implant.removed_on) == ("loosening", days_ago(300))
    # The dualcone sat on the old implant: it comes out with it.
    assert (old_dualcone.status, old_dualcone.removed_by) == ("removed", revision)
    assert new_implant.status == "in_place"
    assert first.devices_placed.filter(status="in_place").count() == 0


def test_the_database_refuses_two_implants_in_place_on_one_limb(world):
    operation(world)
    implant = Device.objects.get(kind="implant")
    implant.pk = None
    implant.uuid = None
    with pytest.raises(IntegrityError), transaction.atomic():
        Device.objects.create(
            **{
                f.attname: getattr(implant, f.attname)
                for f in Device._meta.concrete_fields
                if f.attname not in ("id", "uuid")
            }
        )


def test_a_new_dualcone_in_a_later_operation_exchanges_the_one_in_place(world):
    operation(world, "stage_1", on=days_ago(900), parts=("implant", "dualcone"))
    operation(world, "stage_2", on=days_ago(750), parts=("dualcone",), lot="B")
    assert _states() == [
        ("implant", "IMP-A", "in_place"),
        ("dualcone", "DUA-A", "removed"),
        ("dualcone", "DUA-B", "in_place"),
    ]


def test_an_implant_is_not_removed_by_a_separate_call_but_by_its_signed_operation(world):
    operation(world)
    implant = Device.objects.get(kind="implant")
    response = post(
        api_client(world.users["surgeon"]),
        f"/api/v1/devices/{implant.uuid}/removal",
        {"removed_on": days_ago(10).isoformat(), "reason": "explantation"},
    )
    assert response.status_code == 409
    assert response.json()["missing"][0]["code"] == "signed_explantation"
    assert Device.objects.get(kind="implant").status == "in_place"
