"""Bodies over the limits, against the real server (gunicorn workers): refused 413 before they
are read, whether their size is declared or they are streamed; the workers' memory does not grow
with them."""

from __future__ import annotations

import select
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

MB = 1024 * 1024


def _workers(site) -> list[int]:
    children = Path(f"/proc/{site.process.pid}/task/{site.process.pid}/children").read_text()
    return [int(pid) for pid in children.split()]


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _connect(site) -> socket.socket:
    parts = urlsplit(site.base_url)
    return socket.create_connection((parts.hostname, parts.port), timeout=30)


def _status(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), head + b"\r\n\r\n" + rest


def test_a_declared_10_gb_body_is_refused_before_it_is_read(live_site):
    token = live_site.token("surgeon")
    sock = _connect(live_site)
    started = time.monotonic()
    sock.sendall(
        b"POST /api/v1/patients HTTP/1.1\r\nHost: localhost\r\n"
        b"Authorization: Bearer " + token.encode() + b"\r\n"
        b"Content-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n{"
    )
    status, response = _status(sock)
    sock.close()
    assert status == 413
    assert b"application/problem+json" in response
    assert time.monotonic() - started < 5


def test_a_large_streamed_body_is_refused_after_the_limit_and_memory_does_not_grow(live_site):
    """200 MB sent chunked (no length declared) to an operation that takes 20 MB at most."""
    token = live_site.token("surgeon")
    before = {pid: _rss(pid) for pid in _workers(live_site)}
    sock = _connect(live_site)
    sock.sendall(
        b"POST /api/v1/patients HTTP/1.1\r\nHost: localhost\r\n"
        b"Authorization: Bearer " + token.encode() + b"\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"%x\r\n%s\r\n" % (MB, b" " * MB)
    sent = 0
    answered = False
    try:
        while sent < 200 * MB:
            sock.sendall(chunk)
            sent += MB
            if select.select([sock], [], [], 0)[0]:
                answered = True
                break
    except (BrokenPipeError, ConnectionResetError):
        answered = True
    assert answered, "the server read all 200 MB"
    status, response = _status(sock)
    sock.close()
    assert status == 413
    assert b"application/problem+json" in response
    assert sent < 60 * MB  # refused soon after the 20 MB limit, not at the end
    after = {pid: _rss(pid) for pid in _workers(live_site) if pid in before}
    grown = max(after[pid] - before[pid] for pid in after)
    assert grown < 30 * MB, f"a worker grew by {grown / MB:.0f} MB"


def test_a_3_mb_json_body_is_a_413_in_problem_json(live_site):
    """Over Django's 2.5 MB for a body that is not a file (it was a 400 in HTML)."""
    api = live_site.api("surgeon")
    body = b'{"given_name": "' + b"x" * (3 * MB) + b'"}'
    response = api.post(
        f"{live_site.base_url}/api/v1/patients",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"
