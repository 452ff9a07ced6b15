"""The patient list's "next due" column: what the apps derive as due, gathered without importing
them (the patients app imports none of the apps above it).

An app that derives something due for a patient (a follow-up visit, a connector part's service)
registers a provider once, in its ``AppConfig.ready()``::

    from osseo.patients import due

    due.register("follow_up_visit", next_visits)

A provider takes the reader, the patients (a queryset the reader may see) and today's date, and
returns, for each patient it has something due for, that patient's earliest item as a
:class:`Due` (keyed by the patient's id). It answers for the whole queryset in a fixed number of
queries, whatever its size, and returns nothing for a reader whose role does not see that work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from .models import Patient


@dataclass(frozen=True)
class Due:
    """One thing due for a patient: when, what (in words), and the page that deals with it."""

    on: dt.date
    what: str  # e.g. "Dualcone, Left Femur (transfemoral)"
    url: str

    def overdue(self, today: dt.date) -> bool:
        return self.on < today


Provider = Callable[[Any, QuerySet[Patient], dt.date], dict[int, Due]]
_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Add (or replace, by name) a provider of due items."""
    _providers[name] = provider


def unregister(name: str) -> None:
    """Remove a provider (a test's own, for instance); an unknown name is ignored."""
    _providers.pop(name, None)


def next_due(user: Any, patients: QuerySet[Patient], today: dt.date) -> dict[int, Due]:
    """Each patient's earliest due item over every provider (patients with nothing due are
    absent); ties go to the provider registered first."""
    found: dict[int, Due] = {}
    for provider in _providers.values():
        for pk, item in provider(user, patients, today).items():
            if pk not in found or item.on < found[pk].on:
                found[pk] = item
    return found
