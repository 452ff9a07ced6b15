"""A treatment's removed parts follow the signed records (issue 18): a part comes out with a signed
operation, never with a draft one."""

import pytest
from django.core.exceptions import ValidationError

from osseo.complications.actions import record_event, record_treatment
from osseo.surgery.models import Device
from tests.surgery.conftest import days_ago, operation


def _event(world):
    return record_event(
        actor=world.users["surgeon"],
        patient=world.patient,
        data={"limb": world.limb, "kind": "connector_failure", "onset_on": days_ago(40)},
    )


def test_a_part_named_with_a_draft_operation_is_refused_and_stays_in_place(world):
    operation(world, on=days_ago(400))
    dualcone = Device.objects.get(kind="dualcone")
    with pytest.raises(ValidationError) as refused:
        record_treatment(
            actor=world.users["surgeon"],
            event=_event(world),
            data={"kind": "debridement", "started_on": days_ago(30)},
            removed_devices=[dualcone],
        )
    assert list(refused.value.message_dict) == ["removed_devices"]
    assert Device.objects.get(pk=dualcone.pk).status == "in_place"


def test_a_part_named_with_a_signed_operation_comes_out_by_it(world):
    operation(world, on=days_ago(400))
    dualcone = Device.objects.get(kind="dualcone")
    debridement = operation(world, "debridement", on=days_ago(30), parts=())
    record_treatment(
        actor=world.users["surgeon"],
        event=_event(world),
        data={"kind": "debridement", "started_on": days_ago(30)},
        procedure=debridement,
        removed_devices=[dualcone],
    )
    dualcone.refresh_from_db()
    assert (dualcone.status, dualcone.removed_by, dualcone.removed_on) == (
        "removed",
        debridement,
        days_ago(30),
    )
