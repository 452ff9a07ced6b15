from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import acting_as


class AuditContextMiddleware:
    """Makes the client address available to `audit.record()` for the whole request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting_as(address=request.META.get("REMOTE_ADDR", "")):
            return self.get_response(request)
