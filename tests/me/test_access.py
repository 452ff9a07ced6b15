"""Who reaches /me/: a patient their own pages; staff are refused (403); a patient who opens any
staff page is refused (403, with a link to /me/), by whatever method; signing in lands a patient
on /me/."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from osseo.audit.models import AuditEntry
from osseo.me.middleware import PATIENT_MAY_OPEN as KEPT
from tests.conftest import PASSWORD, client_for

ME_PAGES = [
    "me:home",
    "me:plan",
    "me:guide",
    "me:appointments",
    "me:implant",
    "me:diary",
    "me:questionnaires",
    "me:activity",
    "me:details",
    "me:contact",
]
STAFF = [
    "surgeon",
    "anaesthetist",
    "prosthetist",
    "coordinator",
    "clinic_admin",
    "rehab_specialist",
]


def _named_pages() -> list[tuple[str, str]]:
    """Every named HTML page of the project (not the API) as (view name, a URL for it), its
    arguments filled with made-up values of the right shape."""
    found: list[tuple[str, str]] = []

    def walk(patterns: list, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
                kwargs = {}
                for key, converter in p.pattern.converters.items():
                    kind = type(converter).__name__
                    kwargs[key] = {
                        "UUIDConverter": str(uuid.uuid4()),
                        "IntConverter": "1",
                        "SlugConverter": "clinic",
                    }.get(kind, "x")
                try:
                    found.append((name, reverse(name, kwargs=kwargs)))
                except NoReverseMatch:  # a pattern reverse cannot fill: not a page
                    continue

    walk(get_resolver().url_patterns, "")
    return [(n, u) for n, u in found if not u.startswith("/api/")]


def test_a_patient_opens_each_of_their_pages_and_each_read_is_audited(world):
    client = client_for(world.users["patient"])
    for name in ME_PAGES:
        before = AuditEntry.objects.filter(
            action="patients.patient.viewed", patient=world.patient
        ).count()
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        after = AuditEntry.objects.filter(
            action="patients.patient.viewed", patient=world.patient, actor=world.users["patient"]
        ).count()
        assert after == before + 1, name
    assert not AuditEntry.objects.filter(
        action="patients.patient.viewed", patient=world.other_patient
    ).exists()


@pytest.mark.parametrize("role", [*STAFF, "outsider"])
def test_staff_are_refused_the_patient_pages(world, role):
    client = client_for(world.users[role])
    for name in ME_PAGES:
        assert client.get(reverse(name)).status_code == 403, name


def test_a_visitor_is_asked_to_sign_in(db):
    response = Client().get(reverse("me:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_every_staff_page_refuses_a_patient_and_points_to_their_own_pages(world):
    client = client_for(world.users["patient"])
    pages = [
        (n, u)
        for n, u in _named_pages()
        if not n.startswith("me:") and n not in KEPT and n != "patients:dashboard"
    ]
    assert len(pages) > 50  # the crawl found the staff pages, not an empty list
    assert ("patients:detail" in dict(pages)) and ("patients:list" in dict(pages))
    own = reverse("patients:detail", kwargs={"patient_id": world.patient.uuid})
    for name, url in [*pages, ("patients:detail (their own record)", own)]:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 403, (name, url, response.status_code)
            assert reverse("me:home") in response.content.decode(), (name, url)


def test_the_front_door_sends_a_patient_to_their_own_pages(world):
    response = client_for(world.users["patient"]).get(reverse("patients:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("me:home")


def test_a_patient_who_signs_in_lands_on_their_own_pages(world):
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": "patient", "password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("me:home")
    assert response.status_code == 200


def test_the_pages_a_patient_keeps_are_their_own_account_and_calendar_only():
    assert all(n.startswith(("accounts:", "scheduling:calendar")) for n in KEPT)
    staff = {"accounts:settings", "accounts:accounts", "accounts:organisation"}
    assert not staff & KEPT and "patients:account" not in KEPT


def test_a_patient_keeps_their_account_pages(world):
    client = client_for(world.users["patient"])
    assert client.get(reverse("accounts:account")).status_code == 200
    assert client.get(reverse("accounts:password_change")).status_code == 200


def test_a_patient_reads_only_their_own_guide(world):
    from osseo.pathway.actions import open_episode
    from osseo.patients.actions import add_limb

    limb = add_limb(
        actor=world.users["outsider"],
        patient=world.other_patient,
        data={
            "site": "humerus",
            "side": "right",
            "cause": "trauma",
            "amputation_date": dt.date(2019, 1, 8),
        },
    )
    theirs = open_episode(actor=world.users["outsider"], limb=limb)
    client = client_for(world.users["patient"])
    assert client.get(f"/me/guide/?episode={theirs.uuid}").status_code == 404
    assert client.get(f"/me/guide/?episode={theirs.uuid}&format=pdf").status_code == 404
    own = client.get(f"/me/guide/?episode={world.episode.uuid}").content.decode()
    assert "your thigh bone (femur)" in own
    assert "not validated" not in own
