"""Bodies of the wrong shape, deep nesting and control characters: a 400 or 422 in
problem+json from every operation, and nothing saved."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from osseo.audit.models import AuditEntry
from osseo.patients.models import Patient
from tests.conftest import api_client, client_for

PROBLEM = "application/problem+json"
SPEC = json.loads((Path(__file__).parents[2] / "docs" / "openapi.json").read_text())
JSON_WRITES = [
    (method.upper(), path)
    for path, operations in SPEC["paths"].items()
    for method, op in operations.items()
    if "application/json" in op.get("requestBody", {}).get("content", {})
]


def _url(path: str, world) -> str:
    """The path with the world's patient, or a fresh id: bodies are read before any lookup."""
    known = {"{patient_id}": str(world.patient.uuid), "{code}": "q-tfa", "{kind}": "dualcone"}
    return "/".join(
        known.get(p) or (str(uuid.uuid4()) if p.startswith("{") else p) for p in path.split("/")
    )


def _deep(levels: int) -> str:
    return '{"a": ' + "[" * levels + "]" * levels + "}"


def _send(client, method, url, body, content_type="application/json"):
    return client.generic(method, url, body, content_type=content_type)


@pytest.mark.parametrize(("method", "path"), JSON_WRITES, ids=[f"{m} {p}" for m, p in JSON_WRITES])
def test_a_body_that_is_not_an_object_or_nests_too_deep_is_refused(world, method, path):
    # The steps import reads its body itself, after the permission check; the patient's own
    # steps (/me/...) are sent by the patient.
    role = (
        "patient"
        if path.startswith("/api/v1/me/")
        else "prosthetist"
        if path.endswith("/activity/daily")
        else "clinic_admin"
    )
    client = api_client(world.users[role])
    before = AuditEntry.objects.count()
    url = _url(path, world)
    for body in ("[null,null]", "[]", '"text"', "12", "null", "true"):
        response = _send(client, method, url, body)
        assert response.status_code in (400, 422), (body, response.status_code, response.content)
        assert response["Content-Type"] == PROBLEM
    for body in (_deep(100), _deep(100_000)):
        response = _send(client, method, url, body)
        assert response.status_code in (400, 422), response.content
        assert response["Content-Type"] == PROBLEM
        assert "nests deeper than 32 levels" in response.content.decode()
    assert AuditEntry.objects.count() == before


def test_a_patch_body_that_is_an_array_is_a_422_naming_the_body(world):
    client = api_client(world.users["coordinator"])
    response = _send(client, "PATCH", f"/api/v1/patients/{world.patient.uuid}", "[null,null]")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "body", "message": "Send a JSON object, as the operation documents."}
    ]


def test_a_body_that_is_not_json_or_not_utf8_is_a_400_in_problem_json(world):
    client = api_client(world.users["coordinator"])
    for body in (b"{not json", b'{"given_name": "\xff\xfe"}'):
        response = _send(client, "POST", "/api/v1/patients", body)
        assert response.status_code == 400, body
        assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize("name", ["Ada\x00", "Ada\u202eecnalubma", "\u2066Ada\u2069", "Ada\u202a"])
def test_names_with_nul_or_bidi_controls_are_refused_by_the_api(world, name):
    client = api_client(world.users["coordinator"])
    before = Patient.objects.count()
    body = {"given_name": name, "family_name": "Q", "birth_date": "1980-01-01", "sex": "female"}
    response = client.post("/api/v1/patients", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    (error,) = response.json()["errors"]
    assert error["field"] == "given_name"
    assert "U+" in error["message"] or "NUL" in error["message"]
    patch = client.patch(
        f"/api/v1/patients/{world.patient.uuid}",
        json.dumps({"family_name": name}),
        content_type="application/json",
    )
    assert patch.status_code == 422
    assert [e["field"] for e in patch.json()["errors"]] == ["family_name"]
    assert Patient.objects.count() == before
    world.patient.refresh_from_db()
    assert world.patient.family_name == "Quarrell"


def test_control_characters_in_nested_text_and_query_parameters_are_named(world):
    client = api_client(world.users["surgeon"])
    response = client.post(
        f"/api/v1/patients/{world.patient.uuid}/adverse-events",
        json.dumps({"limb": str(world.limb.uuid), "kind": "other", "onset_on": "2025-01-01",
                    "description": "ok", "extra": {"deep": ["fine", "bad\u202e"]}}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "extra.deep.1"
    listed = client.get("/api/v1/patients?search=Ada%E2%80%AE")
    assert listed.status_code == 422
    assert listed["Content-Type"] == PROBLEM


def test_the_patient_form_refuses_bidi_controls_and_nul_beside_the_field(world):
    client = client_for(world.users["coordinator"])
    before = Patient.objects.count()
    for name in ("Ada\u202eecnalubma", "Ada\x00"):
        response = client.post(
            "/patients/new/",
            {"given_name": name, "family_name": "Q", "birth_date": "1980-01-01", "sex": "female"},
        )
        assert response.status_code == 422
        assert response.context["form"].errors["given_name"], name
    assert Patient.objects.count() == before


def test_the_limb_form_shows_a_date_outside_its_window_beside_the_field(world):
    client = client_for(world.users["coordinator"])
    response = client.post(
        f"/patients/{world.patient.uuid}/limbs/new/",
        {"site": "humerus", "side": "right", "amputation_date": "1800-01-01", "cause": "trauma"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["amputation_date"] == [
        "The date cannot be before the date of birth (17 May 1980)."
    ]
    assert world.patient.limbs.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/patients/{p}/activity/daily?to=0",
        "/api/v1/patients/{p}/activity/daily?from=1700000000",
        "/api/v1/patients/{p}/activity/daily?from=2026-13-45",
    ],
)
def test_a_date_query_parameter_that_is_not_a_yyyy_mm_dd_date_is_a_422(world, url):
    response = api_client(world.users["surgeon"]).get(url.format(p=world.patient.uuid))
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM


def test_every_date_query_parameter_takes_only_yyyy_mm_dd():
    """A number is not a date (pydantic would read it as seconds since 1970)."""
    import datetime as dt
    import typing

    from ninja.params.models import QueryModel

    from tests.api.documented import operations

    loose = []
    for operation in operations():
        for holder in operation.models:
            if not issubclass(holder, QueryModel):
                continue
            for params in holder.model_fields.values():
                for name, field in params.annotation.model_fields.items():
                    is_date = field.annotation is dt.date or dt.date in typing.get_args(
                        field.annotation
                    )
                    strict = "_iso_date_only" in repr(field.annotation) + repr(field.metadata)
                    if is_date and not strict:
                        loose.append(f"{operation.operation_id}: {name}")
    assert loose == []


def test_deeply_nested_scoring_rules_are_a_field_error_not_a_server_error(world):
    client = client_for(world.users["clinic_admin"])
    page = client.get("/settings/questionnaires/q-tfa/")
    assert page.status_code == 200
    form = page.context["form"]
    for rules in ("[" * 50_000 + "]" * 50_000, _deep(40)):
        response = client.post(
            "/settings/questionnaires/q-tfa/", {"rules": rules, "version": form.initial["version"]}
        )
        assert response.status_code == 422, rules[:20]
        assert "nests deeper than 32 levels" in str(response.context["form"].errors["rules"])


def test_a_deeply_nested_wording_file_is_a_field_error_not_a_server_error(world):
    client = client_for(world.users["clinic_admin"])
    page = client.get("/settings/questionnaires/q-tfa/")
    deep = ('{"1": ' + "[" * 100_000 + "]" * 100_000 + "}").encode()
    response = client.post(
        "/settings/questionnaires/q-tfa/",
        {
            "version": page.context["form"].initial["version"],
            "item_text_file": SimpleUploadedFile("wording.json", deep, "application/json"),
        },
    )
    assert response.status_code == 422
    assert "nests deeper than 32 levels" in str(response.context["form"].errors)
