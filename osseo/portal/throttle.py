"""Rate limits on the public enquiry doors (the page and the API share them), per client address.

Two limits, both settings so a clinic (and the tests) can set them:
- `OSSEO_ENQUIRY_RATE` (e.g. "5/h"): enquiries a client address may send (a honeypot-caught one
  counts as sent);
- `OSSEO_ENQUIRY_ATTEMPT_RATE` (e.g. "30/h"): submissions of any kind, valid or not, so a robot
  cannot hammer the validation either, while a person correcting a few field errors is not stopped.
Counting is django-ratelimit's, over the `default` cache; the client address is REMOTE_ADDR, or
the header named by RATELIMIT_IP_META_KEY behind a proxy.
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage
from ninja.throttling import BaseThrottle

SENT = "portal.enquiry.sent"
ATTEMPTS = "portal.enquiry.attempts"

MESSAGE = (
    "Too many enquiries have come from your network recently. Please try again later, "
    "or telephone the clinic."
)


def _no_address(group: str, request: HttpRequest) -> str:
    return "no-address"


def _key(request: HttpRequest) -> Any:
    """By client address (django-ratelimit's "ip": IPv6 by /64); requests arriving without one
    (a misconfigured proxy, a bare WSGI call) share one bucket rather than fail."""
    meta = getattr(settings, "RATELIMIT_IP_META_KEY", None) or "REMOTE_ADDR"
    return "ip" if request.META.get(meta) else _no_address


def _usage(request: HttpRequest, group: str, rate: str, *, increment: bool) -> dict | None:  # type: ignore[type-arg]
    return get_usage(
        request, group=group, key=_key(request), rate=rate, method="POST", increment=increment
    )


def refused(request: HttpRequest) -> int | None:
    """Count this submission; the seconds until the client may try again if it is over a limit,
    else None."""
    sent = _usage(request, SENT, settings.OSSEO_ENQUIRY_RATE, increment=False)
    if sent is not None and sent["count"] >= sent["limit"]:
        return max(int(sent["time_left"]), 1)
    attempts = _usage(request, ATTEMPTS, settings.OSSEO_ENQUIRY_ATTEMPT_RATE, increment=True)
    if attempts is not None and attempts["should_limit"]:
        return max(int(attempts["time_left"]), 1)
    return None


def count_sent(request: HttpRequest) -> None:
    """Count an enquiry that was sent (or caught by the honeypot)."""
    _usage(request, SENT, settings.OSSEO_ENQUIRY_RATE, increment=True)


class EnquiryThrottle(BaseThrottle):
    """The same limits for `POST /api/v1/enquiries`; ninja checks it before parsing the body, so
    malformed bodies count as attempts too. Over the limit: 429 problem with Retry-After."""

    _local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        self._local.wait = refused(request)
        return self._local.wait is None

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
