"""Patient ⇄ FHIR Patient (https://hl7.org/fhir/R4/patient.html), aligned with UK Core Patient:
the NHS number as an identifier with system `https://fhir.nhs.uk/Id/nhs-number`
(docs/sources.md#fhir), the clinic's record number under Osseo's own
identifier system, gender as FHIR AdministrativeGender (Osseo's `Sex` uses its codes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from osseo.patients.models import Patient, Sex

from .systems import NHS_NUMBER, RECORD_NUMBER


def to_fhir(patient: Patient) -> dict[str, Any]:
    identifiers = []
    if patient.nhs_number:
        identifiers.append({"system": NHS_NUMBER, "value": patient.nhs_number})
    if patient.record_number:
        identifiers.append({"system": RECORD_NUMBER, "value": patient.record_number})
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(patient.uuid),
        "identifier": identifiers,
        "name": [{"use": "official", "family": patient.family_name, "given": [patient.given_name]}],
        "gender": patient.sex,
        "birthDate": patient.birth_date.isoformat(),
    }
    telecom = []
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone})
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    if telecom:
        resource["telecom"] = telecom
    if patient.address:
        resource["address"] = [{"text": patient.address}]
    if not identifiers:
        del resource["identifier"]
    return resource


def from_fhir(resource: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The patient's fields read from a Patient resource, and the problems found as
    (FHIRPath under the resource, message)."""
    problems: list[tuple[str, str]] = []
    data: dict[str, Any] = {}
    names = resource.get("name") or []
    official = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    index = names.index(official) if official in names else 0
    data["family_name"] = official.get("family") or ""
    data["given_name"] = " ".join(official.get("given") or [])
    if not data["family_name"] or not data["given_name"]:
        problems.append((f"name[{index}]", "A family name and a given name are required."))
    birth = resource.get("birthDate")
    try:
        data["birth_date"] = dt.date.fromisoformat(birth) if birth else None
    except ValueError:
        data["birth_date"] = None
    if data["birth_date"] is None:
        problems.append(("birthDate", "A full date of birth (YYYY-MM-DD) is required."))
    gender = resource.get("gender") or Sex.UNKNOWN
    data["sex"] = gender if gender in Sex.values else Sex.UNKNOWN
    data["nhs_number"] = ""
    data["record_number"] = ""
    for identifier in resource.get("identifier") or []:
        if identifier.get("system") == NHS_NUMBER:
            data["nhs_number"] = identifier.get("value") or ""
        elif identifier.get("system") == RECORD_NUMBER:
            data["record_number"] = identifier.get("value") or ""
    for telecom in resource.get("telecom") or []:
        if telecom.get("system") == "phone" and "phone" not in data:
            data["phone"] = telecom.get("value") or ""
        elif telecom.get("system") == "email" and "email" not in data:
            data["email"] = telecom.get("value") or ""
    addresses = resource.get("address") or []
    if addresses:
        first = addresses[0]
        lines = [*(first.get("line") or []), first.get("city"), first.get("postalCode")]
        data["address"] = first.get("text") or ", ".join(x for x in lines if x)
    return data, problems
