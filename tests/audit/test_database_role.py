"""On PostgreSQL the application's role can read and append to the audit trail, and nothing
more: UPDATE, DELETE, TRUNCATE, ALTER (the trigger), DROP and switching triggers off are refused
by the database itself. The suite runs as that role (tests/conftest.py)."""

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from osseo.audit.models import AuditEntry, ChainHead
from osseo.audit.services import record, verify_chain

pytestmark = pytest.mark.skipif(
    not settings.OSSEO_DB_APP_ROLE, reason="two database roles exist on PostgreSQL only"
)


def _refused(sql, params=()):
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, params)
    return str(refused.value)


def test_the_tests_run_as_the_applications_role_which_owns_nothing(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == settings.OSSEO_DB_APP_ROLE
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s",
            [settings.OSSEO_DB_APP_ROLE],
        )
        assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET actor_label = 'mallory'",
        "DELETE FROM audit_auditentry",
        "TRUNCATE audit_auditentry",
        "TRUNCATE audit_auditentry CASCADE",
    ],
)
def test_the_application_role_may_not_rewrite_the_audit_trail(world, sql):
    before = list(AuditEntry.objects.order_by("seq").values_list("seq", "hash", "actor_label"))
    assert "permission denied" in _refused(sql)
    after = list(AuditEntry.objects.order_by("seq").values_list("seq", "hash", "actor_label"))
    assert after == before
    assert verify_chain().ok


@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only",
        "ALTER TABLE audit_auditentry DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_entry_append_only ON audit_auditentry",
        "DROP TABLE audit_auditentry CASCADE",
        "ALTER TABLE audit_auditentry RENAME TO audit_old",
        "CREATE OR REPLACE FUNCTION audit_entry_is_append_only() RETURNS trigger AS "
        "$$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql",
    ],
)
def test_the_application_role_may_not_alter_the_table_or_its_trigger(world, sql):
    message = _refused(sql)
    assert "must be owner" in message or "permission denied" in message


def test_the_application_role_may_not_switch_triggers_off_for_its_session(world):
    assert "permission denied" in _refused("SET session_replication_role = replica")


def test_the_application_role_may_not_mark_migrations_applied(world):
    assert "permission denied" in _refused(
        "INSERT INTO django_migrations (app, name, applied) VALUES ('audit', 'x', now())"
    )


def test_the_application_role_still_appends_and_moves_the_head(world):
    entry = record("audit.trail.viewed", actor=world.users["clinic_admin"])
    assert ChainHead.objects.get().seq == entry.seq
    assert verify_chain().ok
