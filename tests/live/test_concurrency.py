"""Concurrent users against a real server (gunicorn with worker processes) on SQLite and on
PostgreSQL: no 500s, no lost updates, no stale overwrite, one of two sign-offs refused."""

import threading
from concurrent.futures import ThreadPoolExecutor

import requests


def _together(*calls):
    """Run the calls at the same moment, each in its own thread; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _patients(site, n=20):
    r = site.api("coordinator").get(f"{site.base_url}/api/v1/patients", params={"limit": n})
    assert r.status_code == 200
    return [p["id"] for p in r.json()["items"]]


def test_two_writers_of_different_fields_of_one_patient_both_keep_their_change(live_site):
    site = live_site
    a, b = site.api("coordinator"), site.api("surgeon")
    for i, pid in enumerate(_patients(site, 15)):
        url = f"{site.base_url}/api/v1/patients/{pid}"
        phone, email = f"01632 96{i:04d}", f"pair{i}@example.org"
        first, second = _together(
            lambda url=url, phone=phone: a.patch(url, json={"phone": phone}, timeout=60),
            lambda url=url, email=email: b.patch(url, json={"email": email}, timeout=60),
        )
        assert (first.status_code, second.status_code) == (200, 200), (first.text, second.text)
        now = a.get(url, timeout=30).json()
        assert (now["phone"], now["email"]) == (phone, email)
        assert now["version"] >= 3


def test_a_write_with_a_stale_if_match_is_refused_with_412(live_site):
    site = live_site
    client = site.api("coordinator")
    url = f"{site.base_url}/api/v1/patients/{_patients(site, 1)[0]}"
    tag = client.get(url, timeout=30).headers["ETag"]
    assert client.patch(url, json={"phone": "01632 960100"}, headers={"If-Match": tag}).ok
    stale = client.patch(url, json={"phone": "01632 960101"}, headers={"If-Match": tag})
    assert stale.status_code == 412
    assert stale.headers["Content-Type"] == "application/problem+json"
    assert client.get(url, timeout=30).json()["phone"] == "01632 960100"


def test_of_two_writers_holding_the_same_etag_exactly_one_wins(live_site):
    site = live_site
    a, b = site.api("coordinator"), site.api("surgeon")
    url = f"{site.base_url}/api/v1/patients/{_patients(site, 2)[1]}"
    tag = a.get(url, timeout=30).headers["ETag"]
    results = _together(
        lambda: a.patch(url, json={"phone": "01632 960201"}, headers={"If-Match": tag}, timeout=60),
        lambda: b.patch(url, json={"phone": "01632 960202"}, headers={"If-Match": tag}, timeout=60),
    )
    assert sorted(r.status_code for r in results) == [200, 412]
    winner = next(r for r in results if r.status_code == 200).json()["phone"]
    assert a.get(url, timeout=30).json()["phone"] == winner


def test_sixteen_concurrent_readers_get_no_errors(live_site):
    site = live_site
    ids = _patients(site, 8)
    sessions = [site.browser("surgeon") if i % 2 else site.api("surgeon") for i in range(16)]

    def reader(i):
        s = sessions[i]
        statuses = []
        for j in range(12):
            pid = ids[(i + j) % len(ids)]
            if i % 2:
                url = f"{site.base_url}/patients/{pid}/" if j % 3 else f"{site.base_url}/"
            else:
                url = f"{site.base_url}/api/v1/patients/{pid}"
            statuses.append(s.get(url, timeout=60).status_code)
        return statuses

    results = _together(*[lambda i=i: reader(i) for i in range(16)])
    assert {code for statuses in results for code in statuses} == {200}


def test_sixteen_concurrent_sign_ins_all_get_a_token(live_site):
    site = live_site

    def sign_in():
        return requests.post(
            f"{site.base_url}/api/v1/auth/token",
            json={"username": "surgeon", "password": "osseo-demo-2026"},
            timeout=60,
        ).status_code

    assert _together(*[sign_in] * 16) == [200] * 16


def _episode_in_surgery(site, client, limb_site="tibia"):
    """A demo episode in the surgery phase on a lower limb, with no operation recorded yet."""
    patients = client.get(f"{site.base_url}/api/v1/patients", params={"limit": 100}).json()
    for p in patients["items"]:
        detail = client.get(f"{site.base_url}/api/v1/patients/{p['id']}", timeout=30).json()
        sites = {limb["id"]: limb["site"] for limb in detail["limbs"]}
        for episode in detail["episodes"]:
            if episode["phase"] == "surgery" and sites[episode["limb"]] == limb_site:
                return episode["id"]
    raise AssertionError("the demo has no lower-limb episode in surgery")


def test_of_two_concurrent_sign_offs_exactly_one_signs_and_the_other_is_a_409(live_site):
    from tests.surgery.conftest import COMPLETE_RECORD, DUALCONE_GTIN, IMPLANT_GTIN, scan

    site = live_site
    surgeon, colleague = site.api("surgeon"), site.api("surgeon")
    episode = _episode_in_surgery(site, surgeon)
    started = surgeon.post(
        f"{site.base_url}/api/v1/episodes/{episode}/procedures",
        json={"kind": "single_stage", "performed_on": "2026-11-20"},
    )
    assert started.status_code == 201, started.text
    pid = started.json()["id"]
    base = f"{site.base_url}/api/v1/procedures/{pid}"
    assert surgeon.put(f"{base}/record", json={"data": COMPLETE_RECORD}).ok
    for device in (
        {"kind": "implant", "code": scan(IMPLANT_GTIN, "LIVE-1", "S-LIVE")},
        {"kind": "dualcone", "gtin": DUALCONE_GTIN, "lot": "LIVE-DC"},
    ):
        assert surgeon.post(f"{base}/devices", json=device).status_code == 201

    results = _together(
        lambda: surgeon.post(f"{base}/sign", timeout=60),
        lambda: colleague.post(f"{base}/sign", timeout=60),
    )
    assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
    refused = next(r for r in results if r.status_code == 409)
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert surgeon.get(base, timeout=30).json()["status"] == "signed"
