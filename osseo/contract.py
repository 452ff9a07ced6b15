"""The action contract every write goes through, beside `audit.record()`.

An action is a keyword-only function in `<app>/actions.py`. Decorated with `@action(...)` it gets,
in this order:

1. the permission check (`PermissionDenied`, 403) before anything is read or written;
2. one transaction (on SQLite an IMMEDIATE one: see settings);
3. the rows it changes locked (`SELECT ... FOR UPDATE`) and re-read *inside* the transaction, so
   the state it checks is the state it writes over: two concurrent sign-offs cannot both pass the
   "not yet signed" check, and a PATCH never writes back a stale copy of fields it did not name;
4. the optimistic-concurrency check: when the caller passes `if_match` (an API `If-Match` header
   or the version a form was opened at), a record changed since answers `StaleVersion` (412);
5. the action's own body, which validates its input (422), refuses moves its state forbids with
   `Conflict` (409, listing what is `missing`) and writes its audit entry with `record()`.

Editable records inherit `Versioned`: a version number that every save bumps, given to API
clients as an `ETag` (`etag_of`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

from django.db import models, transaction

from osseo.errors import StaleVersion

P = ParamSpec("P")
R = TypeVar("R")


class Versioned(models.Model):
    """A record that is edited after it is made: every save raises its version by one."""

    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Raised by one at every change; the API's ETag."
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and not kwargs.get("force_insert"):
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)


def etag_of(obj: Versioned) -> str:
    """The record's strong entity tag (RFC 9110 §8.8.3): its version, quoted."""
    return f'"{obj.version}"'


def _matches(if_match: str, obj: Versioned) -> bool:
    """RFC 9110 §13.1.1: `*`, or one of a comma-separated list of tags; a weak tag never matches.
    A bare version number (what a form carries) is accepted too."""
    current = etag_of(obj)
    for tag in (t.strip() for t in if_match.split(",")):
        if tag == "*" or tag == current or tag == str(obj.version):
            return True
    return False


def lock(obj: models.Model) -> None:
    """Lock the object's row for the rest of the transaction and re-read it in place.

    On PostgreSQL the lock is `FOR NO KEY UPDATE` (`no_key=True`): it still queues every other
    action on the row, but not an insert of a row that merely refers to it. An audit entry refers
    to its actor, organisation and patient and is written under the chain's advisory lock, so a
    plain `FOR UPDATE` here deadlocked with it (an action holding the user's row waiting for the
    chain, a failed sign-in holding the chain waiting to refer to the user). SQLite ignores both.
    """
    manager = type(obj)._default_manager
    obj.refresh_from_db(from_queryset=manager.select_for_update(no_key=True))


def check_version(obj: Versioned, if_match: str | None) -> None:
    if if_match is None or if_match == "":
        return
    if not _matches(if_match, obj):
        raise StaleVersion(obj, expected=if_match.strip(), current=etag_of(obj))


def action(
    *, permission: str | None = None, locks: Iterable[str] = ()
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Wrap an action in the contract.

    `permission`: the code the actor's role must hold (`actor=` keyword). `locks`: the names of the
    keyword arguments whose model rows are locked and re-read before the body runs; the first of
    them is the one an `if_match=` keyword is checked against.
    """
    names = tuple(locks)

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if permission is not None:
                # Imported here: the accounts app's own models are Versioned.
                from osseo.accounts.permissions import require_permission

                require_permission(kwargs.get("actor"), permission)  # type: ignore[arg-type]
            with transaction.atomic():
                for i, name in enumerate(names):
                    obj = kwargs.get(name)
                    if obj is None:
                        continue
                    lock(obj)  # type: ignore[arg-type]
                    if i == 0 and isinstance(obj, Versioned):
                        check_version(obj, kwargs.get("if_match"))  # type: ignore[arg-type]
                return fn(*args, **kwargs)

        wrapper.__osseo_action__ = True  # type: ignore[attr-defined]
        return wrapper

    return decorate
