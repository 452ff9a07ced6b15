"""The surgical pathway over the API: assess, plan, operate, trace devices, sign and amend."""

import pytest

from osseo.audit.models import AuditEntry
from osseo.surgery.models import Assessment, Device, OperativeRecordVersion, Procedure, SurgicalPlan
from tests.conftest import FUTURE_EXPIRY, FUTURE_EXPIRY_GS1, api_client
from tests.gates import mdt_body
from tests.surgery.conftest import (
    COMPLETE_RECORD,
    DUALCONE_GTIN,
    IMPLANT_GTIN,
    move,
    post,
    put,
    scan,
)


def _problem(response, status=422):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


@pytest.mark.parametrize(
    ("site", "side", "strategy", "options"),
    [
        (
            "femur",
            "left",
            "single_stage",
            ["general", "general_spinal", "general_epidural", "regional_iv_sedation"],
        ),
        (
            "tibia",
            "right",
            "single_stage",
            ["general", "general_spinal", "general_epidural", "regional_iv_sedation"],
        ),
        (
            "humerus",
            "left",
            "single_stage",
            ["general", "general_brachial_plexus", "regional_iv_sedation"],
        ),
        (
            "radius_ulna",
            "right",
            "single_stage",
            ["general", "general_brachial_plexus", "regional_iv_sedation"],
        ),
        ("hand", "left", "staged", ["general", "general_brachial_plexus", "regional_iv_sedation"]),
        ("craniofacial", "not_applicable", "staged", ["general"]),
    ],
)
def test_the_plan_preview_applies_the_guides_rules_for_every_site(
    world, site, side, strategy, options
):
    before = SurgicalPlan.objects.count()
    body = post(
        api_client(world.users["surgeon"]), "/api/v1/plans/preview", {"site": site, "side": side}
    ).json()
    assert body["strategy"] == strategy
    assert [o["code"] for o in body["anaesthesia_options"]] == options
    assert body["default_fixation"] == "press_fit"
    assert all(r["source"] for r in body["rationale"])
    assert (body["stage_window"] is not None) == (strategy == "staged")
    assert SurgicalPlan.objects.count() == before


def test_the_preview_refuses_a_limb_without_a_side(world):
    body = _problem(
        post(
            api_client(world.users["surgeon"]),
            "/api/v1/plans/preview",
            {"site": "femur", "side": "not_applicable"},
        )
    )
    assert body["errors"][0]["field"] == "side"


def test_an_assessment_flags_and_needs_a_reason_to_decide_eligible_over_a_flag(world):
    move(world, "assessment")
    client = api_client(world.users["coordinator"])
    url = f"/api/v1/episodes/{world.episode.uuid}/assessments"
    body = {**mdt_body(world.users), "dysvascular": True, "decision": "eligible"}
    problem = _problem(post(client, url, body))
    assert problem["errors"][0]["field"] == "decision_reason"
    assert "dysvascular" in problem["errors"][0]["message"]
    # The reason is the deciding surgeon's to write, not the coordinator's who records.
    problem = _problem(post(client, url, {**body, "decision_reason": "MDT accepts the risk."}))
    assert problem["errors"] == [
        {
            "field": "decision_reason",
            "message": "Deciding eligible despite the flags needs a reason written by the "
            "deciding surgeon (surgeon): they record this decision themselves.",
        }
    ]
    assert Assessment.objects.count() == 0
    ok = post(
        api_client(world.users["surgeon"]),
        url,
        {
            **body,
            "decision_reason": "Good distal pulses; MDT accepts the risk.",
            "canal_diameter_mm": 17,
            "usable_length_mm": 180,
        },
    )
    assert ok.status_code == 201
    assert [f["code"] for f in ok.json()["flags"]] == ["dysvascular"]


def test_an_assessment_outside_the_assessment_phase_is_a_409_naming_the_phase_it_needs(world):
    problem = _problem(
        post(
            api_client(world.users["coordinator"]),
            f"/api/v1/episodes/{world.episode.uuid}/assessments",
            {**mdt_body(world.users), "decision": "defer"},
        ),
        409,
    )
    assert (problem["title"], problem["detail"]) == (
        "Conflict",
        "An assessment cannot be recorded now.",
    )
    assert problem["missing"] == [
        {
            "code": "episode_in_assessment",
            "label": "Assessments are recorded in the assessment phase, not Referral.",
            "source": "",
        }
    ]
    assert Assessment.objects.count() == 0


def test_a_plan_against_the_recommendation_needs_a_reason_and_anaesthesia_must_suit_the_site(world):
    move(world, "assessment", "planning")
    client = api_client(world.users["surgeon"])
    url = f"/api/v1/episodes/{world.episode.uuid}/plans"
    problem = _problem(
        post(client, url, {"strategy": "staged", "anaesthesia": "general_brachial_plexus"})
    )
    assert {e["field"] for e in problem["errors"]} == {"strategy_reason", "anaesthesia"}
    assert SurgicalPlan.objects.count() == 0
    plan = post(client, url, {"anaesthesia": "general_epidural"})
    assert plan.status_code == 201
    assert (
        plan.json()["strategy"],
        plan.json()["fixation"],
        plan.json()["anaesthesia_agreed_by"],
    ) == ("single_stage", "press_fit", None)
    agreed = post(
        api_client(world.users["anaesthetist"]),
        f"/api/v1/plans/{plan.json()['id']}/anaesthesia-agreement",
    )
    assert agreed.status_code == 200
    assert agreed.json()["anaesthesia_agreed_by"] == "anaesthetist"
    denied = post(client, f"/api/v1/plans/{plan.json()['id']}/anaesthesia-agreement")
    assert denied.status_code == 403


def test_a_staged_plan_shows_the_window_and_a_date_outside_it_needs_a_reason(world):
    move(world, "assessment", "planning")
    client = api_client(world.users["surgeon"])
    url = f"/api/v1/episodes/{world.episode.uuid}/plans"
    body = {
        "strategy": "staged",
        "strategy_reason": "Poor bone stock",
        "anaesthesia": "general",
        "planned_date": "2027-01-10",
        "stages": [{"planned_date": "2027-02-10"}],
    }
    problem = _problem(post(client, url, body))
    assert problem["errors"][0]["field"] == "stages.2"
    assert (
        "2027-05-10" in problem["errors"][0]["message"]
        or "10 May 2027" in problem["errors"][0]["message"]
    )
    ok = post(client, url, {**body, "stages": [{"planned_date": "2027-06-01"}]})
    assert ok.status_code == 201
    assert ok.json()["stage_window"] == "4 to 6 months"
    assert ok.json()["stages"] == [
        {"number": 2, "planned_date": "2027-06-01", "outside_window_reason": ""}
    ]


def test_devices_parse_reads_gs1_and_refuses_a_bad_check_digit(world):
    client = api_client(world.users["surgeon"])
    good = post(
        client,
        "/api/v1/devices/parse",
        {"code": f"(01){IMPLANT_GTIN}(17){FUTURE_EXPIRY_GS1}(10)LOT7(21)SN9"},
    )
    assert good.json() == {
        "gtin": IMPLANT_GTIN,
        "lot": "LOT7",
        "serial": "SN9",
        "expiry": FUTURE_EXPIRY.isoformat(),
        "production_date": None,
        "expired": False,
    }
    bad = _problem(post(client, "/api/v1/devices/parse", {"code": "(01)09506000134353(10)LOT7"}))
    assert bad["errors"][0]["field"] == "code"
    assert "check digit" in bad["errors"][0]["message"]
    assert Device.objects.count() == 0


def test_an_operative_record_is_signed_only_when_complete_then_amended_by_version(in_surgery):
    world = in_surgery
    client = api_client(world.users["surgeon"])
    started = post(
        client,
        f"/api/v1/episodes/{world.episode.uuid}/procedures",
        {"kind": "single_stage", "performed_on": "2026-11-20"},
    )
    assert started.status_code == 201
    pid = started.json()["id"]
    assert "Scan or enter the implant placed." in started.json()["missing"]

    refused = _problem(post(client, f"/api/v1/procedures/{pid}/sign"), 409)
    assert refused["detail"] == "This record cannot be signed yet."
    guide = "Clinic patient guide, 'The Surgery'"
    note = "What an operative note should capture (docs/sources.md#operative-note)"
    assert refused["missing"] == [
        {
            "code": "anaesthesia_given",
            "label": "Record the anaesthesia given.",
            "source": f"{guide}, Anaesthesia",
        },
        {
            "code": "reamed_diameter",
            "label": "Record the reamed diameter (bone preparation).",
            "source": f"{guide}, Bone Preparation",
        },
        {
            "code": "implant_fixation",
            "label": "Record the implant's fixation.",
            "source": f"{guide}, Implant Insertion",
        },
        {"code": "implant_device", "label": "Scan or enter the implant placed.", "source": note},
        {
            "code": "stoma_created",
            "label": "Record the stoma (closure).",
            "source": f"{guide}, Closure and Skin Flap",
        },
        {
            "code": "dualcone_device",
            "label": "Scan or enter the dualcone attached.",
            "source": f"{guide}, Attachment of Dualcone",
        },
    ]
    assert Procedure.objects.get(uuid=pid).status == "draft"

    assert (
        put(client, f"/api/v1/procedures/{pid}/record", {"data": COMPLETE_RECORD}).status_code
        == 200
    )
    implant = post(
        client,
        f"/api/v1/procedures/{pid}/devices",
        {"kind": "implant", "code": scan(IMPLANT_GTIN, "IMP-42", "S001")},
    )
    assert implant.status_code == 201
    assert (implant.json()["gtin"], implant.json()["lot"], implant.json()["serial"]) == (
        IMPLANT_GTIN,
        "IMP-42",
        "S001",
    )
    still = _problem(post(client, f"/api/v1/procedures/{pid}/sign"), 409)
    assert [(m["code"], m["label"]) for m in still["missing"]] == [
        ("dualcone_device", "Scan or enter the dualcone attached.")
    ]
    post(
        client,
        f"/api/v1/procedures/{pid}/devices",
        {"kind": "dualcone", "gtin": DUALCONE_GTIN, "lot": "DC-7"},
    )
    signed = post(client, f"/api/v1/procedures/{pid}/sign")
    assert signed.status_code == 200
    assert (signed.json()["status"], signed.json()["signed_by"]) == ("signed", "surgeon")

    read_only = _problem(put(client, f"/api/v1/procedures/{pid}/record", {"data": {}}), 409)
    assert read_only["detail"] == "This record is signed and read-only; amend it with a reason."
    no_reason = _problem(
        post(
            client, f"/api/v1/procedures/{pid}/amendments", {"data": COMPLETE_RECORD, "reason": " "}
        )
    )
    assert no_reason["errors"][0]["field"] == "reason"
    amended = post(
        client,
        f"/api/v1/procedures/{pid}/amendments",
        {
            "data": {**COMPLETE_RECORD, "extras": {"blood_loss_ml": 450}},
            "reason": "Blood loss re-measured",
        },
    )
    assert amended.status_code == 201
    versions = amended.json()["versions"]
    assert [(v["number"], v["amendment_reason"]) for v in versions] == [
        (1, ""),
        (2, "Blood loss re-measured"),
    ]
    assert versions[0]["data"]["extras"]["blood_loss_ml"] == 300
    assert OperativeRecordVersion.objects.filter(procedure__uuid=pid).count() == 2
    actions = list(AuditEntry.objects.filter(object_id=pid).values_list("action", flat=True))
    writes = [a for a in actions if not a.endswith(".viewed")]
    assert writes == [
        "surgery.procedure.started",
        "surgery.record.saved",
        "surgery.record.signed",
        "surgery.record.amended",
    ]


def test_an_expired_device_needs_explicit_confirmation(in_surgery):
    world = in_surgery
    client = api_client(world.users["surgeon"])
    pid = post(
        client,
        f"/api/v1/episodes/{world.episode.uuid}/procedures",
        {"kind": "stage_1", "performed_on": "2026-11-20"},
    ).json()["id"]
    code = scan(IMPLANT_GTIN, "OLD-1", expiry="200131")
    refused = _problem(
        post(client, f"/api/v1/procedures/{pid}/devices", {"kind": "implant", "code": code})
    )
    assert refused["errors"][0]["field"] == "confirm_expired"
    assert Device.objects.count() == 0
    ok = post(
        client,
        f"/api/v1/procedures/{pid}/devices",
        {"kind": "implant", "code": code, "confirm_expired": True},
    )
    assert ok.status_code == 201
    assert Device.objects.get().expired_use_confirmed is True


def test_a_stage_1_record_needs_no_dualcone(in_surgery):
    world = in_surgery
    client = api_client(world.users["surgeon"])
    pid = post(
        client,
        f"/api/v1/episodes/{world.episode.uuid}/procedures",
        {"kind": "stage_1", "performed_on": "2026-11-20"},
    ).json()["id"]
    record = {k: v for k, v in COMPLETE_RECORD.items() if k not in ("closure", "dualcone")}
    put(client, f"/api/v1/procedures/{pid}/record", {"data": record})
    post(
        client,
        f"/api/v1/procedures/{pid}/devices",
        {"kind": "implant", "gtin": IMPLANT_GTIN, "lot": "L1"},
    )
    assert post(client, f"/api/v1/procedures/{pid}/sign").status_code == 200


def test_an_unknown_step_or_bad_value_in_the_record_is_refused_and_nothing_saved(in_surgery):
    world = in_surgery
    client = api_client(world.users["surgeon"])
    pid = post(
        client,
        f"/api/v1/episodes/{world.episode.uuid}/procedures",
        {"kind": "single_stage", "performed_on": "2026-11-20"},
    ).json()["id"]
    problem = _problem(
        put(
            client,
            f"/api/v1/procedures/{pid}/record",
            {
                "data": {
                    "teleport": {"x": 1},
                    "bone_preparation": {"reamed_diameter_mm": "wide"},
                    "anaesthesia": {"given": "general_brachial_plexus"},
                }
            },
        )
    )
    assert {e["field"] for e in problem["errors"]} == {
        "teleport",
        "bone_preparation.reamed_diameter_mm",
        "anaesthesia.given",
    }
    assert OperativeRecordVersion.objects.get(procedure__uuid=pid).data == {}


def test_the_recall_search_finds_implanted_devices_by_lot_within_my_access(in_surgery):
    world = in_surgery
    client = api_client(world.users["surgeon"])
    pid = post(
        client,
        f"/api/v1/episodes/{world.episode.uuid}/procedures",
        {"kind": "stage_1", "performed_on": "2026-11-20"},
    ).json()["id"]
    post(
        client,
        f"/api/v1/procedures/{pid}/devices",
        {"kind": "implant", "gtin": IMPLANT_GTIN, "lot": "RECALL-1"},
    )
    found = client.get(f"/api/v1/devices?gtin={IMPLANT_GTIN}&lot=RECALL-1").json()
    assert found["count"] == 1
    assert found["items"][0]["patient"] == str(world.patient.uuid)
    assert found["items"][0]["patient_name"] == "Ada Quarrell"
    assert client.get("/api/v1/devices?lot=recall-1").json()["count"] == 1
    assert (
        api_client(world.users["outsider"]).get("/api/v1/devices?lot=RECALL-1").json()["count"] == 0
    )
    assert _problem(client.get("/api/v1/devices"))["errors"][0]["field"] == "gtin"


@pytest.mark.parametrize(
    "persona",
    ["anaesthetist", "prosthetist", "coordinator", "rehab_specialist", "patient", "outsider"],
)
def test_only_the_surgeon_records_operations_and_a_denied_request_changes_nothing(
    in_surgery, persona
):
    world = in_surgery
    response = post(
        api_client(world.users[persona]),
        f"/api/v1/episodes/{world.episode.uuid}/procedures",
        {"kind": "single_stage", "performed_on": "2026-11-20"},
    )
    assert response.status_code == (404 if persona in ("rehab_specialist", "outsider") else 403)
    assert Procedure.objects.count() == 0


def test_an_absurd_offset_in_the_recall_search_is_a_422_not_a_crash(world):
    response = api_client(world.users["surgeon"]).get(
        "/api/v1/devices?lot=X&offset=11802289850255438599503740928"
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
