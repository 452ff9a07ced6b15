"""Observations (https://hl7.org/fhir/R4/observation.html): body weight, function tests and daily
steps. (Questionnaire scores are Observations too: questionnaire_response.py.)

Codes: body weight LOINC 29463-7 with SNOMED CT 27113001 (UK Core BodyWeight example,
docs/sources.md#fhir), category `vital-signs`; the 6-minute walk LOINC 64098-7 (verified,
same table), the other function tests in Osseo's own system (rehab/rules.py: no code for the
timed up-and-go, AMP or K-level is verified), category `exam`; daily steps Osseo's own code
(connectors/models.py), category `activity`. Values in UCUM units.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from osseo.connectors.models import STEPS_CODE, ActivityDay, BodyWeight
from osseo.rehab.models import FunctionTest
from osseo.rehab.rules import FUNCTION_TESTS

from .references import People, ref
from .systems import LOINC, OBSERVATION_CATEGORY, SNOMED, UCUM


def _category(code: str, display: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": OBSERVATION_CATEGORY, "code": code, "display": display}]}]


def _quantity(value: Decimal | int, unit: str) -> dict[str, Any]:
    number: int | float = value if isinstance(value, int) else float(value)
    return {"value": number, "unit": unit, "system": UCUM, "code": unit}


def body_weight(weight: BodyWeight, people: People) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": str(weight.uuid),
        "status": "final",
        "category": _category("vital-signs", "Vital Signs"),
        "code": {
            "coding": [
                {"system": LOINC, "code": "29463-7", "display": "Body weight"},
                {"system": SNOMED, "code": "27113001", "display": "Body weight"},
            ],
            "text": "Body weight",
        },
        "subject": ref("Patient", weight.patient.uuid),
        "effectiveDateTime": weight.measured_on.isoformat(),
        "performer": [people.user(weight.recorded_by)],
        "valueQuantity": _quantity(weight.weight_kg, "kg"),
    }


def function_test(test: FunctionTest, people: People) -> dict[str, Any]:
    spec = FUNCTION_TESTS[test.kind]
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(test.uuid),
        "status": "final",
        "category": _category("exam", "Exam"),
        "code": {
            "coding": [{"system": spec.system, "code": spec.code, "display": spec.display}],
            "text": test.get_kind_display(),
        },
        "subject": ref("Patient", test.patient.uuid),
        "effectiveDateTime": test.performed_on.isoformat(),
        "performer": [people.user(test.recorded_by)],
        "valueQuantity": _quantity(test.value, spec.unit),
    }
    if test.notes:
        resource["note"] = [{"text": test.notes}]
    return resource


def daily_steps(day: ActivityDay, patient_uuid: Any) -> dict[str, Any]:
    system, code, display = STEPS_CODE
    return {
        "resourceType": "Observation",
        "id": f"{patient_uuid}-steps-{day.date.isoformat()}",
        "status": "final",
        "category": _category("activity", "Activity"),
        "code": {"coding": [{"system": system, "code": code, "display": display}]},
        "subject": ref("Patient", patient_uuid),
        "effectiveDateTime": day.date.isoformat(),
        "valueQuantity": _quantity(day.steps, "/d"),
    }
