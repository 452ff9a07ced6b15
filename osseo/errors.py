"""Errors an action raises, understood alike by the HTML views and the API.

Field problems are Django `ValidationError`s with a message dict ({field: [messages]}); the API
turns them into a 422 `application/problem+json`, a form shows them beside the field. An action
refused because of the object's current state (not its input) raises `Conflict`: a 409 over the
API, a message on screen.
"""

from django.core.exceptions import ValidationError

__all__ = ["Conflict", "ValidationError", "field_error"]


class Conflict(Exception):
    """The object's current state does not allow the action; the message says why."""


def field_error(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})
