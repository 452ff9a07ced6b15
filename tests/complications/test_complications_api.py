"""Graded adverse events, treatments and death over the API: the grading systems are data."""

import datetime as dt

import pytest

from osseo.audit.models import AuditEntry
from osseo.complications.models import AdverseEvent, Death, GradingSystem, Treatment
from osseo.pathway.models import Phase
from osseo.surgery.models import Procedure
from tests.conftest import api_client
from tests.surgery.conftest import post


def _problem(response, status=422):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def _infection(world, **overrides):
    return {
        "limb": str(world.limb.uuid),
        "episode": str(world.episode.uuid),
        "kind": "infection_soft_tissue",
        "onset_on": "2025-03-01",
        "grading_system": "radboud-infection",
        "grade": "2",
        "description": "Purulent discharge, cellulitis around the stoma.",
        **overrides,
    }


def test_the_verified_schemes_are_shipped_with_their_published_wording_and_sources(world):
    body = api_client(world.users["surgeon"]).get("/api/v1/grading-systems").json()
    by_code = {s["code"]: s for s in body}
    assert sorted(by_code) == ["radboud-infection", "tillander-implant-infection"]
    radboud = by_code["radboud-infection"]
    assert [(g["code"], g["label"]) for g in radboud["grades"]] == [
        ("1", "Grade 1: low-grade soft-tissue infection"),
        ("2", "Grade 2: high-grade soft-tissue infection"),
        ("3", "Grade 3: deep bone infection"),
        ("4", "Grade 4: septic implant failure (septic loosening)"),
    ]
    assert "PLOS ONE 2020;15(3):e0230027" in radboud["source"]
    assert radboud["shipped"] is True
    tillander = by_code["tillander-implant-infection"]
    assert [g["code"] for g in tillander["grades"]] == ["definite", "probable", "possible"]
    assert "10.1007/s11999-010-1370-0" in tillander["source"]
    assert tillander["applies_to"] == ["infection_implant"]


def test_an_event_stores_its_grading_system_and_its_grade_separately(operated):
    world = operated
    response = post(
        api_client(world.users["surgeon"]),
        f"/api/v1/patients/{world.patient.uuid}/adverse-events",
        _infection(world, procedure=str(world.procedure.uuid)),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["grading"] == {
        "system": "radboud-infection",
        "system_name": "Radboud 4-grade infection classification",
        "grade": "2",
        "label": "Grade 2: high-grade soft-tissue infection",
        "source": GradingSystem.objects.get(code="radboud-infection").source,
    }
    assert body["codings"] == [
        {
            "system": "https://osseo.example/fhir/CodeSystem/adverse-event-kind",
            "code": "infection_soft_tissue",
            "display": "Infection: soft tissue",
        },
        {
            "system": "http://snomed.info/sct",
            "code": "427769002",
            "display": "Infection of amputation stump",
        },
    ]
    event = AdverseEvent.objects.get(uuid=body["id"])
    assert (event.grading_system.code, event.grade.code) == ("radboud-infection", "2")
    assert event.procedure == world.procedure
    assert AuditEntry.objects.filter(action="complications.event.recorded").count() == 1


def test_the_same_infection_can_be_graded_under_tillander(operated):
    world = operated
    body = post(
        api_client(world.users["surgeon"]),
        f"/api/v1/patients/{world.patient.uuid}/adverse-events",
        _infection(
            world,
            kind="infection_implant",
            grading_system="tillander-implant-infection",
            grade="probable",
        ),
    ).json()
    assert body["grading"]["label"] == "Probable implant infection"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"grade": "5"}, "grade"),
        ({"grade": "definite"}, "grade"),
        ({"grading_system": "al-muderis"}, "grading_system"),
        ({"grading_system": None}, "grading_system"),
        (
            {
                "kind": "infection_soft_tissue",
                "grading_system": "tillander-implant-infection",
                "grade": "definite",
            },
            "grading_system",
        ),
        ({"kind": "volcano"}, "kind"),
        ({"onset_on": "2014-01-01"}, "onset_on"),
        ({"onset_on": "2999-01-01"}, "onset_on"),
        ({"outcome": "resolved"}, "resolved_on"),
        ({"resolved_on": "2025-04-01"}, "resolved_on"),
        ({"outcome": "resolved", "resolved_on": "2025-02-01"}, "resolved_on"),
        ({"limb": "00000000-0000-0000-0000-000000000000"}, "limb"),
    ],
)
def test_it_refuses_an_inconsistent_event_naming_the_field(operated, overrides, field):
    world = operated
    body = _problem(
        post(
            api_client(world.users["surgeon"]),
            f"/api/v1/patients/{world.patient.uuid}/adverse-events",
            _infection(world, **overrides),
        )
    )
    assert field in [e["field"] for e in body["errors"]], body
    assert AdverseEvent.objects.count() == 0


def test_an_event_resolves_with_its_date_and_outcome(operated):
    world = operated
    client = api_client(world.users["surgeon"])
    event = post(
        client, f"/api/v1/patients/{world.patient.uuid}/adverse-events", _infection(world)
    ).json()
    response = client.patch(
        f"/api/v1/adverse-events/{event['id']}",
        {"outcome": "resolved", "resolved_on": "2025-03-20", "grade": "1"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["outcome"], body["resolved_on"], body["grading"]["grade"]) == (
        "resolved",
        "2025-03-20",
        "1",
    )


def test_antibiotics_then_a_revision_the_operation_enters_the_procedure_history(operated):
    world = operated
    client = api_client(world.users["surgeon"])
    event = post(
        client,
        f"/api/v1/patients/{world.patient.uuid}/adverse-events",
        _infection(world, kind="infection_bone", grade="3"),
    ).json()
    url = f"/api/v1/adverse-events/{event['id']}/treatments"
    oral = post(
        client,
        url,
        {
            "kind": "oral_antibiotics",
            "started_on": "2025-03-02",
            "ended_on": "2025-03-16",
            "details": "Flucloxacillin 1 g four times daily",
        },
    )
    assert oral.status_code == 201, oral.content
    assert oral.json()["procedure"] is None
    revision = post(client, url, {"kind": "revision", "started_on": "2025-04-02"})
    assert revision.status_code == 201, revision.content
    linked = revision.json()["procedure"]
    assert (linked["kind"], linked["performed_on"], linked["status"]) == (
        "revision",
        "2025-04-02",
        "draft",
    )

    procedure = Procedure.objects.get(uuid=linked["id"])
    assert list(world.episode.procedures.values_list("kind", flat=True)) == [
        "single_stage",
        "revision",
    ]
    world.episode.refresh_from_db()
    assert world.episode.phase == Phase.SURGERY
    change = world.episode.changes.last()
    assert (change.from_phase, change.to_phase) == ("follow_up", "surgery")
    assert change.reason == "Revision for infection: bone (complication)."
    # The same procedure record the surgeon completes, and the patient's record lists.
    detail = client.get(f"/api/v1/procedures/{procedure.uuid}").json()
    assert detail["kind"] == "revision"
    full = client.get(f"/api/v1/adverse-events/{event['id']}").json()
    assert [t["kind"] for t in full["treatments"]] == ["oral_antibiotics", "revision"]


def test_an_explantation_links_an_operation_already_recorded_and_removes_the_implant(operated):
    world = operated
    from osseo.pathway.actions import transition_to
    from osseo.surgery.actions import start_procedure

    transition_to(
        actor=world.users["surgeon"],
        episode=world.episode,
        to_phase="surgery",
        reason="Septic loosening.",
    )
    op = start_procedure(
        actor=world.users["surgeon"],
        episode=world.episode,
        kind="explantation",
        performed_on=dt.date(2025, 5, 1),
    )
    client = api_client(world.users["surgeon"])
    event = post(
        client,
        f"/api/v1/patients/{world.patient.uuid}/adverse-events",
        _infection(world, kind="infection_implant", grade="4", device=str(world.implant.uuid)),
    ).json()
    response = post(
        client,
        f"/api/v1/adverse-events/{event['id']}/treatments",
        {
            "kind": "explantation",
            "started_on": "2025-05-01",
            "procedure": str(op.uuid),
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["procedure"]["id"] == str(op.uuid)
    world.implant.refresh_from_db()
    assert world.implant.status == "in_place"  # until the explantation is signed
    from osseo.surgery.actions import save_operative_record, sign_operative_record

    save_operative_record(
        actor=world.users["surgeon"], procedure=op, data={"extras": {"summary": "Explanted."}}
    )
    sign_operative_record(actor=world.users["surgeon"], procedure=op)
    world.implant.refresh_from_db()
    assert (world.implant.status, world.implant.removal_reason, world.implant.removed_by) == (
        "removed",
        "infection",
        op,
    )
    assert Procedure.objects.filter(kind="explantation").count() == 1


def test_parts_named_as_removed_by_an_explantation_are_refused_its_signing_removes_them(operated):
    world = operated
    client = api_client(world.users["surgeon"])
    event = post(
        client,
        f"/api/v1/patients/{world.patient.uuid}/adverse-events",
        _infection(world, kind="infection_implant", grade="4", device=str(world.implant.uuid)),
    ).json()
    response = post(
        client,
        f"/api/v1/adverse-events/{event['id']}/treatments",
        {
            "kind": "explantation",
            "started_on": "2025-05-01",
            "removed_devices": [str(world.implant.uuid)],
        },
    )
    body = _problem(response)
    assert [e["field"] for e in body["errors"]] == ["removed_devices"]
    world.implant.refresh_from_db()
    assert world.implant.status == "in_place"


def test_a_linked_operation_must_be_of_the_treatments_kind(operated):
    world = operated
    client = api_client(world.users["surgeon"])
    event = post(
        client, f"/api/v1/patients/{world.patient.uuid}/adverse-events", _infection(world)
    ).json()
    body = _problem(
        post(
            client,
            f"/api/v1/adverse-events/{event['id']}/treatments",
            {
                "kind": "debridement",
                "started_on": "2025-01-10",
                "procedure": str(world.procedure.uuid),
            },
        )
    )
    assert body["errors"][0]["field"] == "started_on" or body["errors"][0]["field"] == "procedure"
    assert Treatment.objects.count() == 0


def test_a_coordinator_records_antibiotics_but_not_an_operation(operated):
    world = operated
    client = api_client(world.users["coordinator"])
    event = post(
        client, f"/api/v1/patients/{world.patient.uuid}/adverse-events", _infection(world)
    ).json()
    url = f"/api/v1/adverse-events/{event['id']}/treatments"
    assert (
        post(client, url, {"kind": "iv_antibiotics", "started_on": "2025-03-03"}).status_code == 201
    )
    before = Procedure.objects.count()
    _problem(post(client, url, {"kind": "debridement", "started_on": "2025-03-05"}), 403)
    assert Procedure.objects.count() == before
    world.episode.refresh_from_db()
    assert world.episode.phase == Phase.FOLLOW_UP


def test_a_death_is_recorded_with_its_date_and_closes_the_open_episodes(operated):
    world = operated
    client = api_client(world.users["coordinator"])
    response = post(
        client,
        f"/api/v1/patients/{world.patient.uuid}/death",
        {"died_on": "2025-06-01", "cause": "Myocardial infarction"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["died_on"] == "2025-06-01"
    world.episode.refresh_from_db()
    assert world.episode.phase == Phase.CLOSED
    assert world.episode.changes.last().reason == "The patient died on 01 Jun 2025."
    assert (
        client.get(f"/api/v1/patients/{world.patient.uuid}/death").json()["cause"]
        == "Myocardial infarction"
    )
    # Twice is a state refusal (409, saying what the move needs); an event after it, bad input.
    twice = _problem(
        post(client, f"/api/v1/patients/{world.patient.uuid}/death", {"died_on": "2025-06-02"}),
        409,
    )
    assert twice["missing"] == [
        {
            "code": "no_death_recorded",
            "label": "No death already recorded for this patient",
            "source": "",
        }
    ]
    body = _problem(
        post(
            client,
            f"/api/v1/patients/{world.patient.uuid}/adverse-events",
            _infection(world, onset_on="2025-07-01", episode=None),
        )
    )
    assert body["errors"][0]["field"] == "onset_on"
    assert Death.objects.count() == 1


def test_a_death_before_a_recorded_operation_is_refused(operated):
    world = operated
    body = _problem(
        post(
            api_client(world.users["surgeon"]),
            f"/api/v1/patients/{world.patient.uuid}/death",
            {"died_on": "2024-12-01"},
        )
    )
    assert body["errors"][0]["field"] == "died_on"


def test_a_clinic_admin_adds_a_scheme_as_data_and_it_can_grade_events(operated):
    world = operated
    scheme = {
        "code": "clinic-stoma",
        "name": "Clinic stoma scheme (local)",
        "source": "Local protocol v2, approved by the clinic's MDT (test).",
        "applies_to": ["stoma_hypergranulation"],
        "grades": [{"code": "A", "label": "Mild"}, {"code": "B", "label": "Marked"}],
    }
    assert (
        post(api_client(world.users["surgeon"]), "/api/v1/grading-systems", scheme).status_code
        == 403
    )
    response = post(api_client(world.users["clinic_admin"]), "/api/v1/grading-systems", scheme)
    assert response.status_code == 201, response.content
    body = post(
        api_client(world.users["surgeon"]),
        f"/api/v1/patients/{world.patient.uuid}/adverse-events",
        _infection(world, kind="stoma_hypergranulation", grading_system="clinic-stoma", grade="B"),
    ).json()
    assert body["grading"]["label"] == "Marked"
    # Another clinic does not see it.
    codes = [
        s["code"] for s in api_client(world.users["outsider"]).get("/api/v1/grading-systems").json()
    ]
    assert "clinic-stoma" not in codes


def test_the_clinic_wide_list_filters_and_audits_whom_it_names(operated):
    world = operated
    surgeon = api_client(world.users["surgeon"])
    url = f"/api/v1/patients/{world.patient.uuid}/adverse-events"
    assert post(surgeon, url, _infection(world)).status_code == 201
    assert (
        post(
            surgeon,
            url,
            _infection(
                world,
                kind="pain",
                grading_system=None,
                grade=None,
                onset_on="2025-02-01",
                outcome="resolved",
                resolved_on="2025-02-10",
            ),
        ).status_code
        == 201
    )
    body = surgeon.get("/api/v1/adverse-events").json()
    assert [(e["kind"], e["outcome"]) for e in body["items"]] == [
        ("infection_soft_tissue", "ongoing"),
        ("pain", "resolved"),
    ]
    assert body["count"] == 2
    body = surgeon.get("/api/v1/adverse-events?outcome=ongoing").json()
    assert [e["grading"]["grade"] for e in body["items"]] == ["2"]
    body = surgeon.get("/api/v1/adverse-events?onset_to=2025-02-15").json()
    assert [e["kind"] for e in body["items"]] == ["pain"]
    entry = AuditEntry.objects.filter(action="patients.list.viewed").last()
    assert entry.changes["patients"] == [str(world.patient.uuid)]
    outsider = api_client(world.users["outsider"]).get("/api/v1/adverse-events").json()
    assert outsider == {"items": [], "count": 0}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("outcome=better", "outcome"),
        ("kind=flu", "kind"),
        ("onset_from=2025-05-01&onset_to=2025-01-01", "onset_to"),
        ("onset_from=yesterday", "onset_from"),
        ("limit=0", "limit"),
    ],
)
def test_a_bad_filter_is_a_problem_naming_it(world, query, field):
    body = _problem(api_client(world.users["surgeon"]).get(f"/api/v1/adverse-events?{query}"))
    assert [e["field"] for e in body["errors"]] == [field]


def test_a_patient_has_no_clinic_wide_list(world):
    _problem(api_client(world.users["patient"]).get("/api/v1/adverse-events"), 403)
