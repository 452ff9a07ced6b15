"""Every page, signed in or not, carries the Permissions-Policy, Referrer-Policy and Content
Security Policy headers: each URL pattern of the project is requested, with real records where
the pattern names one."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import client_for

CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")


def _routes(patterns=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = str(entry.pattern)
        if route.startswith("^"):
            continue  # no regular-expression routes in Osseo's own URLs
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


def _fill(route, world):
    known = {
        "patient": world.patient.uuid,
        "limb": world.limb.uuid,
        "episode": world.episode.uuid,
    }

    def value(match):
        kind, name = match.group("kind") or "str", match.group("name")
        if kind == "uuid":
            return str(next((v for k, v in known.items() if k in name), uuid.uuid4()))
        return "1" if kind == "int" else "x"

    return "/" + CONVERTER.sub(value, route)


def test_the_walk_reaches_the_pages_and_the_api(world):
    paths = {_fill(route, world) for route in _routes()}
    assert len(paths) > 60
    assert "/accounts/sign-in/" in paths
    assert f"/patients/{world.patient.uuid}/" in paths
    # Issue 19's pages: organisations, partners, contact details, a patient's invitation.
    for page in ("/accounts/organisations/", "/accounts/partners/", "/accounts/organisation/"):
        assert page in paths
    assert f"/patients/{world.patient.uuid}/account/" in paths
    assert any(p.startswith("/accounts/invitation/") for p in paths)


@pytest.mark.parametrize("who", ["anonymous", "clinic_admin", "surgeon", "patient"])
def test_every_page_carries_the_permissions_and_referrer_policies(world, who):
    from django.test import Client

    client = Client() if who == "anonymous" else client_for(world.users[who])
    missing = []
    for route in _routes():
        path = _fill(route, world)
        response = client.get(path)
        headers = response.headers
        if (
            headers.get("Permissions-Policy", "").find("camera=()") < 0
            or headers.get("Referrer-Policy") != "same-origin"
            or "default-src 'self'" not in headers.get("Content-Security-Policy", "")
            or headers.get("X-Content-Type-Options") != "nosniff"
        ):
            missing.append((path, response.status_code))
    assert missing == []
