from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .address import client_address, networks
from .context import acting_as


class AuditContextMiddleware:
    """Makes the client address available to `audit.record()` for the whole request.

    Behind the installation's own proxies (`OSSEO_TRUSTED_PROXIES`) the address is the client's
    from the forwarding header (`osseo/audit/address.py`), and REMOTE_ADDR is set to it so that
    the sign-in lockout and the rate limits count the client, not the proxy; the peer's own
    address stays in `OSSEO_PEER_ADDR`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.proxies = networks(settings.OSSEO_TRUSTED_PROXIES)
        self.header = settings.OSSEO_FORWARDED_FOR_HEADER

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = client_address(request.META, self.proxies, self.header)
        request.META["OSSEO_PEER_ADDR"] = request.META.get("REMOTE_ADDR", "")
        request.META["REMOTE_ADDR"] = address
        with acting_as(address=address):
            return self.get_response(request)
