"""`osseo serve`: the production web server, started as an operator types it."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from osseo.serve import main

OSSEO = str(Path(sys.executable).with_name("osseo"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A throwaway file SQLite database and var folder, whatever database the suite runs on."""
    env = {**os.environ, "OSSEO_VAR_DIR": str(tmp_path), **extra}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    return env


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _wait_until_up(server: subprocess.Popen, port: int, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"osseo serve exited with {server.returncode} before it answered")
        try:
            _get(port, "/healthz")
            return
        except OSError:
            time.sleep(0.25)
    pytest.fail(f"osseo serve did not answer on port {port} within {seconds:.0f} s")


def test_it_serves_healthz_and_collected_static_files_from_workers_then_stops_on_term(tmp_path):
    env = _environment(tmp_path, OSSEO_WEB_WORKERS="2")
    subprocess.run([OSSEO, "migrate", "-v0"], env=env, check=True, timeout=300)
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [OSSEO, "serve", "--bind", f"127.0.0.1:{port}", "--timeout", "60"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(server, port)
            assert _get(port, "/healthz")[::2] == (200, b"ok")
            status, headers, _ = _get(port, "/static/osseo/osseo.css", {"Accept-Encoding": "gzip"})
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=60) == 0
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
    printed = log.read_text()
    # The static files were collected (and compressed) before the workers started.
    assert (tmp_path / "static" / "osseo" / "osseo.css.gz").exists()
    assert (status, headers["Content-Encoding"]) == (200, "gzip")
    # OSSEO_WEB_WORKERS worker processes served; TERM stopped the master and every worker.
    assert printed.count("Booting worker with pid") == 2, printed
    assert printed.count("Worker exiting") == 2, printed
    assert "Shutting down: Master" in printed, printed


def test_it_refuses_to_serve_an_unmigrated_database(tmp_path):
    done = subprocess.run(
        [OSSEO, "serve", "--bind", f"127.0.0.1:{_free_port()}"],
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "unapplied migrations" in done.stderr
    assert "run `osseo migrate`" in done.stderr


@pytest.mark.parametrize("option", ["--workers", "--threads", "--timeout"])
def test_it_refuses_a_count_below_one_before_touching_anything(option, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([option, "0"])
    assert exit_info.value.code == 2
    assert f"argument {option}: at least 1, not 0" in capsys.readouterr().err
