"""An action's row lock and the audit chain's lock never wait on each other (PostgreSQL).

Found by the live sign-in test: a token being issued held the user's row (the action contract's
lock) and waited for the chain, while a failed sign-in for the same user held the chain and waited
to write an entry referring to that user. PostgreSQL broke the deadlock with a 500."""

import threading

import pytest
from django.db import connection, transaction

from osseo.audit.models import AuditEntry
from osseo.audit.services import _LOCK_KEY, record, verify_chain
from osseo.contract import lock

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="row and advisory locks are PostgreSQL's"
    ),
]


def test_an_entry_about_a_locked_user_is_written_while_the_lock_holder_waits_for_the_chain(world):
    user = world.users["surgeon"]
    row_locked, chain_held = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    before = AuditEntry.objects.count()

    def issue_token() -> None:  # the action: the user's row first, the chain last
        try:
            with transaction.atomic():
                mine = type(user).objects.get(pk=user.pk)
                lock(mine)
                row_locked.set()
                assert chain_held.wait(10)
                record("accounts.token.issued", actor=mine, obj=mine)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    def sign_in_failed() -> None:  # the chain first, then an entry referring to the user
        try:
            assert row_locked.wait(10)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
                chain_held.set()
                record(
                    "accounts.user.sign_in_failed",
                    actor=type(user).objects.get(pk=user.pk),
                    changes={"username": user.username, "reason": "password"},
                )
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue_token), threading.Thread(target=sign_in_failed)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert AuditEntry.objects.count() == before + 2
    assert verify_chain().ok
