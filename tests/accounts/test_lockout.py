"""The sign-in lockout: attempts counted before the password is checked, per account and per
client address; the client's address behind the installation's own proxies; 429 with
Retry-After as problem+json."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from osseo.accounts.models import SignInCounter
from osseo.audit.address import client_address, networks
from osseo.audit.models import AuditEntry
from tests.conftest import PASSWORD

TOKEN = "/api/v1/auth/token"


def _token(client, username, password, **extra):
    return client.post(
        TOKEN,
        {"username": username, "password": password},
        content_type="application/json",
        **extra,
    )


def test_five_wrong_passwords_then_the_right_one_is_refused_with_429_and_retry_after(world):
    client = Client()
    for _ in range(5):
        assert _token(client, "surgeon", "wrong-password").status_code == 401
    refused = _token(client, "surgeon", PASSWORD)
    assert refused.status_code == 429
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json()["status"] == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert SignInCounter.objects.get(key="account:surgeon").count == 5


def test_a_refused_attempt_never_reaches_the_password_check(world):
    client = Client()
    for _ in range(5):
        _token(client, "surgeon", "wrong-password")
    failures = AuditEntry.objects.filter(action="accounts.user.sign_in_failed").count()
    for _ in range(3):
        assert _token(client, "surgeon", "wrong-password").status_code == 429
    assert AuditEntry.objects.filter(action="accounts.user.sign_in_failed").count() == failures


def test_the_pause_ends_after_the_window(world):
    client = Client()
    start = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            _token(client, "surgeon", "wrong-password")
        assert _token(client, "surgeon", PASSWORD).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=15, seconds=1), tick=False):
        assert _token(client, "surgeon", PASSWORD).status_code == 200


def test_a_success_takes_back_its_own_attempt_and_leaves_the_failures_counted(world):
    client = Client()
    for _ in range(3):
        _token(client, "surgeon", "wrong-password")
    assert _token(client, "surgeon", PASSWORD).status_code == 200
    assert SignInCounter.objects.get(key="account:surgeon").count == 3
    assert SignInCounter.objects.get(key="address:127.0.0.1").count == 3
    for _ in range(20):  # colleagues behind the same address signing in all day
        assert _token(client, "coordinator", PASSWORD).status_code == 200
    assert SignInCounter.objects.get(key="address:127.0.0.1").count == 3


def test_guessing_many_accounts_from_one_address_is_paused_by_the_address_limit(world, settings):
    settings.OSSEO_SIGNIN_ADDRESS_FAILURE_LIMIT = 4
    client = Client()
    for name in ("surgeon", "coordinator", "admin", "rehab"):
        assert _token(client, name, "wrong-password").status_code == 401
    assert _token(client, "prosthetist", PASSWORD).status_code == 429
    other_address = Client(REMOTE_ADDR="192.0.2.7")
    assert _token(other_address, "prosthetist", PASSWORD).status_code == 200


def test_usernames_differing_only_in_case_share_one_counter(world):
    client = Client()
    for name in ("surgeon", "SURGEON", "Surgeon", "sUrgeon", "surgeoN"):
        _token(client, name, "wrong-password")
    assert _token(client, "surgeon", PASSWORD).status_code == 429


def test_the_sign_in_form_pauses_with_429_and_retry_after(world):
    client = Client()
    for _ in range(4):
        page = client.post("/accounts/sign-in/", {"username": "surgeon", "password": "wrong"})
        assert page.status_code == 200
    fifth = client.post("/accounts/sign-in/", {"username": "surgeon", "password": "wrong"})
    assert fifth.status_code == 429
    assert int(fifth.headers["Retry-After"]) > 0
    right = client.post("/accounts/sign-in/", {"username": "surgeon", "password": PASSWORD})
    assert right.status_code == 429
    assert b"Sign-in paused" in right.content
    assert "_auth_user_id" not in client.session


def test_a_failed_attempt_is_audited_with_the_client_address(world):
    Client(REMOTE_ADDR="198.51.100.23").post(
        "/accounts/sign-in/", {"username": "surgeon", "password": "wrong"}
    )
    entry = AuditEntry.objects.filter(action="accounts.user.sign_in_failed").get()
    assert entry.client_address == "198.51.100.23"
    assert entry.actor == world.users["surgeon"]
    assert entry.changes == {"username": "surgeon", "reason": "password"}


# The client address behind proxies.
PROXIES = networks(["10.0.0.5", "172.16.0.0/12"])


@pytest.mark.parametrize(
    ("peer", "header", "expected"),
    [
        ("10.0.0.5", "203.0.113.9", "203.0.113.9"),  # one trusted proxy
        ("10.0.0.5", "203.0.113.9, 172.16.4.4", "203.0.113.9"),  # two of ours
        ("10.0.0.5", "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # a forged left part is ignored
        ("10.0.0.5", "", "10.0.0.5"),  # no header: the proxy itself
        ("10.0.0.5", "not-an-address", "10.0.0.5"),
        ("10.0.0.5", "[2001:db8::1]:4711", "2001:db8::1"),
        ("198.51.100.1", "203.0.113.9", "198.51.100.1"),  # not our proxy: header not believed
    ],
)
def test_the_client_address_is_read_from_the_header_only_behind_a_named_proxy(
    peer, header, expected
):
    meta = {"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": header}
    assert client_address(meta, PROXIES, "HTTP_X_FORWARDED_FOR") == expected


def test_with_no_proxy_named_the_header_is_never_believed():
    meta = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert client_address(meta, [], "HTTP_X_FORWARDED_FOR") == "10.0.0.5"


def test_behind_a_trusted_proxy_the_lockout_and_the_audit_count_the_client(world, settings):
    settings.OSSEO_TRUSTED_PROXIES = ["10.0.0.5"]
    client = Client(REMOTE_ADDR="10.0.0.5")
    client.post(
        "/accounts/sign-in/",
        {"username": "surgeon", "password": "wrong"},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    entry = AuditEntry.objects.filter(action="accounts.user.sign_in_failed").get()
    assert entry.client_address == "203.0.113.9"
    assert SignInCounter.objects.filter(key="address:203.0.113.9", count=1).exists()
    assert not SignInCounter.objects.filter(key="address:10.0.0.5").exists()


def test_a_client_cannot_choose_its_address_when_no_proxy_is_trusted(world):
    Client(REMOTE_ADDR="198.51.100.23").post(
        "/accounts/sign-in/",
        {"username": "surgeon", "password": "wrong"},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    entry = AuditEntry.objects.filter(action="accounts.user.sign_in_failed").get()
    assert entry.client_address == "198.51.100.23"
