"""Errors an action raises, understood alike by the HTML views and the API: one vocabulary.

- Invalid input: a Django `ValidationError` with a message dict ({field: [messages]}); the API
  answers 422 `application/problem+json` naming each field, a form shows them beside the field.
- A refusal because of the object's current state (not its input): `Conflict`, 409, listing what
  the move needs as `missing: [{code, label, source}]` when it can say.
- A write against a version that has changed since the client read it: `StaleVersion`, 412.
- A body over the size limit: 413 (Django's `RequestDataTooBig`, answered by the API handler).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import ValidationError

__all__ = ["Conflict", "Missing", "StaleVersion", "ValidationError", "field_error"]


@dataclass(frozen=True)
class Missing:
    """One thing a refused move needs: a stable code, words for people, and where the rule comes
    from (the guide, a docs/sources.md section, or "clinic setting")."""

    code: str
    label: str
    source: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class Conflict(Exception):
    """The object's current state does not allow the action; the message says why, `missing`
    lists what the move needs (empty when the state simply forbids it)."""

    def __init__(self, message: str, *, missing: Iterable[Missing] = ()) -> None:
        super().__init__(message)
        self.missing = list(missing)


class StaleVersion(Exception):
    """The client's version of the record is not the current one: someone changed it since."""

    def __init__(self, obj: Any, *, expected: str, current: str) -> None:
        super().__init__(
            f"This record was changed by someone else since you opened it "
            f"(your version {expected}, now {current}). Reload it and apply your change again."
        )
        self.obj = obj
        self.expected = expected
        self.current = current


def field_error(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})
