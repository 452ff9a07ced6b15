"""Personas and helpers shared by the tests (habit from Healthchecks' alice/bob/charlie)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

# Property tests draw the same examples on every run (tests stay deterministic: a CI run cannot
# fail on a draw that the developer's run never saw). OSSEO_HYPOTHESIS_RANDOM=1 explores afresh.
hypothesis_settings.register_profile("osseo", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False, print_blob=True)
hypothesis_settings.load_profile(
    "explore" if os.environ.get("OSSEO_HYPOTHESIS_RANDOM") else "osseo"
)

# Playwright's sync API runs an event loop in the test thread; Django's ORM then refuses calls
# from tests that use `page` with `db`/`live_server` unless this is set.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = (
    os.environ.get("CHROMIUM_PATH")
    or ("/usr/lib/chromium/chromium" if os.path.exists("/usr/lib/chromium/chromium") else None)
    or shutil.which("chromium")
    or "/usr/bin/chromium"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "correct-horse-battery-42"
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238 Appendix B's test key
# A device expiry always years ahead of the day the tests run, so no test fails as the calendar
# moves on; as GS1 AI (17) YYMMDD and as a date.
FUTURE_EXPIRY = dt.date(dt.date.today().year + 4, 12, 31)
FUTURE_EXPIRY_GS1 = FUTURE_EXPIRY.strftime("%y%m%d")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@dataclass
class World:
    clinic: Any
    other_clinic: Any
    rehab: Any
    users: dict[str, Any]
    patient: Any
    limb: Any
    episode: Any
    other_patient: Any


def make_user(username: str, role: str, org: Any, patient: Any = None) -> Any:
    from osseo.accounts.actions import create_user

    return create_user(
        actor=None,
        username=username,
        password=PASSWORD,
        role=role,
        organisation=org,
        patient=patient,
        check_password=False,
    )


def make_patient(actor: Any, **overrides: Any) -> Any:
    from osseo.patients.actions import create_patient

    data = {
        "given_name": "Ada",
        "family_name": "Quarrell",
        "birth_date": dt.date(1980, 5, 17),
        "sex": "female",
        **overrides,
    }
    return create_patient(actor=actor, data=data)


@pytest.fixture
def world(db: Any) -> World:
    from osseo.accounts.actions import create_organisation
    from osseo.demo.reference import ensure_reference_data
    from osseo.pathway.actions import open_episode
    from osseo.patients.actions import add_limb

    ensure_reference_data()  # transactional tests flush the migrations' reference rows
    clinic = create_organisation(name="Test Clinic", slug="clinic", kind="oi_clinic")
    other = create_organisation(name="Other Clinic", slug="other", kind="oi_clinic")
    rehab = create_organisation(name="Test Rehab", slug="rehab", kind="rehab_partner")
    from osseo.accounts.organisation_actions import add_partnership

    add_partnership(clinic=clinic, partner=rehab)  # the clinic refers to this partner only
    users = {
        "surgeon": make_user("surgeon", "surgeon", clinic),
        "anaesthetist": make_user("anaesthetist", "anaesthetist", clinic),
        "prosthetist": make_user("prosthetist", "prosthetist", clinic),
        "coordinator": make_user("coordinator", "coordinator", clinic),
        "clinic_admin": make_user("admin", "clinic_admin", clinic),
        "rehab_specialist": make_user("rehab", "rehab_specialist", rehab),
        "outsider": make_user("outsider", "surgeon", other),
    }
    # Clinic administrators must sign in with a second factor (the default policy): the world's
    # has an authenticator with a known key (totp_code gives its current code).
    from osseo.accounts.actions import enrol_totp_for

    enrol_totp_for(user=users["clinic_admin"], key=TEST_TOTP_KEY)
    patient = make_patient(users["coordinator"], nhs_number="9434765919")
    limb = add_limb(
        actor=users["coordinator"],
        patient=patient,
        data={
            "site": "femur",
            "side": "left",
            "amputation_date": dt.date(2015, 3, 2),
            "cause": "trauma",
        },
    )
    episode = open_episode(actor=users["coordinator"], limb=limb)
    users["patient"] = make_user("patient", "patient", clinic, patient=patient)
    other_patient = make_patient(users["outsider"], given_name="Bryn", family_name="Other")
    return World(clinic, other, rehab, users, patient, limb, episode, other_patient)


def totp_code(username: str) -> str:
    """The code the user's authenticator shows now, or for the next time step if this one was
    used (django-otp accepts each step once, within one step either side)."""
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time = (device.last_t + 1) * device.step + device.t0
    return f"{totp.token():0{device.digits}d}"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_at(user: Any, url: str, now: dt.datetime) -> str:
    """The page's HTML as `user` sees it at the frozen moment `now` (it must answer 200)."""
    import time_machine

    with time_machine.travel(now, tick=False):
        response = client_for(user).get(url)
    assert response.status_code == 200, url
    return str(response.content.decode())


@contextmanager
def keep_db_connection() -> Iterator[None]:
    """Calls through the real WSGI handler (schemathesis) keep the test's database connection.

    The handler closes "old" connections as a request starts and ends, which on PostgreSQL is the
    test's transaction ("the connection is closed").
    """
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def api_client(user: Any) -> Client:
    """A client that authenticates with a bearer token, as an API client would."""
    from osseo.accounts.actions import issue_api_token

    token = issue_api_token(user=user)
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group the tests that read a module's shared demo (seeded once per module, so they run on
    one worker), then give each grouped test the `@group` suffix --dist=loadgroup schedules by.

    pytest-xdist 3.8 writes it to `item._nodeid`, which pytest 9.2's structured node ids no longer
    read, so every group was silently ignored (pytest-dev/pytest-xdist#1386): each worker then
    seeded its own demo and started its own live server. Remove once xdist is fixed."""
    for item in items:
        if "seeded_demo" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group(f"demo:{item.nodeid.split('::')[0]}"))
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import NodeId

    for item in items:
        groups = sorted(
            {
                str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                for m in item.iter_markers("xdist_group")
            }
        )
        nodeid = item.nodeid
        if groups and nodeid.rfind("@") <= nodeid.rfind("]"):
            item._id = NodeId.parse(f"{nodeid}@{'_'.join(groups)}")  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def seeded_demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo, seeded once for a module whose tests only read it; flushed afterwards (with the
    migrations' reference rows put back) so the next module starts from an empty database."""
    from django.core.management import call_command

    from osseo.demo.reference import ensure_reference_data

    with django_db_blocker.unblock():
        call_command("demo", verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)
        ensure_reference_data()


@pytest.fixture(autouse=True)
def fresh_cache() -> Any:
    """Each test starts with empty rate-limit counters (the cache is per process)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 is the production hasher (tests/accounts/test_passwords.py); tests hash quickly."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def opened_form_data(form: Any, **extra: str) -> dict[str, str]:
    """What a browser sends back from a form as the page showed it: each field's value, and
    beside it (as `initial-<name>`) the value it was opened with, as a VersionedForm renders."""
    data = dict(extra)
    for name in form.fields:
        value = form.initial.get(name, "")
        value = "" if value is None else str(value)
        data[name] = value
        if name != "version":
            data[f"initial-{name}"] = value
    return data


# PostgreSQL with two roles (scripts/with-postgres.sh, osseo/audit/roles.py): the test database is
# made and migrated by the owner, as `osseo migrate` does; every test then runs with the
# application's role (`SET ROLE` on each connection), so the tests meet its refusals. The session
# still logs in as the owner (a superuser there): tests that play an intruder with the owner's
# powers switch with `SET ROLE NONE` inside their transaction (tests/audit/conftest.py).
def _app_role() -> str:
    from django.conf import settings

    return getattr(settings, "OSSEO_DB_APP_ROLE", "")


def _set_app_role(sender: Any = None, connection: Any = None, **kwargs: Any) -> None:
    from django.db import connections

    # Only Django's own connections to the test database; a test's own connection handler
    # (one that makes a throwaway database, say) keeps the owner's login.
    if connection.vendor == "postgresql" and connections[connection.alias] is connection:
        with connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {connection.ops.quote_name(_app_role())}")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings: None) -> None:
    from django.conf import settings

    if _app_role():
        settings.DATABASES["default"]["USER"] = settings.OSSEO_MIGRATION_DB_USER
        settings.DATABASES["default"]["PASSWORD"] = os.environ.get(
            "OSSEO_MIGRATION_DB_PASSWORD", ""
        )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    from django.core.management.commands import flush
    from django.db import connections
    from django.db.backends.signals import connection_created

    if not _app_role():
        yield
        return
    original_flush = flush.Command.handle

    def flush_as_owner(self: Any, **options: Any) -> Any:
        """Django empties the tables after a transactional test with TRUNCATE, which only the
        owner may do (the application's role may not truncate the audit trail)."""
        connection = connections[options.get("database") or "default"]
        with connection.cursor() as cursor:
            cursor.execute("SET ROLE NONE")
        try:
            return original_flush(self, **options)
        finally:
            _set_app_role(connection=connection)

    flush.Command.handle = flush_as_owner
    connection_created.connect(_set_app_role, dispatch_uid="osseo.tests.app_role")
    with django_db_blocker.unblock():
        connections.close_all()
    yield
    connection_created.disconnect(dispatch_uid="osseo.tests.app_role")
    flush.Command.handle = original_flush
    with django_db_blocker.unblock():
        connections.close_all()
