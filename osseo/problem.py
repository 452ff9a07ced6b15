"""RFC 9457 problem details: the schema every API error response is declared with."""

from __future__ import annotations

from typing import Any

from ninja import Schema

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldProblem(Schema):
    field: str
    message: str


class Problem(Schema):
    """A problem; `errors` names each invalid field."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[FieldProblem] = []


def errors(*codes: int) -> dict[int, Any]:
    """The error responses an endpoint declares: always 400 (unparsable body), 401 and 422."""
    return dict.fromkeys(sorted({*codes, 400, 401, 422}), Problem)
