"""Sign-in lockout without races: each attempt is counted before the password is checked.

Every attempt (the sign-in form, `POST /api/v1/auth/token`, a second-factor code) first adds one
to two counters, the account's and the client address's, in one transaction that holds both rows
locked (PostgreSQL `SELECT ... FOR UPDATE`; SQLite's immediate transactions take the write lock).
An attempt that finds either counter at its limit is refused before any password is checked, so
ten guesses sent together against a limit of five reach the password check at most five times.
A sign-in that succeeds (with its second factor) takes its own attempt back off both counters, so
colleagues behind one address do not lock each other out; the failures stay counted until their
window passes (a user's success does not wipe out a guesser's failures: every wrong password
checked holds one place under the limit).

Limits are settings (`OSSEO_SIGNIN_FAILURE_LIMIT`, `OSSEO_SIGNIN_ADDRESS_FAILURE_LIMIT`,
`OSSEO_SIGNIN_LOCKOUT_MINUTES`): operational numbers, not clinical ones. OWASP ASVS 4 V2.2.1
asks for anti-automation of this kind; it fixes no number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import SignInCounter


@dataclass(frozen=True)
class Attempt:
    """One counted attempt. `retry_after` (seconds) is set when it was refused unchecked."""

    account_key: str
    address_key: str
    retry_after: int | None = None

    @property
    def refused(self) -> bool:
        return self.retry_after is not None


def _window() -> timedelta:
    return timedelta(minutes=settings.OSSEO_SIGNIN_LOCKOUT_MINUTES)


def _keys(username: str, address: str) -> tuple[str, str]:
    return f"account:{username.strip().casefold()[:150]}", f"address:{address[:64] or 'none'}"


def _locked_row(key: str) -> SignInCounter:
    """The counter row, locked for this transaction (made if it is the first attempt)."""
    row = SignInCounter.objects.select_for_update().filter(key=key).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return SignInCounter.objects.create(key=key, count=0, window_start=timezone.now())
    except IntegrityError:  # a concurrent first attempt made it: wait for its lock
        return SignInCounter.objects.select_for_update().get(key=key)


def begin(username: str, address: str) -> Attempt:
    """Count an attempt for the account and the address, or refuse it if either is locked."""
    account_key, address_key = _keys(username, address)
    limits = {
        account_key: settings.OSSEO_SIGNIN_FAILURE_LIMIT,
        address_key: settings.OSSEO_SIGNIN_ADDRESS_FAILURE_LIMIT,
    }
    now = timezone.now()
    with transaction.atomic():  # its own transaction: sign-in runs outside any other
        rows = [_locked_row(key) for key in sorted(limits)]  # one order: no deadlock
        wait = 0.0
        for row in rows:
            if row.window_start + _window() <= now:
                row.count, row.window_start = 0, now
            if row.count >= limits[row.key]:
                wait = max(wait, (row.window_start + _window() - now).total_seconds())
        if wait:
            for row in rows:
                row.save(update_fields=["count", "window_start"])
            return Attempt(account_key, address_key, max(math.ceil(wait), 1))
        for row in rows:
            row.count += 1
            row.save(update_fields=["count", "window_start"])
    return Attempt(account_key, address_key)


def locked_after(attempt: Attempt) -> int | None:
    """After a failed attempt: the seconds until the next may be checked, if this one used up a
    limit (so the answer to the last allowed failure already says sign-in is paused)."""
    now = timezone.now()
    limits = {
        attempt.account_key: settings.OSSEO_SIGNIN_FAILURE_LIMIT,
        attempt.address_key: settings.OSSEO_SIGNIN_ADDRESS_FAILURE_LIMIT,
    }
    wait = 0.0
    for row in SignInCounter.objects.filter(key__in=limits):
        if row.count >= limits[row.key] and row.window_start + _window() > now:
            wait = max(wait, (row.window_start + _window() - now).total_seconds())
    return max(math.ceil(wait), 1) if wait else None


def succeeded(attempt: Attempt) -> None:
    """The whole sign-in succeeded: take its attempt back off both counters (locked in the same
    order as `begin` locks them, so the two never deadlock)."""
    with transaction.atomic():
        for key in sorted([attempt.account_key, attempt.address_key]):
            SignInCounter.objects.select_for_update().filter(key=key, count__gt=0).update(
                count=F("count") - 1
            )


def remove_expired() -> int:
    """Drop counters whose window has passed (they would be reset when next read anyway)."""
    deleted, _ = SignInCounter.objects.filter(window_start__lte=timezone.now() - _window()).delete()
    return deleted
