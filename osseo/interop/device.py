"""Device (https://hl7.org/fhir/R4/device.html): every part placed in or on the patient.

`udiCarrier`: the device identifier as issued (the GTIN for GS1, the HIBCC labeler and product),
the issuer (GS1 `http://hl7.org/fhir/NamingSystem/gs1-di`, HIBCC
`http://hl7.org/fhir/NamingSystem/hibcc-dI`, docs/sources.md#udi), the label as scanned
(`carrierAIDC`, base64 as the element is) and its human-readable form (`carrierHRF`, the HRI),
and whether it was scanned or typed (`entryType`). The UDI strings are not instance identifiers
(the R5 Device notes): the id is Osseo's own. Lot, serial, expiry, production date; the status
is `active` while the part is in place and `inactive` once removed, with the removal reason as
`statusReason` in Osseo's own system (the core device-status-reason codes are about power and
connection, not removal). The kind is Osseo's own code: 360145006 "Bone prosthesis" is only a
possible type awaiting a clinician (docs/sources.md#fhir), so it is not used.
"""

from __future__ import annotations

import base64
from typing import Any

from osseo.surgery.gs1 import UDIError, parse_udi
from osseo.surgery.models import Device, DeviceKind, DeviceStatus, RemovalReason

from .references import ref
from .systems import DEVICE_KIND, GS1_DI, HIBCC_DI, local

REMOVAL_REASON = local("device-removal-reason")


def _hri(device: Device) -> str:
    if device.udi_issuer == "hibcc":
        return device.udi_carrier
    if device.udi_carrier:
        try:
            return parse_udi(device.udi_carrier).hri
        except UDIError:
            pass
    if not device.gtin:
        return ""
    parts = [f"(01){device.gtin}"]
    if device.expiry:
        parts.append(f"(17){device.expiry:%y%m%d}")
    if device.lot:
        parts.append(f"(10){device.lot}")
    if device.serial:
        parts.append(f"(21){device.serial}")
    return "".join(parts)


def udi_carrier(device: Device) -> dict[str, Any] | None:
    identifier = device.udi_di or device.gtin
    if not identifier and not device.udi_carrier:
        return None
    carrier: dict[str, Any] = {}
    if identifier:
        carrier["deviceIdentifier"] = identifier
    carrier["issuer"] = HIBCC_DI if device.udi_issuer == "hibcc" else GS1_DI
    if device.udi_carrier:
        carrier["carrierAIDC"] = base64.b64encode(device.udi_carrier.encode()).decode()
    if hri := _hri(device):
        carrier["carrierHRF"] = hri
    carrier["entryType"] = "barcode" if device.udi_carrier else "manual"
    return carrier


def to_fhir(device: Device) -> dict[str, Any]:
    item = device.catalogue_item
    resource: dict[str, Any] = {
        "resourceType": "Device",
        "id": str(device.uuid),
        "status": "inactive" if device.status == DeviceStatus.REMOVED else "active",
        "type": {
            "coding": [
                {
                    "system": DEVICE_KIND,
                    "code": device.kind,
                    "display": DeviceKind(device.kind).label,
                }
            ],
            "text": DeviceKind(device.kind).label,
        },
        "patient": ref("Patient", device.patient.uuid),
    }
    if carrier := udi_carrier(device):
        resource["udiCarrier"] = [carrier]
    if device.status == DeviceStatus.REMOVED and device.removal_reason:
        reason = RemovalReason(device.removal_reason)
        resource["statusReason"] = [
            {"coding": [{"system": REMOVAL_REASON, "code": reason.value, "display": reason.label}]}
        ]
    if item is not None:
        resource["manufacturer"] = item.manufacturer
        resource["modelNumber"] = item.model
    name = device.description or (str(item) if item is not None else "")
    if name:
        resource["deviceName"] = [{"name": name, "type": "user-friendly-name"}]
    if device.lot:
        resource["lotNumber"] = device.lot
    if device.serial:
        resource["serialNumber"] = device.serial
    if device.expiry:
        resource["expirationDate"] = device.expiry.isoformat()
    if device.production_date:
        resource["manufactureDate"] = device.production_date.isoformat()
    if device.size:
        resource["property"] = [
            {
                "type": {"coding": [{"system": local("device-property"), "code": "size"}]},
                "valueCode": [{"text": device.size}],
            }
        ]
    return resource
