"""A real Osseo server for tests that need concurrency: `osseo serve` (gunicorn, several worker
processes) on its own database, a file SQLite database or a fresh PostgreSQL
database on the test run's server, migrated and seeded with the demo through `osseo demo`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

BIN = Path(sys.executable).parent
DEMO_PASSWORD = "osseo-demo-2026"  # the demo's sign-ins, printed by `osseo demo`


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveSite:
    base_url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, username: str) -> str:
        if username not in self.tokens:
            r = requests.post(
                f"{self.base_url}/api/v1/auth/token",
                json={"username": username, "password": DEMO_PASSWORD},
                timeout=30,
            )
            r.raise_for_status()
            self.tokens[username] = r.json()["token"]
        return self.tokens[username]

    def api(self, username: str) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token(username)}"
        return session

    def browser(self, username: str) -> requests.Session:
        """A signed-in browser session (the sign-in form, with its CSRF token)."""
        session = requests.Session()
        page = session.get(f"{self.base_url}/accounts/sign-in/", timeout=30)
        csrf = session.cookies["csrftoken"]
        r = session.post(
            f"{self.base_url}/accounts/sign-in/",
            data={"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": csrf},
            headers={"Referer": page.url},
            timeout=30,
        )
        assert r.ok and "sessionid" in session.cookies, r.status_code
        return session


def _database(workdir: Path) -> tuple[str, Any]:
    """A database URL of its own, and how to drop it afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{workdir / 'live.sqlite3'}", lambda: None
    import psycopg

    name = f"osseo_live_{uuid.uuid4().hex[:12]}"
    # Made and dropped by the owner (the application's role may not create databases); the
    # server then connects as the application's role, and `osseo migrate` as the owner.
    owner = (
        {"user": os.environ["OSSEO_MIGRATION_DB_USER"]}
        if os.environ.get("OSSEO_MIGRATION_DB_USER")
        else {}
    )
    with psycopg.connect(url, autocommit=True, **owner) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    live = urlunsplit(parts._replace(path=f"/{name}"))

    def drop() -> None:
        with psycopg.connect(url, autocommit=True, **owner) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return live, drop


def start(workdir: Path, *, workers: int = 3) -> tuple[LiveSite, Any]:
    database_url, drop = _database(workdir)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "OSSEO_SECRET_KEY": "live-test-" + "x" * 40,
        "OSSEO_DEBUG": "",
        "OSSEO_VAR_DIR": str(workdir),
        # The test client speaks through 127.0.0.1 as the installation's proxy: tests may name
        # a client address in X-Forwarded-For (tests/live/test_signin_lockout.py).
        "OSSEO_TRUSTED_PROXIES": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    osseo = str(BIN / "osseo")
    for command in (["migrate", "--no-input", "-v0"], ["demo"]):
        subprocess.run([osseo, *command], env=env, check=True, capture_output=True, timeout=600)
    port = free_port()
    log = open(workdir / "server.log", "wb")  # noqa: SIM115 - closed at stop
    process = subprocess.Popen(
        [osseo, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    site = LiveSite(f"http://127.0.0.1:{port}", env, process)
    deadline = time.monotonic() + 180
    while True:
        try:
            if requests.get(f"{site.base_url}/healthz", timeout=10).status_code == 200:
                break
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError((workdir / "server.log").read_text()[-3000:])
        time.sleep(0.2)

    def stop() -> None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        drop()

    return site, stop
