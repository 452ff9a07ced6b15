"""Errors an action raises, understood alike by the HTML views and the API.

Field problems are Django `ValidationError`s with a message dict ({field: [messages]}); the API
turns them into a 422 `application/problem+json`, a form shows them beside the field.
"""

from django.core.exceptions import ValidationError

__all__ = ["ValidationError", "field_error"]


def field_error(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})
