"""The one NinjaAPI at /api/v1; each app adds its router. Errors are RFC 9457 problem details."""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.utils import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from osseo.accounts.actions import user_for_token
from osseo.errors import Conflict, StaleVersion
from osseo.problem import PROBLEM_MEDIA_TYPE as PROBLEM


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class OsseoAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Error responses are documented with the media type they are answered in."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content")
                    if int(code) >= 400 and content and "application/json" in content:
                        response["content"] = {PROBLEM: copy.deepcopy(content["application/json"])}
        return schema


api = OsseoAPI(
    title="Osseo API",
    version="1",
    description="Osseointegration programme: patients, pathway, procedures and follow-up.",
    urls_namespace="api",
    # Bearer first: with the session first, a token-only POST can fail the session's CSRF check.
    auth=[BearerToken(), SessionAuth()],
)


def problem(
    request: HttpRequest,
    status: int,
    title: str,
    detail: str = "",
    errors: list[dict[str, str]] | None = None,
    missing: list[dict[str, str]] | None = None,
) -> HttpResponse:
    body = {
        "type": "about:blank",
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
    return problem(request, exc.status_code, exc.message or "Error")


def _register_routers() -> None:
    from osseo.accounts.api import router as accounts_router
    from osseo.complications.api import router as complications_router
    from osseo.connectors.api import router as connectors_router
    from osseo.outcomes.api import router as outcomes_router
    from osseo.pathway.api import router as pathway_router
    from osseo.patients.api import router as patients_router
    from osseo.portal.api import router as portal_router
    from osseo.rehab.api import router as rehab_router
    from osseo.surgery.api import router as surgery_router

    api.add_router("/auth", accounts_router)
    api.add_router("/", patients_router)
    api.add_router("/", pathway_router)
    api.add_router("/", surgery_router)
    api.add_router("/", portal_router)
    api.add_router("/", complications_router)
    api.add_router("/", outcomes_router)
    api.add_router("/", rehab_router)
    api.add_router("/", connectors_router)


_register_routers()
