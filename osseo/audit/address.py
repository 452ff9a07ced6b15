"""The client's address: the peer's, or, only when the peer is one of the installation's own
proxies (`OSSEO_TRUSTED_PROXIES`), the nearest untrusted address in the forwarding header.

A client can write anything into `X-Forwarded-For`; only the part appended by a proxy we trust
is believed: the header is read from the right, skipping trusted proxies, and the first address
that is not one of them is the client's (RFC 7239 §7.4 on forged forwarding headers).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(entries: Iterable[str]) -> list[Network]:
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()]


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: Any, proxies: list[Network]) -> bool:
    return address is not None and any(address in network for network in proxies)


def client_address(meta: Mapping[str, Any], proxies: list[Network], header: str) -> str:
    peer = str(meta.get("REMOTE_ADDR", ""))
    if not proxies or not _trusted(_ip(peer), proxies):
        return peer
    hops = [hop for hop in str(meta.get(header, "")).split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _ip(hop)
        if address is None:
            return peer  # garbage in the header: believe only the proxy itself
        if not _trusted(address, proxies):
            return str(address)
    return peer
