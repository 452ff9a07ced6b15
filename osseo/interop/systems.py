"""Every code system, identifier system and profile URL Osseo's FHIR uses, in one place.

External systems are the ones the sources give (docs/sources.md#verified-codes,
docs/sources.md#fhir).
Everything Osseo codes itself lives under `LOCAL_BASE`, one CodeSystem per concept; the other apps
take their local system URLs from here. Nothing here imports Django.
"""

from __future__ import annotations

from typing import NamedTuple

# External terminologies (docs/sources.md#fhir).
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
# HL7 terminology used by the resources' own bindings (https://hl7.org/fhir/R4/terminologies.html).
HL7 = "http://terminology.hl7.org/CodeSystem"
OBSERVATION_CATEGORY = f"{HL7}/observation-category"
CONDITION_CLINICAL = f"{HL7}/condition-clinical"
CONDITION_VERIFICATION = f"{HL7}/condition-ver-status"
CONDITION_CATEGORY = f"{HL7}/condition-category"
PROVENANCE_PARTICIPANT = f"{HL7}/provenance-participant-type"
# UDI issuers (docs/sources.md#udi).
GS1_DI = "http://hl7.org/fhir/NamingSystem/gs1-di"
HIBCC_DI = "http://hl7.org/fhir/NamingSystem/hibcc-dI"
# UK Core profiles (docs/sources.md#fhir): declared in meta.profile as "aligned", not claimed
# conformance (no UK Core validator runs here).
UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition"

# Osseo's own systems. `osseo.example` is the project's placeholder domain until a clinic
# publishes its CodeSystems at a domain it owns; change LOCAL_BASE then, in this one place.
LOCAL_BASE = "https://osseo.example/fhir"
LOCAL_ID = f"{LOCAL_BASE}/Id"


def local(name: str) -> str:
    """The URL of Osseo's own CodeSystem `name`."""
    return f"{LOCAL_BASE}/CodeSystem/{name}"


PATIENT_ID = f"{LOCAL_ID}/patient"  # Osseo's public patient id (a UUID)
RECORD_NUMBER = f"{LOCAL_ID}/record-number"  # the clinic's local record number (MRN)
DEVICE_ID = f"{LOCAL_ID}/device"
PROCEDURE_KIND = local("procedure-kind")
DEVICE_KIND = local("device-kind")
BODY_SITE = local("implant-site")
AMPUTATION_CAUSE = local("amputation-cause")
CONDITION_KIND = local("condition-kind")
ADVERSE_EVENT_KIND = local("adverse-event-kind")
GRADING = local("grading-system")  # a grade is `<system code>#<grade code>` under it
FUNCTION_TEST = local("function-test")
ACTIVITY = local("activity")
OUTCOME_SCALE = local("outcome-scale")
CARE_PLAN = local("care-plan")
APPOINTMENT_KIND = local("appointment-kind")  # follow-up, rehab, connector service, MDT
SERVICE_REQUEST = local("service-request")
DOCUMENT = local("document-type")
PROVENANCE_ACTIVITY = local("audit-action")
QUESTIONNAIRE = f"{LOCAL_BASE}/Questionnaire"


class Coding(NamedTuple):
    system: str
    code: str
    display: str

    def as_fhir(self) -> dict[str, str]:
        return {"system": self.system, "code": self.code, "display": self.display}


def concept(*codings: Coding, text: str = "") -> dict[str, object]:
    """A CodeableConcept of the codings (the local one first), with `text` when given."""
    out: dict[str, object] = {"coding": [c.as_fhir() for c in codings]}
    if text:
        out["text"] = text
    return out
