import pytest
from django.db import connection


def as_owner(sql, params=()):
    """Change the audit table straight in the database, around the application, with the powers
    of the database's owner (a superuser here): on PostgreSQL it leaves the application's role and
    switches the append-only trigger off; the keyed chain must still catch what it did."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT current_user")
            role = cursor.fetchone()[0]
            cursor.execute("SET ROLE NONE")
            cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")
                cursor.execute(f"SET ROLE {connection.ops.quote_name(role)}")


@pytest.fixture
def owner_sql():
    return as_owner
