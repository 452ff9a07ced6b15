"""What fhir.resources does not check, Osseo's validation does: required bindings, the FHIRPath
invariants of the resources used (evaluated with fhirpathpy) and a Bundle's reference integrity.
Each check is shown to fail on a resource that breaks it."""

import pytest

from osseo.interop import validate

PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "female"}
CONDITION = {
    "resourceType": "Condition",
    "id": "c1",
    "clinicalStatus": {
        "coding": [
            {"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}
        ]
    },
    "subject": {"reference": "Patient/p1"},
}


def keys(problems):
    return sorted({message.split(":")[0] for _, message in problems})


def test_a_valid_resource_has_no_problems():
    assert validate.check(PATIENT) == []
    assert validate.check(CONDITION) == []


def test_structure_is_fhir_resources_r4b():
    [(path, _message)] = validate.check({**PATIENT, "birthDate": "1980-13-01"})
    assert path == "birthDate"
    assert validate.check({**PATIENT, "nickname": "x"})[0][0] == "nickname"
    assert validate.check({"resourceType": "Widget"}) == [
        ("resourceType", "'Widget' is not a FHIR R4 resource type.")
    ]


@pytest.mark.parametrize(
    ("resource", "path"),
    [
        (
            {"resourceType": "Procedure", "status": "done", "subject": {"reference": "P/1"}},
            "status",
        ),
        ({**PATIENT, "gender": "f"}, "gender"),
        (
            {
                "resourceType": "Device",
                "status": "active",
                "udiCarrier": [{"deviceIdentifier": "1", "entryType": "scanned"}],
            },
            "udiCarrier.entryType",
        ),
    ],
)
def test_a_code_outside_its_required_value_set_is_refused(resource, path):
    problems = validate.check(resource)
    assert [p for p, _ in problems] == [path]


def test_an_abated_condition_must_not_be_active_con_4():
    abated = {**CONDITION, "abatementDateTime": "2025-01-01"}
    assert keys(validate.check(abated)) == ["con-4"]


def test_an_extension_has_a_value_or_extensions_not_both_ext_1():
    both = {
        **PATIENT,
        "extension": [
            {
                "url": "https://osseo.example/fhir/StructureDefinition/x",
                "valueString": "a",
                "extension": [{"url": "y", "valueString": "b"}],
            }
        ],
    }
    assert keys(validate.check(both)) == ["ext-1"]


def test_a_period_ends_after_it_starts_per_1():
    plan = {
        "resourceType": "CarePlan",
        "status": "active",
        "intent": "plan",
        "subject": {"reference": "Patient/p1"},
        "period": {"start": "2025-02-01", "end": "2025-01-01"},
    }
    assert keys(validate.check(plan)) == ["per-1"]


def test_a_search_bundle_alone_carries_a_total_and_search_modes_bdl_1_and_2():
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "total": 1,
        "entry": [{"fullUrl": "urn:uuid:1", "resource": PATIENT, "search": {"mode": "match"}}],
    }
    assert keys(validate.bundle_problems(bundle)) == ["bdl-1", "bdl-2"]


def test_a_reference_to_nothing_in_the_bundle_is_a_problem_at_its_entry():
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": "urn:uuid:a", "resource": CONDITION},
            {"fullUrl": "urn:uuid:b", "resource": {**PATIENT, "id": "someone-else"}},
        ],
    }
    assert validate.bundle_problems(bundle) == [
        ("Bundle.entry[0].resource", "Patient/p1 is not in the Bundle")
    ]
    bundle["entry"][1]["resource"]["id"] = "p1"
    assert validate.bundle_problems(bundle) == []


def test_two_entries_with_one_full_url_bdl_7():
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": "urn:uuid:a", "resource": PATIENT}] * 2,
    }
    assert "bdl-7" in keys(validate.bundle_problems(bundle))
