"""A real `osseo worker` process killed (SIGKILL) while counting a load recording, on a throwaway
database of the kind the suite runs on (a SQLite file, or a PostgreSQL database on the suite's
server): its task is failed, not left running, and the next worker counts the recording. Real
processes and rows throughout; only the clock is moved, by setting the killed worker's times back
an hour instead of waiting OSSEO_TASK_STALE_MINUTES."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.conf import settings
from django.db.utils import ConnectionHandler
from django.utils import timezone

from tests.connectors.conftest import RECORDINGS

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
OSSEO = str(BIN / "osseo")
# 1e7 samples (28 hours of walking at 100 Hz, 4 MB): a third of a second of counting on an idle
# machine after the worker's first-task warm-up, reported in over a hundred steps of progress;
# the test kills the worker at the first step it sees.
SAMPLES = 10_000_000


def long_walk(path: Path, samples: int = SAMPLES) -> Path:
    """walk_100hz.parquet's axial force over and over (synthetic, not patient data), written a
    row group at a time as a load-cell logger would."""
    walk = pq.read_table(RECORDINGS / "walk_100hz.parquet").column("axial_force_N").to_numpy()
    group = np.tile(walk, 1_000_000 // walk.size + 1)[:1_000_000]
    field = pa.field("axial_force_N", pa.float64(), metadata={"unit": "N"})
    schema = pa.schema([field], metadata={"sample_rate_hz": "100"})
    with pq.ParquetWriter(path, schema) as writer:
        for _ in range(samples // group.size):
            writer.write_table(pa.table({"axial_force_N": group}, schema=schema))
    return path


def seed(recording_path: str) -> None:
    """Run in a subprocess on the throwaway database: a clinic with its dualcone policy, a
    patient, and a long recording (generated here) submitted by a prosthetist, queued for the
    worker."""
    from django.core.files import File

    from osseo.accounts.actions import create_organisation, create_user
    from osseo.connectors.actions import set_service_policy
    from osseo.connectors.recordings import submit_recording
    from osseo.patients.actions import add_limb, create_patient

    clinic = create_organisation(name="Test Clinic", slug="clinic", kind="oi_clinic")
    users = {
        role: create_user(
            actor=None,
            username=role,
            password=uuid.uuid4().hex,
            role=role,
            organisation=clinic,
            check_password=False,
        )
        for role in ("coordinator", "prosthetist", "clinic_admin")
    }
    patient = create_patient(
        actor=users["coordinator"],
        data={
            "given_name": "Ada",
            "family_name": "Quarrell",
            "birth_date": dt.date(1980, 5, 17),
            "sex": "female",
        },
    )
    set_service_policy(
        actor=users["clinic_admin"],
        kind="dualcone",
        values={
            "time_limit_months": 12,
            "activity_limit_cycles": 1.5e6,
            "reference_load_n": 800.0,
            "sn_exponent_m": 4.0,
        },
    )
    limb = add_limb(
        actor=users["coordinator"],
        patient=patient,
        data={
            "site": "femur",
            "side": "left",
            "cause": "trauma",
            "amputation_date": dt.date(2015, 3, 2),
        },
    )
    with long_walk(Path(recording_path)).open("rb") as handle:
        submit_recording(
            actor=users["prosthetist"],
            patient=patient,
            upload=File(handle, name="long_walk.parquet"),
            recorded_on=dt.date(2026, 2, 10),
            limb=limb,
        )


@pytest.fixture
def throwaway(tmp_path: Path, django_db_blocker: Any) -> Iterator[tuple[dict[str, str], Any]]:
    """A fresh database of the suite's kind, migrated by `osseo migrate`: the environment for
    `osseo` processes on it, and a connection of the test's own to look at its rows."""
    main = settings.DATABASES["default"]
    server = None
    if main["ENGINE"] == "django.db.backends.postgresql":
        name = f"osseo_killed_{uuid.uuid4().hex[:12]}"
        parts = {k: main[k] for k in ("ENGINE", "USER", "PASSWORD", "HOST", "PORT")}
        # With two roles the owner makes databases (README, "PostgreSQL roles").
        parts["USER"] = getattr(settings, "OSSEO_MIGRATION_DB_USER", "") or parts["USER"]
        server = ConnectionHandler({"default": {**parts, "NAME": "postgres"}})["default"]
        with django_db_blocker.unblock(), server.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
    else:
        url = f"sqlite:///{tmp_path / 'osseo.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "OSSEO_VAR_DIR": str(tmp_path)}
    try:
        subprocess.run(
            [OSSEO, "migrate", "--no-input", "--skip-checks", "-v0"],
            env=env,
            check=True,
            timeout=180,
        )
        handler = ConnectionHandler({"default": dj_database_url.parse(url)})
        with django_db_blocker.unblock():
            try:
                yield env, handler["default"]
            finally:
                handler.close_all()
    finally:
        if server is not None:
            with django_db_blocker.unblock(), server.cursor() as cursor:
                cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            server.close()


def rows(conn: Any, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def wait_for(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what}: not within {timeout:.0f} s"
        time.sleep(0.02)


def test_a_worker_killed_while_counting_leaves_its_task_failed_and_the_next_worker_counts_it(
    throwaway, tmp_path
):
    env, conn = throwaway

    def the_recording() -> tuple[int, str, str, float]:
        [row] = rows(conn, "SELECT id, task_id, status, progress FROM connectors_loadrecording")
        return row

    worker = [OSSEO, "worker", "--no-startup-delay", "--skip-checks", "--interval", "0.1"]
    with (tmp_path / "killed-worker.log").open("w") as log:
        doomed = subprocess.Popen(
            [*worker, "--worker-id", "doomed-worker"], env=env, stdout=log, stderr=log
        )
        try:
            # While the worker starts and waits for work, a recording is submitted.
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import django; django.setup(); "
                    "from tests.connectors.test_killed_worker import seed; "
                    f"seed({str(tmp_path / 'long_walk.parquet')!r})",
                ],
                env={**env, "DJANGO_SETTINGS_MODULE": "osseo.settings"},
                cwd=Path(__file__).resolve().parents[2],
                check=True,
                timeout=120,
            )

            def counting() -> bool:
                assert doomed.poll() is None, "the worker stopped by itself"
                _, _, status, progress = the_recording()
                assert status in ("queued", "running"), status
                return status == "running" and progress > 0

            wait_for(counting, timeout=120, what="the worker counting the recording")
        finally:
            doomed.kill()
            doomed.wait(timeout=30)
    assert doomed.returncode == -signal.SIGKILL

    # What the kill left: the task running for good, the recording part-counted.
    rec_id, task_id, status, progress = the_recording()
    assert status == "running" and 0 < progress < 1
    task = str(uuid.UUID(task_id)) if conn.vendor == "postgresql" else uuid.UUID(task_id).hex

    def the_task() -> tuple[str, Any, str, str]:
        [row] = rows(
            conn,
            "SELECT status, worker_ids, exception_class_path, traceback "
            "FROM django_tasks_database_dbtaskresult WHERE id = %s",
            task,
        )
        return row

    status, worker_ids, _, _ = the_task()
    ids = json.loads(worker_ids) if isinstance(worker_ids, str) else worker_ids
    assert (status, ids) == ("RUNNING", ["doomed-worker"])
    assert rows(conn, "SELECT worker_id FROM connectors_workerheartbeat") == [("doomed-worker",)]
    assert rows(conn, "SELECT COUNT(*) FROM connectors_recordingresult") == [(0,)]

    # An hour passes (instead of waiting): the task started and its worker last beat then.
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    at = conn.ops.adapt_datetimefield_value
    with conn.cursor() as cursor:
        cursor.execute(
            "UPDATE django_tasks_database_dbtaskresult SET started_at = %s WHERE id = %s",
            [at(hour_ago), task],
        )
        cursor.execute(
            "UPDATE connectors_workerheartbeat SET started_at = %s, last_seen_at = %s",
            [at(hour_ago - dt.timedelta(minutes=1)), at(hour_ago)],
        )

    done = subprocess.run(
        [*worker, "--batch"], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    assert (
        "Failed 1 task left running by a worker that stopped (no sign of life for 15 minutes).\n"
        "Queued again 1 load recording whose worker stopped.\n"
        "Queued again 0 stale load recordings (no progress for 15 minutes).\n"
    ) in done.stdout

    status, _, error, traceback = the_task()
    assert (status, error) == ("FAILED", "osseo.connectors.workers.WorkerLost")
    assert traceback.startswith(
        "osseo.connectors.workers.WorkerLost: The worker running this task died before it "
        "finished: worker doomed-worker has shown no sign of life since "
    )
    statuses = rows(conn, "SELECT status FROM django_tasks_database_dbtaskresult ORDER BY status")
    assert statuses == [("FAILED",), ("SUCCESSFUL",)]
    assert the_recording()[2:] == ("done", 1.0)
    assert rows(
        conn, "SELECT samples FROM connectors_recordingresult WHERE recording_id = %s", rec_id
    ) == [(SAMPLES,)]
    assert rows(conn, "SELECT COUNT(*) FROM connectors_workerheartbeat") == [(0,)]
