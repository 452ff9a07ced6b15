"""Guesses sent together against a real server (several worker processes): the lockout counts
each before the password is checked, so no more than the limit ever reach the check."""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from .server import DEMO_PASSWORD

LIMIT = 5  # OSSEO_SIGNIN_FAILURE_LIMIT's default


def _together(calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _log(site):
    return (Path(site.env["OSSEO_VAR_DIR"]) / "server.log").read_text()[-4000:]


def _guess(site, username, password, address):
    # The live server trusts 127.0.0.1 as its proxy: each test speaks from its own address.
    return lambda: requests.post(
        f"{site.base_url}/api/v1/auth/token",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": address},
        timeout=60,
    )


def test_nine_wrong_guesses_sent_together_reach_the_check_only_five_times(live_site):
    answers = _together([_guess(live_site, "anaesthetist", "wrong-guess", "203.0.113.10")] * 9)
    codes = sorted(r.status_code for r in answers)
    assert codes == [401] * LIMIT + [429] * (9 - LIMIT)
    for refused in (r for r in answers if r.status_code == 429):
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert int(refused.headers["Retry-After"]) > 0
    right = _guess(live_site, "anaesthetist", DEMO_PASSWORD, "203.0.113.10")()
    assert right.status_code == 429


def test_the_right_password_among_ten_guesses_sent_together_is_checked_only_within_the_limit(
    live_site,
):
    calls = [_guess(live_site, "rehab", "wrong-guess", "203.0.113.11")] * 9
    calls.append(_guess(live_site, "rehab", DEMO_PASSWORD, "203.0.113.11"))
    answers = _together(calls)
    codes = [r.status_code for r in answers]
    assert set(codes) <= {200, 401, 429}, (codes, _log(live_site))
    # Every wrong password checked holds a place under the limit; the right one gets a token
    # only if it was counted within the limit, and then gives its place back.
    assert codes.count(401) <= LIMIT
    assert codes.count(401) + codes.count(200) <= LIMIT + 1
    assert codes.count(429) >= 9 - LIMIT


def test_the_lockout_follows_the_client_behind_the_proxy_not_the_proxy(live_site):
    for _ in range(LIMIT):
        _guess(live_site, "patient", "wrong-guess", "203.0.113.12")()
    assert _guess(live_site, "patient", DEMO_PASSWORD, "203.0.113.12")().status_code == 429
    # The account is paused whatever the address; the proxy's other clients are not.
    assert _guess(live_site, "patient", DEMO_PASSWORD, "203.0.113.13")().status_code == 429
    assert live_site.token("surgeon")
