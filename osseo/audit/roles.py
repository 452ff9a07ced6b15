"""On PostgreSQL the application connects as a role that may not rewrite the audit trail.

Two roles (README, "PostgreSQL roles"): the owner, who owns the database and its tables and runs
the migrations (`osseo migrate` connects as `OSSEO_MIGRATION_DB_USER`), and the application's role
(the user of `DATABASE_URL`), which owns nothing. After every migration the owner grants the
application's role what it needs on every table, and no more on the audit trail than reading
and appending: no UPDATE, DELETE or TRUNCATE on `audit_auditentry`, and, owning no table, it can
neither alter nor disable the append-only trigger (migration 0002) nor drop the table.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connections

APPEND_ONLY = ("audit_auditentry",)
READ_ONLY = ("django_migrations",)


def grant_app_role(*, using: str = "default", **kwargs: Any) -> None:
    """post_migrate: grant the application's role its privileges (PostgreSQL, two roles only)."""
    role = getattr(settings, "OSSEO_DB_APP_ROLE", "")
    connection = connections[using]
    if connection.vendor != "postgresql" or not role:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        if cursor.fetchone()[0] == role:
            return  # migrating as the application's role itself: nothing to give
        name = connection.ops.quote_name(role)
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {name}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}"
        )
        cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {name}")
        cursor.execute(
            f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {name}"
        )
        for table in APPEND_ONLY:
            cursor.execute(f"REVOKE UPDATE, DELETE ON {table} FROM {name}")
        for table in READ_ONLY:
            cursor.execute(f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {name}")
