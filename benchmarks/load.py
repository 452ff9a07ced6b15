"""Load benchmark: `osseo serve` on a clinic of 10,000 patients under 16 concurrent clients.

Builds a throwaway database: SQLite by default; `--postgres` runs it again under
scripts/with-postgres.sh (a throwaway PostgreSQL server); or the empty database DATABASE_URL
names. It is seeded as the dashboard benchmark's clinic (benchdb.follow_up_cohort: patients in
follow-up, parts due, ongoing infections), with three members of staff (a surgeon, a coordinator,
a prosthetist) and a rehab plan for one patient in ten. `osseo serve` serves it with its worker
processes; after a read-only warm-up, one client runs alone for a short phase, then 16 clients
run for a fixed time. Each client signs in as staff do (the screens through the sign-in form with
its CSRF token, the API with bearer tokens from POST /api/v1/auth/token) and repeats this mix:

    patient list          GET /patients/?page=N                 screen
    patient list (API)    GET /api/v1/patients?offset=N
    patient page          GET /patients/<id>/                   screen, any of the patients
    dashboard             GET /                                 screen, with its worklist
    patient (API)         GET /api/v1/patients/<id>
    patient edit (API)    PATCH /api/v1/patients/<id>           one field of the team's patient
    load log (API)        POST /api/v1/rehab-plans/<id>/logs    a day not yet logged

Edits: the clients work through the patients together, as a team does at a meeting: the team
moves on to the next patient every --edit-window seconds (0.5), and a client about to edit waits
for that moment (the wait is not counted in the edit's time), so the edits of a patient arrive
together. Client i edits field i (given name, family name, record number, phone, email, date of
birth; with more clients than fields, up to three share one), with a value no other write uses.
After the run, every acknowledged edit must still be there unless another write of the same
field, acknowledged or unanswered, may have come after it (it ended after this one began);
otherwise it is a lost update. A client edits each patient once, so its own later edits cannot
hide a lost one. Every acknowledged load log must exist. Then, so that the check does not
depend on how fast the machine is, --bursts rounds (10) of every client editing its field of
one patient at the same instant, checked the same way.

It prints the errors (by status, 5xx apart, and requests that got no answer), lost updates,
throughput, p50 and p99 per page (over every answered request, errors included) and each page's
p99 with 16 clients as a ratio to its own p99 with one client, and the server's most frequent
errors from its log. Exit status 1 on any 5xx, unanswered request or lost update. The clients
run on the same machine as the server and take some of its CPU.

    .venv/bin/python benchmarks/load.py                       # SQLite, 30 s
    .venv/bin/python benchmarks/load.py --postgres
    .venv/bin/python benchmarks/load.py --seconds 10 --patients 2000 --workers 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import itertools
import json
import math
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benchdb import follow_up_cohort, throwaway_clinic

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-1"  # noqa: S105  (benchdb's throwaway staff)
EDIT_WINDOW = 0.5  # seconds: the team moves on to the next patient this often
PLAN_SHARE = 10  # one patient in ten has a rehab plan
PLAN_DAYS = 42  # the Radboud standard programme's length: logs stay within the plan
# The mix: (page, weight). Reads dominate, as in a clinic's day.
MIX = [
    ("patient list", 15),
    ("patient list (API)", 10),
    ("patient page", 20),
    ("dashboard", 10),
    ("patient (API)", 20),
    ("patient edit (API)", 15),
    ("load log (API)", 10),
]
BURST = "edit burst (API)"
READS = [page for page, _ in MIX if "edit" not in page and "log" not in page]
EDITED_FIELDS = ["given_name", "family_name", "record_number", "phone", "email", "birth_date"]


# --- Recording ---------------------------------------------------------------------------------


@dataclass
class Sample:
    page: str
    status: int  # 0: no answer (connection refused or reset, timeout)
    seconds: float


@dataclass
class Edit:
    page: str  # the mix's edit, or a burst's
    patient: str
    field: str
    value: str
    started: float
    ended: float
    status: int


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)  # the ids of acknowledged load logs
    waited: float = 0.0  # seconds the clients waited for the team's next patient
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, status: int, seconds: float) -> None:
        with self.lock:
            self.samples.append(Sample(page, status, seconds))


class Counters:
    """Unique values for the writes, shared by every client, and the team's current patient."""

    def __init__(self, edit_window: float) -> None:
        self.started = time.monotonic()
        self.edit_window = edit_window
        self._values = itertools.count(1)
        self._slots = itertools.count(0)
        self._lock = threading.Lock()

    def value(self) -> int:
        with self._lock:
            return next(self._values)

    def log_slot(self) -> int:
        with self._lock:
            return next(self._slots)

    def next_turn(self) -> int:
        """Wait for the team's next patient (a new one every edit_window); return its number."""
        turn = math.floor((time.monotonic() - self.started) / self.edit_window) + 1
        time.sleep(max(self.started + turn * self.edit_window - time.monotonic(), 0))
        return turn


# --- One client: a member of staff with a browser session and API tokens ----------------------


class Client:
    def __init__(self, port: int, index: int, username: str, recorder: Recorder) -> None:
        self.port = port
        self.index = index
        self.username = username
        self.recorder = recorder
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.rehab_token = ""

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        token: str = "",
    ) -> tuple[int, bytes, dict[str, str]]:
        headers = {"Origin": f"http://127.0.0.1:{self.port}"}
        body: bytes | None = None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        elif self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=90)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except OSError:
            return 0, b"", {}
        finally:
            connection.close()
        if not token:
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    for key, morsel in SimpleCookie(value).items():
                        if morsel["max-age"] == "0":
                            self.cookies.pop(key, None)
                        else:
                            self.cookies[key] = morsel.value
        return response.status, data, {k.lower(): v for k, v in response.getheaders()}

    def timed(self, page: str, method: str, path: str, **kwargs: Any) -> tuple[int, bytes]:
        started = time.perf_counter()
        status, data, _ = self.request(method, path, **kwargs)
        self.recorder.add(page, status, time.perf_counter() - started)
        return status, data

    def sign_in(self, rehab_username: str, attempts: int = 10) -> bool:
        """The sign-in form (GET for the CSRF token, POST) and two bearer tokens: the client's
        own, and the prosthetist's for the load logs. Failed attempts are recorded and retried."""

        def attempt(step: Any) -> bool:
            for _ in range(attempts):
                if step():
                    return True
                time.sleep(0.5)
            return False

        def form() -> bool:
            status, page = self.timed("sign-in", "GET", "/accounts/sign-in/")
            found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            if status != 200 or found is None:
                return False
            status, _ = self.timed(
                "sign-in",
                "POST",
                "/accounts/sign-in/",
                form={
                    "username": self.username,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": found.group(1).decode(),
                    "next": "/",
                },
            )
            return status == 302 and "sessionid" in self.cookies

        def token_for(username: str) -> str:
            status, data = self.timed(
                "sign-in",
                "POST",
                "/api/v1/auth/token",
                json_body={"username": username, "password": PASSWORD},
            )
            return json.loads(data)["token"] if status == 200 else ""

        def own_token() -> bool:
            self.token = token_for(self.username)
            return bool(self.token)

        def rehab_token() -> bool:
            self.rehab_token = token_for(rehab_username)
            return bool(self.rehab_token)

        return attempt(form) and attempt(own_token) and attempt(rehab_token)


# --- The mix ------------------------------------------------------------------------------------


@dataclass
class World:
    patients: list[str]  # every patient's id
    plans: list[str]  # rehab plans, one a patient in ten
    plan_start: dt.date
    pages: int  # pages of the patient list


def edit_value(name: str, n: int) -> str:
    if name == "birth_date":
        return (dt.date(1930, 1, 1) + dt.timedelta(days=n % 30_000)).isoformat()
    if name == "email":
        return f"edit{n}@bench.example"
    return f"{name[0].upper()}{n}"


def edit_patient(client: Client, page: str, patient: str, counters: Counters) -> None:
    """The client's field of the patient, set to a value no other write uses; recorded."""
    name = EDITED_FIELDS[client.index % len(EDITED_FIELDS)]
    value = edit_value(name, counters.value())
    started = time.monotonic()
    status, _ = client.timed(
        page, "PATCH", f"/api/v1/patients/{patient}", json_body={name: value}, token=client.token
    )
    edit = Edit(page, patient, name, value, started, time.monotonic(), status)
    with client.recorder.lock:
        client.recorder.edits.append(edit)


def one_request(
    client: Client, page: str, world: World, rng: random.Random, counters: Counters
) -> None:
    if page == "patient list":
        client.timed(page, "GET", f"/patients/?page={rng.randint(1, min(world.pages, 40))}")
    elif page == "patient list (API)":
        offset = 25 * rng.randint(0, min(world.pages, 40) - 1)
        client.timed(page, "GET", f"/api/v1/patients?offset={offset}", token=client.token)
    elif page == "patient page":
        client.timed(page, "GET", f"/patients/{rng.choice(world.patients)}/")
    elif page == "dashboard":
        client.timed(page, "GET", "/")
    elif page == "patient (API)":
        client.timed(
            page, "GET", f"/api/v1/patients/{rng.choice(world.patients)}", token=client.token
        )
    elif page == "patient edit (API)":
        waiting = time.monotonic()
        turn = counters.next_turn()  # waits for it: the team's edits of a patient come together
        patient = world.patients[turn % len(world.patients)]
        with client.recorder.lock:
            client.recorder.waited += time.monotonic() - waiting
        edit_patient(client, page, patient, counters)
    elif page == "load log (API)":
        slot = counters.log_slot()
        day = slot // len(world.plans)
        if day >= PLAN_DAYS:
            return  # every day of every plan is logged: a very long run
        body = {
            "date": (world.plan_start + dt.timedelta(days=day)).isoformat(),
            "applied_kg": rng.randint(10, 60),
            "pain_nrs": rng.randint(0, 6),
            "wear_hours": 4,
        }
        plan = world.plans[slot % len(world.plans)]
        status, data = client.timed(
            page,
            "POST",
            f"/api/v1/rehab-plans/{plan}/logs",
            json_body=body,
            token=client.rehab_token,
        )
        if status == 201:
            with client.recorder.lock:
                client.recorder.logs.append(json.loads(data)["id"])


def run_phase(
    clients: list[Client], seconds: float, world: World, counters: Counters, *, reads_only: bool
) -> float:
    """Every client repeats the mix until the time is up; returns the phase's length."""
    pages = READS if reads_only else [page for page, _ in MIX]
    weights = [w for page, w in MIX if page in pages]
    deadline = time.monotonic() + seconds

    def loop(client: Client) -> None:
        rng = random.Random(1000 * client.index + len(pages))
        while time.monotonic() < deadline:
            one_request(client, rng.choices(pages, weights)[0], world, rng, counters)

    started = time.monotonic()
    threads = [threading.Thread(target=loop, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def run_bursts(clients: list[Client], rounds: int, world: World, counters: Counters) -> None:
    """Every client edits its field of the same patient at the same instant, `rounds` times (a
    new patient each round, from the end of the list, far from the team's)."""
    barrier = threading.Barrier(len(clients))

    def burst(client: Client) -> None:
        for turn in range(rounds):
            barrier.wait()
            edit_patient(client, BURST, world.patients[-1 - turn], counters)

    threads = [threading.Thread(target=burst, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# --- Seeding, the server ------------------------------------------------------------------------


def seed(n: int, seed_value: int) -> tuple[World, list[str], str, str]:
    """The clinic, its staff and their rehab plans; returns the world, the staff who edit, the
    prosthetist who logs, and the database's name."""
    clinic, surgeon = throwaway_clinic("osseo-load-bench-", os.environ.get("DATABASE_URL"))
    from django.db import connection
    from django.utils import timezone

    from osseo.accounts.actions import create_user
    from osseo.rehab.models import LoadingProtocol, RehabPlan
    from osseo.rehab.queries import phases_of

    patients, _ = follow_up_cohort(clinic, surgeon, n, seed_value)
    staff = {
        role: create_user(
            actor=None,
            username=f"bench-{role}",
            password=PASSWORD,
            role=role,
            organisation=clinic,
            check_password=False,
        )
        for role in ("coordinator", "prosthetist")
    }
    protocol = LoadingProtocol.objects.get(
        organisation=None, name__startswith="Radboud standard programme"
    )
    phases = [p.as_dict() for p in phases_of(protocol)]
    assert phases[-1]["end_day"] >= PLAN_DAYS, "the logs must fall within the plan"
    start = timezone.localdate() - dt.timedelta(days=PLAN_DAYS - 1)
    plans = RehabPlan.objects.bulk_create(
        [
            RehabPlan(
                patient=p,
                organisation=clinic,
                protocol=protocol,
                protocol_name=protocol.name,
                protocol_source=protocol.source,
                phases=phases,
                start_date=start,
                body_weight_kg=Decimal("80.0"),
                created_by=staff["prosthetist"],
            )
            for p in patients[::PLAN_SHARE]
        ],
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    else:
        database = "SQLite"
    ids = [str(p.uuid) for p in patients]
    world = World(
        patients=ids,
        plans=[str(p.uuid) for p in plans],
        plan_start=start,
        pages=math.ceil(n / 25),
    )
    return (
        world,
        [surgeon.username, staff["coordinator"].username],
        staff["prosthetist"].username,
        database,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int, threads: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "osseo.cli", "serve", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--threads", str(threads)]
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"osseo serve exited with {server.returncode}; see {log}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.25)
    server.kill()
    raise SystemExit(f"osseo serve did not answer within 180 s; see {log}")


def stop_server(server: subprocess.Popen[bytes]) -> int:
    server.send_signal(signal.SIGTERM)
    try:
        return server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        return server.wait()


# --- The checks and the report ------------------------------------------------------------------


def lost_edits(edits: list[Edit]) -> list[Edit]:
    """The acknowledged edits whose value is gone though no later write of the field replaced it."""
    from osseo.patients.models import Patient

    final = {
        str(p.uuid): {name: str(getattr(p, name)) for name in EDITED_FIELDS}
        for p in Patient.objects.filter(uuid__in={e.patient for e in edits})
    }
    by_field: dict[tuple[str, str], list[Edit]] = {}
    for edit in edits:
        by_field.setdefault((edit.patient, edit.field), []).append(edit)
    lost = []
    for edit in edits:
        if edit.status != 200:
            continue
        now = final[edit.patient][edit.field]
        if now == edit.value:
            continue
        replaced = any(
            other is not edit
            and other.value == now
            and (other.status == 200 or other.status == 0 or other.status >= 500)
            and other.ended > edit.started
            for other in by_field[(edit.patient, edit.field)]
        )
        if not replaced:
            lost.append(edit)
    return lost


def contended(edits: list[Edit]) -> int:
    """The acknowledged edits that overlapped an edit of another field of the same patient: those
    a write path that saves whole rows may lose."""
    return sum(
        any(
            other.patient == edit.patient
            and other.field != edit.field
            and other.started < edit.ended
            and edit.started < other.ended
            for other in edits
        )
        for edit in edits
        if edit.status == 200
    )


def missing_logs(ids: list[str]) -> int:
    from osseo.rehab.models import LoadLog

    return len(set(ids)) - LoadLog.objects.filter(uuid__in=ids).count()


def percentile(values: list[float], q: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


def error_line(samples: list[Sample]) -> str:
    """How many requests were not answered as expected: 5xx, other statuses, no answer."""
    wrong = [s for s in samples if not expected(s)]
    fivexx = Counter(s.status for s in wrong if s.status >= 500)
    other = Counter(s.status for s in wrong if 0 < s.status < 500)
    unanswered = sum(s.status == 0 for s in wrong)

    def listed(counts: Counter[int]) -> str:
        return ", ".join(f"{k}: {v:,}" for k, v in sorted(counts.items())) or "none"

    share = 100 * len(wrong) / len(samples) if samples else 0.0
    return (
        f"{len(wrong):,} of {len(samples):,} ({share:.1f} %); 5xx {fivexx.total():,} "
        f"({listed(fivexx)}); other {listed(other)}; no answer {unanswered:,}"
    )


def expected(sample: Sample) -> bool:
    if sample.page == "sign-in":
        return sample.status in (200, 302)
    return sample.status == {"load log (API)": 201}.get(sample.page, 200)


def server_errors(log: Path) -> list[tuple[str, int]]:
    """The server's errors, most frequent first: each logged 500's exception and the innermost
    line of Osseo's own code it passed through."""
    causes = []
    for block in log.read_text().split("Internal Server Error: ")[1:]:
        raised = re.findall(r"^([\w.]+(?:Error|Exception)\b.*)$", block, re.M)
        ours = re.findall(r'File "[^"]*/(osseo/[^"]+)", line (\d+), in (\w+)', block)
        where = f" (at {ours[-1][0]}:{ours[-1][1]} in {ours[-1][2]})" if ours else ""
        causes.append((raised[-1][:90] if raised else "no exception logged") + where)
    return Counter(causes).most_common(4)


def report(
    solo: list[Sample],
    solo_seconds: float,
    load: list[Sample],
    load_seconds: float,
    clients: int,
    waited: float,
) -> None:
    print(
        f"1 client, {solo_seconds:.0f} s: {len(solo):,} requests, "
        f"{len(solo) / solo_seconds:.1f} req/s"
    )
    good = sum(expected(s) for s in load)
    print(
        f"{clients} clients, {load_seconds:.0f} s: {len(load):,} requests, "
        f"{len(load) / load_seconds:.1f} req/s ({good / load_seconds:.1f} req/s answered as "
        f"expected; the clients spent {waited:.0%} of their time waiting for the team's next "
        f"patient to edit)"
    )
    print()
    header = f"{'page':<20} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8} "
    print(header + f"{'p99 1 client (n)':>17} {'p99 ratio':>9}  errors")
    for page, _ in MIX:
        here = [s for s in load if s.page == page]
        alone = [s.seconds for s in solo if s.page == page and s.status]
        answered = [s.seconds for s in here if s.status]
        if not here:
            continue
        errors = Counter(s.status for s in here if not expected(s))
        p50 = f"{percentile(answered, 0.5) * 1000:.0f}" if answered else "-"
        p99 = f"{percentile(answered, 0.99) * 1000:.0f}" if answered else "-"
        p99_solo = f"{percentile(alone, 0.99) * 1000:.0f} ({len(alone)})" if alone else "-"
        ratio = (
            f"{percentile(answered, 0.99) / percentile(alone, 0.99):.1f}x"
            if answered and alone
            else "-"
        )
        listed = ", ".join(f"{k or 'no answer'}: {v}" for k, v in sorted(errors.items()))
        print(
            f"{page:<20} {len(here):>8,} {p50:>8} {p99:>8} {p99_solo:>17} {ratio:>9}  "
            f"{listed or '0'}"
        )
    print()
    print(f"errors, 1 client:  {error_line(solo)}")
    print(f"errors, {clients} clients: {error_line(load)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30, help="the 16-client phase (30)")
    parser.add_argument("--solo-seconds", type=float, default=10, help="the 1-client phase (10)")
    parser.add_argument("--warmup-seconds", type=float, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--workers", type=int, help="osseo serve's (default: its own)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--edit-window",
        type=float,
        default=EDIT_WINDOW,
        help="seconds on each edited patient (0.5)",
    )
    parser.add_argument(
        "--bursts", type=int, default=10, help="rounds of every client editing one patient (10)"
    )
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL server")
    args = parser.parse_args()
    if args.postgres:
        script = str(ROOT / "scripts" / "with-postgres.sh")
        again = [a for a in sys.argv[1:] if a != "--postgres"]
        os.execv(script, [script, sys.executable, str(Path(__file__).resolve()), *again])  # noqa: S606

    started = time.perf_counter()
    world, editors, prosthetist, database = seed(args.patients, args.seed)
    seeded = time.perf_counter() - started
    from django.conf import settings
    from django.db import connections

    connections.close_all()  # the server's workers have the database to themselves
    workers = args.workers or settings.OSSEO_WEB_WORKERS
    folder = Path(os.environ["OSSEO_VAR_DIR"])
    log = folder / "serve.log"
    print(
        f"load: {args.patients:,} patients ({len(world.plans):,} with a rehab plan) seeded into "
        f"{database} in {seeded:.1f} s; osseo serve with {workers} workers x {args.threads} "
        f"thread{'s' if args.threads > 1 else ''}; {os.cpu_count()} CPUs shared with the clients; "
        f"load average {os.getloadavg()[0]:.1f} before"
    )
    port = free_port()
    server = start_server(port, workers, args.threads, log)
    recorder = Recorder()
    counters = Counters(args.edit_window)
    try:
        clients = [
            Client(port, i, editors[i % len(editors)], recorder) for i in range(args.clients)
        ]
        signed_in = sum(c.sign_in(prosthetist) for c in clients)
        sign_ins = list(recorder.samples)
        recorder.samples.clear()
        run_phase(clients[:workers], args.warmup_seconds, world, counters, reads_only=True)
        warmup = list(recorder.samples)
        recorder.samples.clear()
        solo_seconds = run_phase(clients[:1], args.solo_seconds, world, counters, reads_only=False)
        solo = list(recorder.samples)
        recorder.samples.clear()
        recorder.waited = 0.0
        load_seconds = run_phase(clients, args.seconds, world, counters, reads_only=False)
        load = list(recorder.samples)
        waited = recorder.waited / (len(clients) * load_seconds)
        recorder.samples.clear()
        run_bursts(clients, args.bursts, world, counters)
        bursts = list(recorder.samples)
    finally:
        stopped = stop_server(server)
    print(
        f"sign-ins: {signed_in} of {len(clients)} clients signed in; errors {error_line(sign_ins)}"
    )
    print(f"warm-up, {min(workers, len(clients))} clients reading: errors {error_line(warmup)}")
    report(solo, solo_seconds, load, load_seconds, args.clients, waited)
    if bursts:
        print(
            f"edit bursts, {args.bursts} x {len(clients)} clients editing one patient at once: "
            f"errors {error_line(bursts)}"
        )
    lost = lost_edits(recorder.edits)
    missing = missing_logs(recorder.logs)
    for label, page in (("in the mix", "patient edit (API)"), ("in the bursts", BURST)):
        edits = [e for e in recorder.edits if e.page == page]
        gone = [e for e in lost if e.page == page]
        fields = Counter(e.field for e in gone).most_common()
        print(
            f"lost updates {label}: {len(gone):,} of {sum(e.status == 200 for e in edits):,} "
            f"acknowledged edits ({contended(edits):,} overlapped an edit of another field of "
            f"their patient)"
            + (f"; lost: {', '.join(f'{k} {v}' for k, v in fields)}" if gone else "")
        )
    print(f"lost load logs: {missing:,} of {len(recorder.logs):,} acknowledged missing")
    for line, count in server_errors(log):
        print(f"server log: {count:,} x {line}")
    print(
        f"server stopped with exit status {stopped}; load average {os.getloadavg()[0]:.1f} "
        f"after; its log: {log}"
    )
    connections.close_all()
    for path in folder.glob("bench.sqlite3*"):  # the throwaway SQLite database: 100 MB or so
        path.unlink()
    everything = sign_ins + warmup + solo + load + bursts
    fivexx = sum(s.status >= 500 for s in everything)
    unanswered = sum(s.status == 0 for s in everything)
    lost_count = len(lost) + missing

    def counted(n: int, what: str) -> str:
        return f"{n:,} {what}{'' if n == 1 else 's'}" if n else ""

    failures = [
        counted(fivexx, "5xx answer"),
        counted(unanswered, "unanswered request"),
        counted(lost_count, "lost update"),
    ]
    failures = [f for f in failures if f]
    print("FAIL: " + ", ".join(failures) if failures else "PASS: no 5xx, no lost update")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
