"""The committed OpenAPI document tells the truth about every operation.

For each operation of docs/openapi.json, schemathesis draws requests that fit the document
(positive data only) and sends them, through the WSGI application, with the path ids of real
records (a patient operated on and now in follow-up, a plan, a device, an enquiry...). Then:

- a body the document calls valid is taken: the endpoint may refuse it on a domain rule (an NHS
  check digit, a date in the future, the episode's phase: 409 or 422, which the document cannot
  express), but its own request validation must not refuse it, which would mean that the
  document and the code disagree on the body's shape;
- every answer is one the document lists, in its media type, and its body matches the
  documented schema (each 2xx above all).

The surgical plan endpoints, once documented with the rehabilitation plan's schemas, fail both.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pydantic
import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from django.test import override_settings
from django.urls import resolve
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.generation.feedback import NO_FEEDBACK
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import EnvironBuilder

from osseo.api import api
from tests.api.documented import operations
from tests.conftest import keep_db_connection, make_patient, make_user
from tests.outcomes.test_rand36_scoring import COMPLETE as RAND36_COMPLETE

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "openapi.json"
WALK = ROOT / "tests" / "data" / "recordings" / "walk_100hz.csv"
SCHEMA = schemathesis.openapi.from_path(COMMITTED)
SCHEMA.app = get_wsgi_application()
# Text without NUL characters: PostgreSQL cannot store them, a refusal the document cannot show.
SCHEMA.config.generation.update(allow_x00=False)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 4  # requests per operation: the first draws are the simplest bodies that fit

# Who calls each operation: its permission's role (osseo/accounts/permissions.py); otherwise the
# surgeon, who holds most. A role that may not is still checked: 403 is documented too.
CALLER = {
    "agree_anaesthesia": "anaesthetist",
    "add_catalogue_item": "clinic_admin",
    "set_service_policy": "clinic_admin",
    "add_grading_system": "clinic_admin",
    "set_scoring_rules": "clinic_admin",
    "create_protocol": "clinic_admin",
    "update_protocol": "clinic_admin",
    "copy_protocol": "clinic_admin",
    "list_enquiries": "coordinator",
    "get_enquiry": "coordinator",
    "add_enquiry_note": "coordinator",
    "set_enquiry_status": "coordinator",
    "convert_enquiry": "coordinator",
    "refer_patient": "coordinator",
    "withdraw_referral": "coordinator",
    "create_rehab_plan": "rehab_specialist",
    "log_load": "rehab_specialist",
    "correct_load_log": "rehab_specialist",
    "record_function_test": "rehab_specialist",
    "replace_connector_part": "prosthetist",
    "import_daily_steps": "prosthetist",
    "submit_load_recording": "prosthetist",
    "record_body_weight": "prosthetist",
    "retry_load_recording": "prosthetist",
    "update_own_organisation_contact": "clinic_admin",
    "add_partner": "clinic_admin",
    "end_partnership": "clinic_admin",
    "create_mdt_meeting": "coordinator",
    "move_mdt_meeting": "coordinator",
    "cancel_mdt_meeting": "coordinator",
    "book_appointment": "coordinator",
    "reschedule_appointment": "coordinator",
    "cancel_appointment": "coordinator",
    "record_appointment_outcome": "coordinator",
    "get_me": "patient",
    "update_my_contact": "patient",
    "list_my_questionnaire_responses": "patient",
    "answer_my_questionnaire": "patient",
    "send_my_daily_steps": "patient",
}


@dataclass
class Records:
    tokens: dict[str, str]  # role -> bearer token
    ids: dict[str, str]  # path parameter -> the id sent
    ids_under: dict[tuple[str, str], str]  # (path prefix, parameter) -> the id sent there

    def path_parameters(self, path: str) -> dict[str, str]:
        values = {}
        for name in re.findall(r"{(\w+)}", path):
            under = [
                v
                for (prefix, n), v in self.ids_under.items()
                if n == name and path.startswith(prefix)
            ]
            values[name] = under[0] if under else self.ids[name]
        return values


def _records() -> Records:
    from osseo.accounts.actions import create_organisation, issue_api_token
    from osseo.complications.actions import record_death, record_event
    from osseo.connectors.actions import set_service_policy
    from osseo.connectors.recordings import submit_recording
    from osseo.demo import surgery as demo_surgery
    from osseo.demo.connectors import DEMO_POLICY
    from osseo.demo.reference import ensure_reference_data
    from osseo.outcomes.actions import record_response
    from osseo.outcomes.models import Questionnaire
    from osseo.pathway.actions import open_episode, override_gate, transition_to
    from osseo.patients.actions import add_limb
    from osseo.portal.actions import receive_enquiry
    from osseo.rehab import actions as rehab
    from osseo.rehab.models import LoadingProtocol
    from osseo.rehab.reference import ensure_reference_protocols
    from osseo.surgery.actions import add_catalogue_item

    ensure_reference_data()
    ensure_reference_protocols()
    clinic = create_organisation(name="Conformance Clinic", slug="conformance", kind="oi_clinic")
    partner = create_organisation(
        name="Conformance Rehab", slug="conformance-rehab", kind="rehab_partner"
    )
    from osseo.accounts.organisation_actions import add_partnership

    partnership = add_partnership(clinic=clinic, partner=partner)
    roles = [
        "surgeon",
        "anaesthetist",
        "prosthetist",
        "coordinator",
        "clinic_admin",
        "rehab_specialist",
    ]
    users = {role: make_user(f"conformance-{role}", role, clinic) for role in roles}
    surgeon, coordinator, admin = users["surgeon"], users["coordinator"], users["clinic_admin"]
    for ref, site, diameter, length in ((101, "femur", 18, 160), (102, "tibia", 14, 120)):
        add_catalogue_item(
            actor=admin,
            data={
                "kind": "implant",
                "manufacturer": "Generic",
                "model": f"Press-fit {site}",
                "gtin": demo_surgery.gtin14(ref),
                "site": site,
                "fixation": "press_fit",
                "diameter_mm": diameter,
                "length_mm": length,
            },
        )
    dualcone = add_catalogue_item(
        actor=admin,
        data={
            "kind": "dualcone",
            "manufacturer": "Generic",
            "model": "Dualcone",
            "gtin": demo_surgery.gtin14(900),
        },
    )
    patient = make_patient(coordinator, nhs_number="9434765919")

    def episode_of(site: str, side: str, *phases: str) -> Any:
        limb = add_limb(
            actor=coordinator,
            patient=patient,
            data={
                "site": site,
                "side": side,
                "amputation_date": dt.date(2012, 3, 2),
                "cause": "trauma",
            },
        )
        episode = open_episode(actor=coordinator, limb=limb)
        for phase in phases:
            transition_to(actor=surgeon, episode=episode, to_phase=phase)
            if phase == "assessment" and phases[-1] != "assessment":
                demo_surgery.assess(users, episode, eligible=True, n=1)
            if phase == "planning":
                demo_surgery.plan(users, episode, staged=False)
        return episode

    # The pathway as the demo walks it: assessed, planned, operated on, rehabilitated.
    operated = episode_of("femur", "left", "assessment", "planning", "surgery")
    demo_surgery.operate(surgeon, operated, kind="single_stage", n=1, dualcone=dualcone)
    for phase in ("rehabilitation", "follow_up"):
        transition_to(
            actor=surgeon,
            episode=operated,
            to_phase=phase,
            reason="Loading plan kept by the partner (test)." if phase == "follow_up" else "",
        )
    planning = episode_of("tibia", "right", "assessment", "planning")
    assessment = episode_of("humerus", "left", "assessment")
    procedure = operated.procedures.get()

    standard = LoadingProtocol.objects.filter(organisation__isnull=True).order_by("id").first()
    assert standard is not None
    referral = rehab.refer_patient(
        actor=coordinator, patient=patient, organisation=partner, protocol=standard
    )
    rehab_plan = rehab.create_plan(
        actor=users["rehab_specialist"],
        patient=patient,
        protocol=standard,
        start_date=timezone.localdate() - dt.timedelta(days=10),
        body_weight_kg=Decimal(80),
        limb=operated.limb,
    )
    load_log = rehab.log_load(
        actor=users["rehab_specialist"],
        plan=rehab_plan,
        data={"date": timezone.localdate() - dt.timedelta(days=5), "applied_kg": 30, "pain_nrs": 2},
    )
    own_protocol = rehab.copy_protocol(actor=admin, protocol=standard)
    event = record_event(
        actor=surgeon,
        patient=patient,
        data={
            "limb": operated.limb,
            "episode": operated,
            "procedure": procedure,
            "kind": "stoma_hypergranulation",
            "onset_on": procedure.performed_on + dt.timedelta(days=30),
        },
    )
    rand36 = Questionnaire.objects.get(code="rand-36")
    response = record_response(
        actor=surgeon,
        patient=patient,
        questionnaire=rand36,
        data={
            "authored_on": timezone.localdate(),
            "answers": {str(item): answer for item, answer in RAND36_COMPLETE.items()},
            "limb": operated.limb,
        },
    )
    set_service_policy(actor=admin, kind="dualcone", values=DEMO_POLICY)
    recording, _ = submit_recording(
        actor=users["prosthetist"],
        patient=patient,
        upload=SimpleUploadedFile(WALK.name, WALK.read_bytes()),
        recorded_on=timezone.localdate(),
        limb=operated.limb,
    )
    override = override_gate(
        actor=surgeon,
        episode=planning,
        requirement="signed_operative_record",
        reason="Operation recorded on paper (test).",
    )
    deceased = make_patient(coordinator, given_name="Bryn", family_name="Late")
    record_death(
        actor=surgeon, patient=deceased, died_on=timezone.localdate() - dt.timedelta(days=2)
    )
    enquiry = receive_enquiry(
        organisation=clinic,
        data={
            "name": "Rhian Conformance",
            "email": "rhian@example.org",
            "phone": "",
            "site": "femur",
            "side": "left",
            "amputation_year": 2015,
            "cause": "trauma",
            "prosthesis_problems": "Socket rubs.",
            "heard_from": "",
            "consent": True,
            "message": "",
        },
        notify=False,
    )
    from osseo.scheduling.actions import book_appointment

    appointment = book_appointment(
        actor=coordinator,
        patient=patient,
        data={
            "kind": "connector_service",
            "starts_at": timezone.now() + dt.timedelta(days=5),
            "place": "Prosthetics workshop",
            "clinician": surgeon,
        },
    )
    from osseo.scheduling.actions import create_meeting

    meeting = create_meeting(
        actor=coordinator,
        data={
            "starts_at": timezone.now() + dt.timedelta(days=6),
            "place": "Seminar room",
            "attendees": [{"user": surgeon, "discipline": "surgeon"}],
        },
    )
    ids = {
        "appointment_id": appointment.uuid,
        "meeting_id": meeting.uuid,
        "patient_id": patient.uuid,
        "episode_id": operated.uuid,
        "plan_id": planning.plans.get().uuid,
        "procedure_id": procedure.uuid,
        "device_id": procedure.devices_placed.get(kind="dualcone").uuid,
        "event_id": event.uuid,
        "referral_id": referral.uuid,
        "log_id": load_log.uuid,
        "protocol_id": own_protocol.uuid,
        "response_id": response.uuid,
        "recording_id": recording.uuid,
        "enquiry_id": enquiry.uuid,
        "override_id": override.uuid,
        "partnership_id": partnership.uuid,
        "code": "rand-36",
        "kind": "dualcone",
    }
    ids_under = {
        ("/api/v1/episodes/{episode_id}/assessments", "episode_id"): assessment.uuid,
        ("/api/v1/episodes/{episode_id}/plans", "episode_id"): planning.uuid,
        ("/api/v1/episodes/{episode_id}/overrides/{override_id}", "episode_id"): planning.uuid,
        ("/api/v1/rehab-plans/", "plan_id"): rehab_plan.uuid,
        ("/api/v1/patients/{patient_id}/death", "patient_id"): deceased.uuid,
    }
    # The patient's own account, for the /me operations.
    users["patient"] = make_user("conformance-patient", "patient", clinic, patient=patient)
    tokens = {role: issue_api_token(user=user) for role, user in users.items()}
    # A second token of the surgeon's, for revoke_token to revoke without signing the caller out.
    issue_api_token(user=surgeon)
    spare = surgeon.api_tokens.order_by("-created_at", "-id").first()
    assert spare is not None
    ids["token_id"] = spare.uuid
    return Records(
        tokens,
        {name: str(value) for name, value in ids.items()},
        {key: str(value) for key, value in ids_under.items()},
    )


@pytest.fixture(scope="module")
def records(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[Records]:
    """One set of records for every operation; each test's changes are rolled back (`db`)."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media)),
        transaction.atomic(),
    ):
        yield _records()
        transaction.set_rollback(True)


def _request_validation_errors(case: Any, operation_id: str) -> list[Any]:
    """What the endpoint's own request validation (ninja's, before the view) says of the request
    the case sends: the same request, rebuilt, through the operation's parameter models."""
    request = WSGIRequest(EnvironBuilder(**case.as_transport_kwargs()).get_environ())
    (operation,) = [op for op in operations() if op.operation_id == operation_id]
    path_kwargs = resolve(request.path_info).kwargs
    errors: list[Any] = []
    for model in operation.models:
        try:
            model.resolve(request, api, path_kwargs)
        except pydantic.ValidationError as error:
            errors += error.errors(include_url=False)
    return errors


OPERATIONS = sorted(
    (result.ok() for result in SCHEMA.get_all_operations()),
    key=lambda op: op.definition.raw["operationId"],
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "operation", OPERATIONS, ids=[op.definition.raw["operationId"] for op in OPERATIONS]
)
def test_the_operation_takes_its_documented_requests_and_answers_as_documented(
    operation: Any, records: Records
) -> None:
    operation_id = operation.definition.raw["operationId"]
    token = records.tokens[CALLER.get(operation_id, "surgeon")]
    strategy = operation.as_strategy(
        generation_mode=GenerationMode.POSITIVE,
        # From the document alone: no constants gathered from the code, whose pool varies from
        # run to run.
        feedback=NO_FEEDBACK,
        path_parameters=records.path_parameters(operation.path),
        headers={"Authorization": f"Bearer {token}"},
    )

    statuses: list[int] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def call(case: Any) -> None:
        if case.media_type == "multipart/form-data" and isinstance(case.body, dict):
            # A form has no null: a client leaves the field out.
            case.body = {name: value for name, value in case.body.items() if value is not None}
        with keep_db_connection(), transaction.atomic():
            response = case.call()
            transaction.set_rollback(True)
        statuses.append(response.status_code)
        if response.status_code == 422:
            assert _request_validation_errors(case, operation_id) == [], (
                f"{operation_id} refused a request its document calls valid: {response.text}"
            )
        case.validate_response(response, checks=CHECKS)

    call()
    if operation.method.upper() == "GET":
        # Reads of real records succeed: their documented success schemas are really checked.
        assert any(200 <= status < 300 for status in statuses), statuses
