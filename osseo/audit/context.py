"""Who is acting and from where, for the audit entries written during a request or a command."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

client_address: contextvars.ContextVar[str] = contextvars.ContextVar("client_address", default="")
actor_label: contextvars.ContextVar[str] = contextvars.ContextVar("actor_label", default="")


@contextmanager
def acting_as(*, label: str = "", address: str = "") -> Iterator[None]:
    """Label the actor (e.g. the command line) and client address for entries written inside."""
    t1 = actor_label.set(label)
    t2 = client_address.set(address)
    try:
        yield
    finally:
        actor_label.reset(t1)
        client_address.reset(t2)
