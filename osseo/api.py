"""The one NinjaAPI at /api/v1; each app adds its router. Errors are RFC 9457 problem details."""

from __future__ import annotations

import copy
import re
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.utils import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from osseo.accounts.actions import user_for_token
from osseo.accounts.passwords import (
    PASSWORD_CHANGE_REQUIRED,
    PasswordChangeRequired,
    check_api_access,
)
from osseo.errors import Conflict, StaleVersion
from osseo.plausible import TEXT_PATTERN, BodyError, read_json, text_problems
from osseo.problem import PROBLEM_MEDIA_TYPE as PROBLEM


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            check_api_access(user, request.path)
            request.user = user
        return user


class Session(SessionAuth):
    """The browser's session; its idle limit is enforced by the accounts middleware."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None:
            check_api_access(user, request.path)
        return user


class BodyParser(Parser):
    """Bodies and parameters as the API documents them, before any schema sees them.

    - a JSON body is an object (every operation documents one): an array, a string, a number or
      null is a 422 naming the body; nesting deeper than `read_json` allows is a 400, so no
      schema, validator or handler ever recurses into it (RecursionError);
    - no text, in a body or a query or form parameter, holds NUL or a bidirectional control
      (osseo/plausible.py): a 422 naming each field."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = read_json(request.body)  # BodyError (ValueError): ninja answers 400, see below
        if not isinstance(data, dict):
            raise _invalid([("body", "Send a JSON object, as the operation documents.")], "body")
        if found := text_problems(data):
            raise _invalid(found, "body")
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        where = "query" if data is request.GET else "form"
        if found := text_problems(result):
            raise _invalid(found, where)
        return result


def _invalid(found: list[tuple[str, str]], where: str) -> NinjaValidationError:
    return NinjaValidationError(
        [{"loc": (where, *field.split(".")), "msg": message} for field, message in found]
    )


class OsseoAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Error responses are documented with the media type they are answered in; the text
        a request may carry, with the characters it may not hold (BodyParser)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content")
                    if int(code) >= 400 and content and "application/json" in content:
                        response["content"] = {PROBLEM: copy.deepcopy(content["application/json"])}
        _document_text_rule(schema)
        return schema


def _plain_values() -> dict[str, Any]:
    scalar = [
        {"type": "string", "pattern": TEXT_PATTERN},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "null"},
    ]
    return {
        "anyOf": [
            *scalar,
            {"type": "array", "items": {"anyOf": scalar}},
            {
                "type": "object",
                "propertyNames": {"pattern": TEXT_PATTERN},
                "additionalProperties": {"anyOf": scalar},
            },
        ]
    }


def _document_text_rule(schema: dict[str, Any]) -> None:
    """Every free text of a request (body, form or query: not a date, id or file) documents the
    pattern of what it may hold, and so do the names of an object's properties; the schemas that
    only responses use are left as they are (stored text is answered as it is)."""
    components = schema.get("components", {}).get("schemas", {})
    pending: list[Any] = []
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            pending += [p.get("schema") for p in operation.get("parameters", [])]
            for media in operation.get("requestBody", {}).get("content", {}).values():
                pending.append(media.get("schema"))
    seen: set[str] = set()
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending += node
            continue
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            if name not in seen and name in components:
                seen.add(name)
                pending.append(components[name])
            continue
        text = node.get("format") in (None, "password", "email")
        if node.get("pattern") == "^[^\\x00]*$":  # no NUL: a part of the rule, the rule instead
            del node["pattern"]
        if node.get("type") == "string" and text and not {"enum", "const", "pattern"} & set(node):
            node["pattern"] = TEXT_PATTERN
        if node.get("type") == "object" or "properties" in node:
            node.setdefault("propertyNames", {"pattern": TEXT_PATTERN})
            if "properties" in node and "additionalProperties" not in node:
                # A schema's properties are what the operation reads (others are ignored).
                node["additionalProperties"] = False
            elif node.get("additionalProperties") in (True, {}):
                # Free-form values (an operative record's sections): plain values or one level
                # of list or object, whose text holds no control characters either.
                node["additionalProperties"] = _plain_values()
        for key, value in node.items():
            if key not in (
                "pattern",
                "propertyNames",
                "additionalProperties",
                "example",
                "examples",
                "default",
            ):
                pending.append(value)
        if isinstance(node.get("additionalProperties"), dict):
            pending.append(node["additionalProperties"])


api = OsseoAPI(
    title="Osseo API",
    version="1",
    description="Osseointegration programme: patients, pathway, procedures and follow-up.\n\n"
    "Size limits: a load recording at most OSSEO_RECORDING_MAX_MB (4096 MB unless the server "
    "sets it); a daily steps file 10 MB; a JSON body 2.5 MB; any other body OSSEO_REQUEST_MAX_MB "
    "(20 MB unless set). A larger body is answered 413 (problem+json) before it is read, also "
    "when it is streamed without a Content-Length. JSON bodies are objects nested at most 32 "
    "levels; text holds no NUL and no Unicode bidirectional controls (422).",
    urls_namespace="api",
    # Bearer first: with the session first, a token-only POST can fail the session's CSRF check.
    auth=[BearerToken(), Session()],
    parser=BodyParser(),
)


def problem(
    request: HttpRequest,
    status: int,
    title: str,
    detail: str = "",
    errors: list[dict[str, str]] | None = None,
    missing: list[dict[str, str]] | None = None,
    type: str = "about:blank",
) -> HttpResponse:
    body = {
        "type": type,
        "title": title,
        "status": status,
        "detail": detail,
        "errors": errors or [],
        "missing": missing or [],
    }
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


def _loc_to_field(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "data")]
    return ".".join(parts) or "body"


@api.exception_handler(NinjaValidationError)
def _invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": _loc_to_field(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
        for e in exc.errors
    ]
    return problem(request, 422, "Invalid input", "Some fields are not valid.", errors)


@api.exception_handler(DjangoValidationError)
def _invalid_action(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [{"field": f, "message": m} for f, msgs in exc.message_dict.items() for m in msgs]
    else:
        errors = [{"field": "body", "message": m} for m in exc.messages]
    return problem(request, 422, "Invalid input", "Some fields are not valid.", errors)


@api.exception_handler(DataError)
def _unstorable(request: HttpRequest, exc: DataError) -> HttpResponse:
    """Text the database cannot store (e.g. a NUL character on PostgreSQL) is bad input, not a
    server error; the transaction was rolled back, nothing was saved."""
    return problem(
        request, 422, "Invalid input", "Some text cannot be stored (control characters?)."
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, 404, "Not found", str(exc) or "No such object.")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(request, 403, "Forbidden", str(exc) or "Your role may not do this.")


@api.exception_handler(PasswordChangeRequired)
def _password_change_required(request: HttpRequest, exc: PasswordChangeRequired) -> HttpResponse:
    return problem(
        request, 403, "Password change required", str(exc), type=PASSWORD_CHANGE_REQUIRED
    )


@api.exception_handler(Conflict)
def _conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return problem(request, 409, "Conflict", str(exc), missing=[m.as_dict() for m in exc.missing])


@api.exception_handler(StaleVersion)
def _stale(request: HttpRequest, exc: StaleVersion) -> HttpResponse:
    response = problem(request, 412, "Precondition failed", str(exc))
    if exc.current:  # none when the record does not exist yet
        response["ETag"] = exc.current
    return response


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    from django.conf import settings

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return problem(
        request,
        413,
        "Content too large",
        f"The request body is larger than the {limit / 1_000_000:g} MB accepted; "
        "nothing was saved.",
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem(request, 401, "Unauthorized", "Sign in, or send a bearer token.")
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    wait = max(int(exc.wait or 0), 1)
    response = problem(
        request,
        429,
        "Too many requests",
        f"Too many requests have come from your address recently; try again in {wait} seconds.",
    )
    response["Retry-After"] = str(wait)
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja turns whatever its body parser raises into a 400 "Cannot parse request body"; the
    # parser's own refusals (BodyParser) travel as its cause.
    cause = exc.__cause__
    if isinstance(cause, NinjaValidationError):
        return _invalid_request(request, cause)
    if isinstance(cause, RequestDataTooBig):
        return _too_big(request, cause)
    if isinstance(cause, BodyError):
        return problem(request, 400, "Bad request", str(cause))
    return problem(request, exc.status_code, exc.message or "Error")


def _register_routers() -> None:
    from osseo.accounts.api import router as accounts_router
    from osseo.accounts.organisation_api import router as organisations_router
    from osseo.complications.api import router as complications_router
    from osseo.connectors.api import router as connectors_router
    from osseo.outcomes.api import router as outcomes_router
    from osseo.pathway.api import router as pathway_router
    from osseo.patients.api import router as patients_router
    from osseo.patients.invitation_api import router as invitations_router
    from osseo.portal.api import router as portal_router
    from osseo.portal.me_api import router as me_router
    from osseo.portal.me_records_api import router as my_records_router
    from osseo.rehab.api import router as rehab_router
    from osseo.scheduling.api import router as scheduling_router
    from osseo.surgery.api import router as surgery_router

    api.add_router("/auth", accounts_router)
    api.add_router("/", organisations_router)
    api.add_router("/", invitations_router)
    api.add_router("/", patients_router)
    api.add_router("/", pathway_router)
    api.add_router("/", surgery_router)
    api.add_router("/", portal_router)
    api.add_router("/", me_router)
    api.add_router("/", my_records_router)
    api.add_router("/", complications_router)
    api.add_router("/", outcomes_router)
    api.add_router("/", rehab_router)
    api.add_router("/", connectors_router)
    api.add_router("/", scheduling_router)


_register_routers()


# --- Django's own error responses, for the API's paths ------------------------------------------
# Errors raised before or outside ninja (no such path, a body too large for a middleware that
# reads the form, a bug: 500) are answered by Django's handlers (osseo/urls.py names these): under
# /api/ as problem+json like every other API error, elsewhere as Django's pages.


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from django.views import defaults

    if not _is_api(request):
        return defaults.bad_request(request, exception)  # type: ignore[arg-type]
    if isinstance(exception, RequestDataTooBig):
        return _too_big(request, exception)
    return problem(request, 400, "Bad request", "The request cannot be read.")


# "Your role may not do this (audit.view)." names the permission for the logs and the API; a
# page shows the sentence without it.
_PERMISSION_CODE = re.compile(r" \((?:[a-z_]+\.)+[a-z_]+\)(?=\.?$)")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from django.views import defaults

    if not _is_api(request):
        if exception is not None:  # the page says it in words, without the permission's code
            exception = PermissionDenied(_PERMISSION_CODE.sub("", str(exception)))
        return defaults.permission_denied(request, exception)  # type: ignore[arg-type]
    return problem(request, 403, "Forbidden", "Your role may not do this.")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from django.views import defaults

    if not _is_api(request):
        return defaults.page_not_found(request, exception)  # type: ignore[arg-type]
    return problem(request, 404, "Not found", "No such operation or object.")


def server_error(request: HttpRequest) -> HttpResponse:
    from django.views import defaults

    if not _is_api(request):
        return defaults.server_error(request)
    return problem(
        request,
        500,
        "Internal server error",
        "Something went wrong on the server; the error is logged for the operators.",
    )
