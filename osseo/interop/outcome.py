"""OperationOutcome (https://hl7.org/fhir/R4/operationoutcome.html): how every error under
/api/v1/fhir/ is answered (not problem+json: FHIR clients read OperationOutcome), and how an
import names each problem by its `Bundle.entry[i]` path."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

FHIR_JSON = "application/fhir+json"


def issue(code: str, diagnostics: str, expression: str = "", severity: str = "error") -> dict:
    """One issue: `code` from the R4 issue-type value set (invalid, structure, required, value,
    invariant, security, login, forbidden, not-found, not-supported, conflict, processing,
    duplicate, multiple-matches, too-long, exception, ...)."""
    out: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        out["expression"] = [expression]
    return out


def operation_outcome(issues: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": list(issues)}


def fhir_response(body: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=FHIR_JSON)


def error(status: int, code: str, diagnostics: str, expression: str = "") -> HttpResponse:
    return fhir_response(operation_outcome([issue(code, diagnostics, expression)]), status)
