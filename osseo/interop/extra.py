"""Resources that apps above interop add to a patient's record export.

The interop app may not import the apps that sit above it (the clinic's week, osseo/scheduling):
such an app registers here a function that maps its own rows of a batch of patients to FHIR
resources, and `everything.records` yields them after its own, for `$everything`, `osseo fhir
export` and the bulk export alike. The function reads only signed facts of the patients it is
given (the caller has already been allowed to read them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .references import People

# (patients, people) -> (patient uuid, resource) pairs
Provider = Callable[[list[Any], People], Iterator[tuple[str, dict[str, Any]]]]

PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Add (or replace, by `name`) a provider of resources for the record export."""
    PROVIDERS[name] = provider


def provided(patients: list[Any], people: People) -> Iterator[tuple[str, dict[str, Any]]]:
    for name in sorted(PROVIDERS):
        yield from PROVIDERS[name](patients, people)
