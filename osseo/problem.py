"""RFC 9457 problem details: the schema every API error response is declared with."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from ninja.params import HeaderEx, P
from ninja.schema import DjangoGetter
from pydantic import model_validator

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldProblem(Schema):
    field: str
    message: str


class MissingItem(Schema):
    """One thing a refused move (409) needs, with where the rule comes from."""

    code: str
    label: str
    source: str = ""


class Problem(Schema):
    """A problem: `errors` names each invalid field (422); `missing`, what a refused move needs
    (409)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[FieldProblem] = []
    missing: list[MissingItem] = []


def errors(*codes: int) -> dict[int, Any]:
    """The error responses an endpoint declares: always 400 (unparsable body), 401, 413 (body
    over the limit) and 422."""
    return dict.fromkeys(sorted({*codes, 400, 401, 413, 422}), Problem)


def write_errors(*codes: int) -> dict[int, Any]:
    """The errors of a write through the action contract: also 403, 404, 409 (a state refusal)."""
    return errors(403, 404, 409, *codes)


def edit_errors(*codes: int) -> dict[int, Any]:
    """The errors of a write to a versioned record: also 412 (`If-Match` names a stale version)."""
    return write_errors(412, *codes)


# The `If-Match` request header of a write to a versioned record (RFC 9110 §13.1.1).
IfMatch = HeaderEx[
    str | None,
    P(
        alias="If-Match",
        max_length=200,
        description="The record's ETag as last read; a stale one is refused with 412. "
        "Without it, only the fields named are written, over the current record.",
    ),
]


class PatchBody(Schema):
    """The body of a PATCH: a JSON object naming the fields to change.

    Ninja's schemas read the attributes of whatever they are given, so a schema whose fields all
    have defaults would take `[null, null]`, `[]` or `"x"` as "change nothing" and answer 200.
    Anything but an object is invalid input (422)."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        # Ninja's own validator runs first and wraps the body in a DjangoGetter.
        body = value._obj if isinstance(value, DjangoGetter) else value
        if not isinstance(body, dict):
            raise ValueError("Send a JSON object naming the fields to change.")
        return value
