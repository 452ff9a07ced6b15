"""Each mapping from Osseo's records to a FHIR R4 resource, one resource kind at a time: the
codes (verified SNOMED CT/LOINC only, else Osseo's own system), the references, and that each
resource validates (fhir.resources R4B, required bindings, FHIRPath invariants)."""

import base64
import datetime as dt
import json

import pytest

from osseo.connectors.actions import replace_part
from osseo.interop import everything, validate
from osseo.interop.systems import (
    BODY_SITE,
    CONDITION_KIND,
    DEVICE_KIND,
    GS1_DI,
    LOINC,
    NHS_NUMBER,
    PROCEDURE_KIND,
    SNOMED,
    UCUM,
    local,
)
from osseo.rehab.actions import create_plan, refer_patient
from osseo.surgery.models import Device
from tests.conftest import FUTURE_EXPIRY, FUTURE_EXPIRY_GS1, api_client
from tests.rehab.conftest import protocol
from tests.surgery.conftest import DUALCONE_GTIN, IMPLANT_GTIN, operation, post, scan


def exported(world):
    out = list(everything.resources(world.patient))
    for resource in out:
        assert validate.check(resource) == [], resource
    return out


def one(resources, kind, **match):
    found = [
        r
        for r in resources
        if r["resourceType"] == kind and all(r.get(k) == v for k, v in match.items())
    ]
    assert len(found) == 1, [r["id"] for r in found]
    return found[0]


def codes(concept):
    return [(c["system"], c["code"]) for c in concept["coding"]]


def test_the_patient_carries_the_nhs_number_under_the_nhs_system(recorded):
    patient = one(exported(recorded), "Patient")
    assert patient["identifier"] == [{"system": NHS_NUMBER, "value": "9434765919"}]
    assert patient["name"] == [{"use": "official", "family": "Quarrell", "given": ["Ada"]}]
    assert (patient["gender"], patient["birthDate"]) == ("female", "1980-05-17")


def test_the_limb_loss_is_a_condition_with_site_side_cause_and_amputation_date(recorded):
    world = recorded
    limb = one(exported(world), "Condition", id=str(world.limb.uuid))
    assert codes(limb["code"]) == [(CONDITION_KIND, "limb-loss"), (SNOMED, "299647001")]
    [site] = limb["bodySite"]
    assert codes(site) == [(BODY_SITE, "femur"), (SNOMED, "71341001")]
    assert site["extension"][0]["valueCoding"]["code"] == "left"
    assert site["text"] == "Left femur (transfemoral)"
    [cause] = limb["extension"]
    assert cause["url"] == "http://hl7.org/fhir/StructureDefinition/condition-dueTo"
    assert codes(cause["valueCodeableConcept"]) == [(local("amputation-cause"), "trauma")]
    assert limb["onsetDateTime"] == "2015-03-02"


@pytest.mark.parametrize(
    ("site", "side", "expected"),
    [
        ("humerus", "right", [(BODY_SITE, "humerus"), (SNOMED, "85050009")]),
        ("hand", "left", [(BODY_SITE, "hand")]),  # no verified code: Osseo's own only
        ("craniofacial", "not_applicable", [(BODY_SITE, "craniofacial")]),
    ],
)
def test_other_sites_use_only_the_verified_body_structures(world, site, side, expected):
    from osseo.patients.actions import add_limb

    limb = add_limb(
        actor=world.users["coordinator"],
        patient=world.patient,
        data={
            "site": site,
            "side": side,
            "amputation_date": dt.date(2018, 1, 9),
            "cause": "tumour",
        },
    )
    condition = one(exported(world), "Condition", id=str(limb.uuid))
    assert codes(condition["bodySite"][0]) == expected
    assert codes(condition["code"]) == [(CONDITION_KIND, "limb-loss")]  # no SNOMED finding


def test_a_complication_has_its_kind_grade_onset_resolution_and_the_operation(recorded):
    world = recorded
    event = one(exported(world), "Condition", id=str(world.event.uuid))
    assert codes(event["code"]) == [
        (local("adverse-event-kind"), "infection_soft_tissue"),
        (SNOMED, "427769002"),
    ]
    [stage] = event["stage"]
    assert codes(stage["type"]) == [(local("grading-system"), "radboud-infection")]
    assert codes(stage["summary"]) == [(local("grading/radboud-infection"), "1")]
    assert (event["onsetDateTime"], event["abatementDateTime"]) == ("2025-03-01", "2025-03-20")
    assert event["clinicalStatus"]["coding"][0]["code"] == "resolved"
    assert event["evidence"] == [{"detail": [{"reference": f"Procedure/{world.procedure.uuid}"}]}]


def test_a_procedure_names_its_kind_surgeon_limb_parts_placed_and_its_signed_record(recorded):
    world = recorded
    resources = exported(world)
    procedure = one(resources, "Procedure")
    assert codes(procedure["code"]) == [(PROCEDURE_KIND, "single_stage")]
    assert procedure["status"] == "completed"
    assert procedure["performedDateTime"] == "2025-01-10"
    assert procedure["performer"][0]["actor"]["reference"] == (
        f"Practitioner/{world.users['surgeon'].uuid}"
    )
    assert codes(procedure["bodySite"][0])[0] == (BODY_SITE, "femur")
    placed = {d.kind: str(d.uuid) for d in Device.objects.filter(placed_by=world.procedure)}
    assert [
        (f["action"]["coding"][0]["code"], f["manipulated"]["reference"])
        for f in procedure["focalDevice"]
    ] == [
        ("implanted", f"Device/{placed['implant']}"),
        ("implanted", f"Device/{placed['dualcone']}"),
    ]
    assert procedure["report"][0]["reference"] == f"DocumentReference/{world.procedure.uuid}"
    document = one(resources, "DocumentReference")
    record = json.loads(base64.b64decode(document["content"][0]["attachment"]["data"]))
    assert record == world.procedure.current.data
    assert (document["docStatus"], document["authenticator"]["reference"]) == (
        "final",
        f"Practitioner/{world.users['surgeon'].uuid}",
    )


def test_signing_is_a_provenance_from_the_audit_trail(recorded):
    world = recorded
    provenance = one(exported(world), "Provenance")
    assert [t["reference"] for t in provenance["target"]] == [
        f"Procedure/{world.procedure.uuid}",
        f"DocumentReference/{world.procedure.uuid}",
    ]
    assert provenance["activity"]["coding"][0]["code"] == "surgery.record.signed"
    assert provenance["agent"][0]["who"]["reference"] == (
        f"Practitioner/{world.users['surgeon'].uuid}"
    )


def test_a_scanned_part_carries_its_udi_as_scanned_and_human_readable(world):
    from osseo.surgery import actions

    procedure = operation(world, parts=("dualcone",), sign=False, on=dt.date(2025, 1, 10))
    label = scan(IMPLANT_GTIN, "LOT7", serial="S9")
    actions.place_device(
        actor=world.users["surgeon"], procedure=procedure, kind="implant", data={"code": label}
    )
    actions.sign_operative_record(actor=world.users["surgeon"], procedure=procedure)
    device = one(exported(world), "Device", lotNumber="LOT7")
    [carrier] = device["udiCarrier"]
    assert carrier == {
        "deviceIdentifier": IMPLANT_GTIN,
        "issuer": GS1_DI,
        "carrierAIDC": base64.b64encode(label.encode()).decode(),
        "carrierHRF": f"(01){IMPLANT_GTIN}(17){FUTURE_EXPIRY_GS1}(10)LOT7(21)S9",
        "entryType": "barcode",
    }
    assert (device["lotNumber"], device["serialNumber"], device["status"]) == (
        "LOT7",
        "S9",
        "active",
    )
    assert device["expirationDate"] == FUTURE_EXPIRY.isoformat()
    assert codes(device["type"]) == [(DEVICE_KIND, "implant")]


def test_a_removed_part_is_inactive_with_its_removal_reason(recorded):
    world = recorded
    dualcone = Device.objects.get(placed_by=world.procedure, kind="dualcone")
    replace_part(
        actor=world.users["prosthetist"],
        device=dualcone,
        replaced_on=dt.date(2025, 6, 1),
        reason="wear",
        data={"gtin": DUALCONE_GTIN, "lot": "DC2", "expiry": FUTURE_EXPIRY},
    )
    device = one(exported(world), "Device", id=str(dualcone.uuid))
    assert device["status"] == "inactive"
    assert codes(device["statusReason"][0]) == [(local("device-removal-reason"), "wear")]


def test_a_draft_operation_and_its_parts_are_not_exported(recorded):
    world = recorded
    draft = operation(world, "debridement", parts=(), sign=False, on=dt.date(2025, 5, 5))
    resources = exported(world)
    assert str(draft.uuid) not in {r["id"] for r in resources}


def test_weight_walk_and_steps_are_observations_with_their_codes_and_ucum_units(recorded):
    world = recorded
    resources = exported(world)
    weight = one(resources, "Observation", id=str(world.weight.uuid))
    assert codes(weight["code"]) == [(LOINC, "29463-7"), (SNOMED, "27113001")]
    assert weight["valueQuantity"] == {"value": 82.0, "unit": "kg", "system": UCUM, "code": "kg"}
    assert weight["category"][0]["coding"][0]["code"] == "vital-signs"
    walk = one(resources, "Observation", id=str(world.walk.uuid))
    assert codes(walk["code"]) == [(LOINC, "64098-7")]
    assert walk["valueQuantity"]["code"] == "m"
    steps = [
        r
        for r in resources
        if r.get("code", {}).get("coding", [{}])[0].get("code") == "daily-steps"
    ]
    assert [(s["effectiveDateTime"], s["valueQuantity"]["value"]) for s in steps] == [
        ("2025-04-02", 5400),
        ("2025-04-03", 6100),
    ]
    assert codes(steps[0]["code"]) == [(local("activity"), "daily-steps")]


def test_the_rehabilitation_referral_and_plan_are_a_service_request_and_a_care_plan(recorded):
    world = recorded
    referral = refer_patient(
        actor=world.users["coordinator"],
        patient=world.patient,
        organisation=world.rehab,
        protocol=protocol(),
    )
    plan = create_plan(
        actor=world.users["rehab_specialist"],
        patient=world.patient,
        protocol=protocol(),
        start_date=dt.date(2025, 2, 1),
        body_weight_kg=82,
        limb=world.limb,
    )
    resources = exported(world)
    request = one(resources, "ServiceRequest", id=str(referral.uuid))
    assert (request["status"], request["intent"]) == ("active", "order")
    assert request["performer"] == [
        {"reference": f"Organization/{world.rehab.uuid}", "display": "Test Rehab"}
    ]
    care = one(resources, "CarePlan")
    assert care["id"] == str(plan.uuid)
    assert care["basedOn"] == [{"reference": f"ServiceRequest/{referral.uuid}"}]
    assert care["title"] == plan.protocol_name
    first = care["activity"][0]["detail"]
    day = plan.phases[0]["start_day"]  # day 1 is the plan's start
    assert first["scheduledPeriod"]["start"] == str(dt.date(2025, 2, 1) + dt.timedelta(day - 1))
    assert len(care["activity"]) == len(plan.phases)


def test_a_questionnaire_response_and_its_scores(recorded):
    world = recorded
    stored = post(
        api_client(world.users["surgeon"]),
        f"/api/v1/patients/{world.patient.uuid}/questionnaire-responses",
        {"questionnaire": "rand-36", "authored_on": "2025-02-01", "answers": {"21": 3, "22": 2}},
    ).json()["id"]
    resources = exported(world)
    response = one(resources, "QuestionnaireResponse")
    assert response["id"] == stored
    assert response["questionnaire"].endswith("/Questionnaire/rand-36|1.0")
    [pain] = [r for r in resources if r.get("derivedFrom")]
    assert pain["valueQuantity"]["value"] == 67.5
