"""The FHIR endpoints under /api/v1/fhir/: `Patient/{id}/$everything` and the transaction
endpoint. Plain Django views (not the ninja API): FHIR answers `application/fhir+json` and its
errors are OperationOutcome resources, never problem+json. Authentication is the API's: a bearer
token, or the session (with its CSRF check for a POST)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

from osseo.accounts.actions import user_for_token
from osseo.errors import Conflict
from osseo.plausible import BodyError, read_json

from . import everything, importer
from .outcome import error, fhir_response, issue, operation_outcome
from .queries import get_record_for


def _user(request: HttpRequest) -> tuple[Any, bool]:
    """(the user, whether they came with a bearer token) or (None, False)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return user_for_token(header[7:].strip()), True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user, False
    return None, False


def _unauthorised() -> HttpResponse:
    response = error(401, "login", "Sign in, or send a bearer token.")
    response["WWW-Authenticate"] = "Bearer"
    return response


def _ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/api/v1/fhir/")


@csrf_exempt
def patient_everything(request: HttpRequest, patient_id: str) -> HttpResponse:
    if request.method != "GET":
        return error(405, "not-supported", "Use GET for $everything.")
    user, _ = _user(request)
    if user is None:
        return _unauthorised()
    try:
        patient = get_record_for(user, patient_id, via="api")
    except Http404:
        return error(404, "not-found", f"No patient Patient/{patient_id} that you may see.")
    except PermissionDenied as exc:
        return error(403, "forbidden", str(exc) or "Your role may not do this.")
    return fhir_response(everything.searchset(patient, _base(request)))


@csrf_exempt
def transaction(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return error(405, "not-supported", "POST a transaction Bundle here.")
    user, by_token = _user(request)
    if user is None:
        return _unauthorised()
    if not by_token:
        refused = CsrfViewMiddleware(_ok).process_view(request, _ok, (), {})
        if refused is not None:
            return error(403, "security", "The CSRF check failed; send a bearer token instead.")
    if request.content_type not in ("application/fhir+json", "application/json"):
        return error(
            415,
            "not-supported",
            "Send the Bundle as application/fhir+json (or application/json).",
        )
    try:
        body = read_json(request.body)
    except BodyError as exc:
        return error(400, "structure", str(exc))
    except (ValueError, UnicodeDecodeError):
        return error(400, "structure", "The body is not JSON.")
    if not isinstance(body, dict):
        return error(400, "structure", "Send a Bundle resource (a JSON object).")
    try:
        response = importer.import_bundle(actor=user, bundle=body)
    except importer.Refused as exc:
        return fhir_response(operation_outcome(exc.issues), exc.status)
    except PermissionDenied as exc:
        return error(403, "forbidden", str(exc) or "Your role may not do this.")
    except Conflict as exc:
        return error(409, "conflict", str(exc))
    except ValidationError as exc:
        return fhir_response(operation_outcome(issue("invalid", m) for m in exc.messages), 422)
    return fhir_response(response, 200)


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error(404, "not-supported", f"No FHIR operation at {request.path}.")
