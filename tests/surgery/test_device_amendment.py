"""Correcting a signed record's device (issue 18): a wrong lot, serial, size or GTIN is corrected
by an amendment, with its reason and its difference, through the device lifecycle in the same
transaction; nothing else changes a signed device."""

import pytest
from django.core.exceptions import ValidationError

from osseo.audit.models import AuditEntry
from osseo.surgery.actions import amend_operative_record
from osseo.surgery.models import Device, OperativeRecordVersion
from tests.conftest import api_client, client_for
from tests.surgery.conftest import operation, post


def _amend(world, procedure, devices, data=None, reason="Lot misread from the sticker"):
    return post(
        api_client(world.users["surgeon"]),
        f"/api/v1/procedures/{procedure.uuid}/amendments",
        {"data": data or {}, "devices": devices, "reason": reason},
    )


def test_an_amendment_corrects_a_signed_devices_lot_and_size_with_its_difference(world):
    procedure = operation(world)
    implant = procedure.devices_placed.get(kind="implant")
    response = _amend(world, procedure, {str(implant.uuid): {"lot": "IMP-B", "size": "18 mm"}})
    assert response.status_code == 201, response.content
    implant.refresh_from_db()
    assert (implant.lot, implant.size, implant.status) == ("IMP-B", "18 mm", "in_place")
    first, second = OperativeRecordVersion.objects.filter(procedure=procedure).order_by("number")
    assert second.data == first.data
    assert second.amendment_reason == "Lot misread from the sticker"
    assert [(c["field"], c["before"], c["after"]) for c in second.device_changes] == [
        (f"device.{implant.uuid}.lot", "IMP-A", "IMP-B"),
        (f"device.{implant.uuid}.size", "", "18 mm"),
    ]
    entry = AuditEntry.objects.get(action="surgery.record.amended")
    assert entry.changes == {
        "version": [1, 2],
        f"device.{implant.uuid}.lot": ["IMP-A", "IMP-B"],
        f"device.{implant.uuid}.size": [None, "18 mm"],
        "reason": [None, "Lot misread from the sticker"],
    }


def test_a_corrected_gtin_is_checked_and_names_the_field(world):
    procedure = operation(world)
    dualcone = procedure.devices_placed.get(kind="dualcone")
    response = _amend(world, procedure, {str(dualcone.uuid): {"gtin": "04012345000008"}})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [f"devices.{dualcone.uuid}.gtin"]
    dualcone.refresh_from_db()
    assert dualcone.gtin == "04012345000009"
    assert OperativeRecordVersion.objects.filter(procedure=procedure).count() == 1


def test_only_the_records_own_devices_and_their_identity_fields_are_corrected(world):
    procedure = operation(world)
    implant = procedure.devices_placed.get(kind="implant")
    other = Device.objects.exclude(placed_by=procedure).first()
    assert other is None  # the world has no other device: any other UUID is not this record's
    surgeon = world.users["surgeon"]
    with pytest.raises(ValidationError) as invalid:
        amend_operative_record(
            actor=surgeon,
            procedure=procedure,
            data={},
            devices={
                "00000000-0000-0000-0000-000000000000": {"lot": "X"},
                str(implant.uuid): {"status": "removed"},
            },
            reason="Test.",
        )
    assert sorted(invalid.value.message_dict) == [
        "devices.00000000-0000-0000-0000-000000000000",
        f"devices.{implant.uuid}",
    ]
    implant.refresh_from_db()
    assert implant.status == "in_place"


def test_a_correction_that_changes_nothing_is_refused(world):
    procedure = operation(world)
    implant = procedure.devices_placed.get(kind="implant")
    response = _amend(world, procedure, {str(implant.uuid): {"lot": "IMP-A"}})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["data"]


def test_a_draft_records_devices_are_not_corrected_by_amendment(world):
    procedure = operation(world, sign=False)
    implant = procedure.devices_placed.get(kind="implant")
    response = _amend(world, procedure, {str(implant.uuid): {"lot": "IMP-B"}})
    assert response.status_code == 409
    implant.refresh_from_db()
    assert implant.lot == "IMP-A"


def test_the_history_shows_the_device_correction(world):
    procedure = operation(world)
    implant = procedure.devices_placed.get(kind="implant")
    _amend(world, procedure, {str(implant.uuid): {"serial": "SN-7"}})
    html = client_for(world.users["surgeon"]).get(f"/procedures/{procedure.uuid}/").content
    text = html.decode()
    assert "Lot misread from the sticker" in text
    assert "Bone-anchor implant serial" in text
    assert "SN-7" in text
