"""Every API error is application/problem+json (RFC 9457), including those Django answers
before or outside the API's own handlers: no such path, a bad host, a body too large for the
form parser, a server error."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client, RequestFactory

from osseo.api import server_error
from tests.conftest import api_client, client_for

PROBLEM = "application/problem+json"


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
    assert body["status"] == status and body["title"]
    return body


def test_no_such_operation_is_a_404_problem(world):
    _problem(api_client(world.users["surgeon"]).get("/api/v1/no-such-thing"), 404)
    _problem(Client().get("/api/v1/"), 404)


def test_no_such_record_is_a_404_problem(world):
    _problem(api_client(world.users["surgeon"]).get(f"/api/v1/patients/{uuid.uuid4()}"), 404)


def test_no_credentials_is_a_401_problem_with_its_challenge(db):
    response = Client().get("/api/v1/patients")
    _problem(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_role_that_may_not_is_a_403_problem(world):
    client = api_client(world.users["patient"])
    response = client.post("/api/v1/patients", "{}", content_type="application/json")
    assert response.status_code in (403, 422)
    assert response["Content-Type"] == PROBLEM


def test_a_host_not_served_is_a_400_problem(db):
    _problem(Client(HTTP_HOST="evil.example").get("/api/v1/patients"), 400)


def test_a_3_mb_form_body_read_by_a_middleware_is_a_413_problem(world):
    """A signed-in browser's POST: the CSRF middleware reads the form before the API does."""
    client = client_for(world.users["coordinator"])
    response = client.post(
        "/api/v1/patients",
        "given_name=" + "x" * 3_000_000,
        content_type="application/x-www-form-urlencoded",
    )
    _problem(response, 413)


def test_a_3_mb_json_body_is_a_413_problem(world):
    body = json.dumps({"given_name": "x" * 3_000_000})
    response = api_client(world.users["coordinator"]).post(
        "/api/v1/patients", body, content_type="application/json"
    )
    _problem(response, 413)


@pytest.mark.parametrize(("path", "api"), [("/api/v1/patients", True), ("/patients/", False)])
def test_a_server_error_is_a_500_problem_under_the_api_and_a_page_elsewhere(db, path, api):
    response = server_error(RequestFactory().get(path))
    assert response.status_code == 500
    if api:
        assert response["Content-Type"] == PROBLEM
        assert json.loads(response.content)["title"] == "Internal server error"
    else:
        assert response["Content-Type"].startswith("text/html")
