"""Response headers that Django's own middleware does not set (its SecurityMiddleware sets
Referrer-Policy and X-Content-Type-Options; the CSP middleware the Content Security Policy)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def permissions_policy(features: dict[str, list[str]]) -> str:
    """The header's structured-field syntax: `camera=(), geolocation=(self)`."""
    return ", ".join(f"{name}=({' '.join(allow)})" for name, allow in features.items())


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` on every response: no page may use the camera, microphone, location,
    payment and the other powerful features listed in settings.OSSEO_PERMISSIONS_POLICY."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.value = permissions_policy(settings.OSSEO_PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.value)
        return response
