"""`osseo serve`: Osseo in production, served by gunicorn's worker processes.

The development server (`osseo runserver`, what `make run` uses) is one process that Django says
not to use in production. `osseo serve` checks that the database is migrated, collects the
static files (WhiteNoise serves them, compressed, from OSSEO_VAR_DIR/static), then becomes a
gunicorn master process (exec, so the signals a supervisor sends reach gunicorn itself: TERM or
INT stops it gracefully, HUP reloads the workers) with worker processes serving
`osseo.wsgi:application`.

    osseo serve                                   # 127.0.0.1:8000, OSSEO_WEB_WORKERS workers
    osseo serve --bind 0.0.0.0:8080 --workers 4 --threads 2 --timeout 60 --access-log
"""

from __future__ import annotations

import argparse
import os
import sys

DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_TIMEOUT = 30  # gunicorn's own default, in seconds


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"at least 1, not {value}")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="osseo serve",
        description="Serve Osseo in production: gunicorn worker processes, static files by "
        "WhiteNoise. TERM or INT stops it gracefully.",
    )
    p.add_argument(
        "--bind",
        action="append",
        metavar="ADDRESS",
        help=f"HOST:PORT (or unix:PATH) to listen on; repeat for several (default {DEFAULT_BIND})",
    )
    p.add_argument(
        "--workers",
        type=_at_least_one,
        help="worker processes (default: OSSEO_WEB_WORKERS, else 2 x cores + 1, at most 12)",
    )
    p.add_argument(
        "--threads",
        type=_at_least_one,
        default=1,
        help="threads in each worker (default 1; more runs gunicorn's threaded gthread worker)",
    )
    p.add_argument(
        "--timeout",
        type=_at_least_one,
        default=DEFAULT_TIMEOUT,
        help=f"seconds a worker may spend silent on a request before it is restarted "
        f"(default {DEFAULT_TIMEOUT})",
    )
    p.add_argument("--access-log", action="store_true", help="log every request on standard output")
    p.add_argument(
        "--no-collectstatic",
        action="store_true",
        help="do not collect the static files first (they must be in OSSEO_VAR_DIR/static)",
    )
    return p


def gunicorn_argv(
    *, binds: list[str], workers: int, threads: int, timeout: int, access_log: bool
) -> list[str]:
    """The gunicorn command line `osseo serve` becomes. gunicorn's control socket is off: its
    default path is one per user (~/.gunicorn/gunicorn.ctl), so a second server would take it
    over from the first, and removes it when it stops."""
    argv = [sys.executable, "-m", "gunicorn", "osseo.wsgi:application", "--name", "osseo"]
    argv += ["--no-control-socket"]
    for bind in binds:
        argv += ["--bind", bind]
    argv += ["--workers", str(workers), "--threads", str(threads), "--timeout", str(timeout)]
    if access_log:
        argv += ["--access-logfile", "-"]
    return argv


def _unapplied_migrations() -> list[str]:
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def main(argv: list[str]) -> int:
    options = parser().parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osseo.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    unapplied = _unapplied_migrations()
    connections.close_all()  # the workers open their own; none is shared across the fork
    if unapplied:
        sys.stderr.write(
            f"osseo serve: the database has {len(unapplied)} unapplied migration"
            f"{'' if len(unapplied) == 1 else 's'} ({unapplied[0]} ...); run `osseo migrate`.\n"
        )
        return 2
    if not options.no_collectstatic:
        call_command("collectstatic", interactive=False, verbosity=0)
    os.environ["OSSEO_STATIC_COLLECTED"] = "on"  # settings.py: serve the collected files
    command = gunicorn_argv(
        binds=options.bind or [DEFAULT_BIND],
        workers=options.workers or settings.OSSEO_WEB_WORKERS,
        threads=options.threads,
        timeout=options.timeout,
        access_log=options.access_log,
    )
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)  # noqa: S606  (our own interpreter and arguments, no shell)
    return 0  # not reached: exec replaced this process
