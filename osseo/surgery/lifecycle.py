"""The one device lifecycle: what signing an operative record does to the parts on that limb.

Called by `actions.sign_operative_record` inside its transaction (never on its own): the devices
the record placed go from "recorded" to "in place", and

- an explantation removes the bone-anchored implant and every transcutaneous part in place on
  that limb (docs/sources.md#design-rules: "removing the bone-anchor implant is its explantation");
- an operation that places a new implant (a revision, or a re-implantation) exchanges it for the
  one in place, and the parts on the old implant come out with it: at most one bone-anchored
  implant is in place per limb (a database constraint holds it too);
- an operation that places a transcutaneous part exchanges it for the part of that kind in place.

Each removal names the signed procedure that removed it, its date and the reason (the
procedure's indication, else its kind's), and is audited in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from osseo.accounts.models import User
from osseo.audit.services import record

from .models import (
    Device,
    DeviceKind,
    DeviceStatus,
    Procedure,
    ProcedureKind,
    RemovalReason,
)


def in_place_on_limb(procedure: Procedure) -> QuerySet[Device]:
    """The parts in place on the procedure's limb that it did not place, locked, in one order."""
    return (
        Device.objects.select_for_update()
        .filter(limb_id=procedure.limb_id, status=DeviceStatus.IN_PLACE)
        .exclude(placed_by=procedure)
        .order_by("pk")
    )


def removal_reason(procedure: Procedure) -> str:
    if procedure.indication:
        return procedure.indication
    if procedure.kind == ProcedureKind.EXPLANTATION:
        return RemovalReason.EXPLANTATION
    return RemovalReason.REVISION


def mark_removed(
    device: Device,
    *,
    on: dt.date,
    reason: str,
    removed_by: Procedure | None = None,
    replaced_by: Device | None = None,
) -> None:
    """Take a part out of service: the one place a device becomes "removed" (by a signed
    procedure here, by a part exchange in connectors, or by a recorded removal). The caller
    holds the row lock, checks the move and audits it in its own transaction."""
    device.status = DeviceStatus.REMOVED
    device.removed_on = on
    device.removal_reason = reason
    fields = ["status", "removed_on", "removal_reason"]
    if removed_by is not None:
        device.removed_by = removed_by
        fields.append("removed_by")
    if replaced_by is not None:
        device.replaced_by = replaced_by
        fields.append("replaced_by")
    device.save(update_fields=fields)


def _remove(device: Device, *, procedure: Procedure, actor: User, new: Device | None) -> None:
    mark_removed(
        device,
        on=procedure.performed_on,
        reason=removal_reason(procedure),
        removed_by=procedure,
        replaced_by=new,
    )
    record(
        "surgery.device.removed",
        actor=actor,
        patient=device.patient,
        obj=device,
        changes={
            "status": ["in_place", "removed"],
            "reason": [None, device.removal_reason],
            "procedure": [None, str(procedure.uuid)],
            **({"replaced_by": [None, str(new.uuid)]} if new is not None else {}),
        },
    )


def apply_signed(procedure: Procedure, *, actor: User) -> list[Device]:
    """The consequences of signing `procedure` for the devices on its limb; returns the removed."""
    placed = list(
        procedure.devices_placed.select_for_update()
        .filter(status=DeviceStatus.RECORDED)
        .order_by("pk")
    )
    new_by_kind = {d.kind: d for d in placed}
    in_place = list(in_place_on_limb(procedure))
    new_implant = new_by_kind.get(DeviceKind.IMPLANT)
    takes_all = procedure.kind == ProcedureKind.EXPLANTATION or new_implant is not None
    removed: list[Device] = []
    succeeded: set[int] = set()  # a new part replaces one old part (replaced_by is one-to-one)
    for device in in_place:
        if takes_all or device.kind in new_by_kind:
            successor = new_by_kind.get(device.kind)
            if successor is not None and successor.pk in succeeded:
                successor = None
            if successor is not None:
                succeeded.add(successor.pk)
            _remove(device, procedure=procedure, actor=actor, new=successor)
            removed.append(device)
    for device in placed:
        device.status = DeviceStatus.IN_PLACE
        device.save(update_fields=["status"])
    return removed


def implant_in_place(procedure: Procedure) -> bool:
    return Device.objects.filter(
        limb_id=procedure.limb_id, kind=DeviceKind.IMPLANT, status=DeviceStatus.IN_PLACE
    ).exists()


# What an amendment of a signed record may correct on a device it placed (a wrong label read or
# typed): its identity and size, never its state, which follows the signed procedures.
CORRECTABLE = ("gtin", "lot", "serial", "size", "expiry", "udi_issuer", "udi_di")


def _label(name: str) -> str:
    return str(getattr(Device._meta.get_field(name), "verbose_name", name))


def correct_device(device: Device, values: dict[str, object]) -> list[dict[str, str]]:
    """Write an amendment's corrections onto a device its signed record placed; called by
    `actions.amend_operative_record` inside its transaction, the one way a signed device
    changes. Returns what changed, in `operative.record_diff`'s shape."""
    changed: list[dict[str, str]] = []
    for name in CORRECTABLE:
        if name not in values:
            continue
        before, after = getattr(device, name), values[name]
        if before == after:
            continue
        setattr(device, name, after)
        changed.append(
            {
                "field": f"device.{device.uuid}.{name}",
                "label": f"{device.get_kind_display()} {_label(name)}",
                "before": "" if before in (None, "") else str(before),
                "after": "" if after in (None, "") else str(after),
            }
        )
    if changed:
        device.save(update_fields=[c["field"].rsplit(".", 1)[1] for c in changed])
    return changed
