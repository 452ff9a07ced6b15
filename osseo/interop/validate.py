"""Checks on every resource Osseo emits or reads, in three layers:

1. structure: the `fhir.resources` R4B models (R4B is the R4-shaped package of fhir.resources 8;
   there is no plain 4.0.1 package, docs/sources.md#fhir): element names, cardinalities,
   primitive formats;
2. what that library does not check (docs/sources.md#fhir): the
   required bindings of the coded elements Osseo uses (`REQUIRED`, the value sets as published on
   each resource's R4 page) and the FHIRPath invariants of the resources and data types used
   (`INVARIANTS`, the R4 expressions evaluated with fhirpathpy's R4 model);
3. a Bundle's reference integrity: every `Type/id` reference names a resource in the Bundle.

Each problem is (FHIRPath location, message), the location starting at the resource.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

import fhirpathpy
from fhir.resources.R4B import get_fhir_model_class
from fhirpathpy.models import models
from pydantic import ValidationError

Problem = tuple[str, str]

# Required bindings (https://hl7.org/fhir/R4/terminologies.html#required) of the coded elements
# Osseo emits or reads: (resource type, FHIRPath to the code) -> the value set's codes.
REQUIRED: dict[tuple[str, str], frozenset[str]] = {
    ("Patient", "gender"): frozenset({"male", "female", "other", "unknown"}),
    ("Patient", "name.use"): frozenset(
        {"usual", "official", "temp", "nickname", "anonymous", "old", "maiden"}
    ),
    ("Patient", "telecom.system"): frozenset(
        {"phone", "fax", "email", "pager", "url", "sms", "other"}
    ),
    ("Condition", "clinicalStatus.coding.code"): frozenset(
        {"active", "recurrence", "relapse", "inactive", "remission", "resolved"}
    ),
    ("Condition", "verificationStatus.coding.code"): frozenset(
        {"unconfirmed", "provisional", "differential", "confirmed", "refuted", "entered-in-error"}
    ),
    ("Procedure", "status"): frozenset(
        {
            "preparation",
            "in-progress",
            "not-done",
            "on-hold",
            "stopped",
            "completed",
            "entered-in-error",
            "unknown",
        }
    ),
    ("Device", "status"): frozenset({"active", "inactive", "entered-in-error", "unknown"}),
    ("Device", "udiCarrier.entryType"): frozenset(
        {"barcode", "rfid", "manual", "card", "self-reported", "unknown"}
    ),
    ("Device", "deviceName.type"): frozenset(
        {
            "udi-label-name",
            "user-friendly-name",
            "patient-reported-name",
            "manufacturer-name",
            "model-name",
            "other",
        }
    ),
    ("Observation", "status"): frozenset(
        {
            "registered",
            "preliminary",
            "final",
            "amended",
            "corrected",
            "cancelled",
            "entered-in-error",
            "unknown",
        }
    ),
    ("QuestionnaireResponse", "status"): frozenset(
        {"in-progress", "completed", "amended", "entered-in-error", "stopped"}
    ),
    ("ServiceRequest", "status"): frozenset(
        {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
    ),
    ("ServiceRequest", "intent"): frozenset(
        {
            "proposal",
            "plan",
            "directive",
            "order",
            "original-order",
            "reflex-order",
            "filler-order",
            "instance-order",
            "option",
        }
    ),
    ("CarePlan", "status"): frozenset(
        {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
    ),
    ("CarePlan", "intent"): frozenset({"proposal", "plan", "order", "option"}),
    ("CarePlan", "activity.detail.status"): frozenset(
        {
            "not-started",
            "scheduled",
            "in-progress",
            "on-hold",
            "completed",
            "cancelled",
            "stopped",
            "unknown",
            "entered-in-error",
        }
    ),
    ("Appointment", "status"): frozenset(
        {
            "proposed",
            "pending",
            "booked",
            "arrived",
            "fulfilled",
            "cancelled",
            "noshow",
            "entered-in-error",
            "checked-in",
            "waitlist",
        }
    ),
    ("Appointment", "participant.status"): frozenset(
        {"accepted", "declined", "tentative", "needs-action"}
    ),
    ("DocumentReference", "status"): frozenset({"current", "superseded", "entered-in-error"}),
    ("DocumentReference", "docStatus"): frozenset(
        {"preliminary", "final", "amended", "entered-in-error"}
    ),
    ("Bundle", "type"): frozenset(
        {
            "document",
            "message",
            "transaction",
            "transaction-response",
            "batch",
            "batch-response",
            "history",
            "searchset",
            "collection",
        }
    ),
    ("Bundle", "entry.search.mode"): frozenset({"match", "include", "outcome"}),
    ("Bundle", "entry.request.method"): frozenset(
        {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"}
    ),
}

_CONDITION_VER = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
_CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"

# FHIRPath invariants (key, context, expression, human description) of the R4 resources and data
# types Osseo uses, as published in the R4 specification (each resource's "Constraints" table;
# the data types' at https://hl7.org/fhir/R4/datatypes.html). `context` is a FHIRPath from the
# resource to the elements the expression is evaluated on ("" = the resource itself).
INVARIANTS: dict[str, list[tuple[str, str, str, str]]] = {
    "Appointment": [
        (
            "app-1",
            "participant",
            "type.exists() or actor.exists()",
            "Either the type or actor on the participant SHALL be specified",
        ),
        (
            "app-2",
            "",
            "start.exists() = end.exists()",
            "Either start and end are specified, or neither",
        ),
        (
            "app-3",
            "",
            "(start.exists() and end.exists()) or (status in ('proposed' | 'cancelled' | "
            "'waitlist'))",
            "Only proposed or cancelled appointments can be missing start/end dates",
        ),
        (
            "app-4",
            "",
            "cancelationReason.exists() implies (status='no-show' or status='cancelled')",
            "Cancelation reason is only used for appointments that have been cancelled, or no-show",
        ),
    ],
    "Condition": [
        (
            "con-3",
            "",
            "clinicalStatus.exists() or verificationStatus.coding.where(system='"
            + _CONDITION_VER
            + "' and code = 'entered-in-error').exists() or "
            "category.select($this='problem-list-item').empty()",
            "clinicalStatus SHALL be present if verificationStatus is not entered-in-error and "
            "category is problem-list-item",
        ),
        (
            "con-4",
            "",
            "abatement.empty() or clinicalStatus.coding.where(system='"
            + _CONDITION_CLINICAL
            + "' and (code='resolved' or code='remission' or code='inactive')).exists()",
            "If condition is abated, then clinicalStatus must be either inactive, resolved, or "
            "remission",
        ),
        (
            "con-5",
            "",
            "verificationStatus.coding.where(system='"
            + _CONDITION_VER
            + "' and code='entered-in-error').empty() or clinicalStatus.empty()",
            "Condition.clinicalStatus SHALL NOT be present if verification Status is "
            "entered-in-error",
        ),
    ],
    "Observation": [
        (
            "obs-6",
            "",
            "dataAbsentReason.empty() or value.empty()",
            "dataAbsentReason SHALL only be present if Observation.value[x] is not present",
        ),
        (
            "obs-7",
            "",
            "value.empty() or component.code.where(coding.intersect(%resource.code.coding)"
            ".exists()).empty()",
            "If Observation.code is the same as an Observation.component.code then the value "
            "element associated with the code SHALL NOT be present",
        ),
    ],
    "QuestionnaireResponse": [
        (
            "qrs-1",
            "descendants().where(linkId.exists())",
            "(answer.exists() and item.exists()).not()",
            "Nested item can't be beneath both item and answer",
        ),
    ],
    "CarePlan": [
        (
            "cpl-3",
            "activity",
            "detail.empty() or reference.empty()",
            "Provide a reference or detail, not both",
        ),
    ],
    "ServiceRequest": [
        (
            "prr-1",
            "",
            "orderDetail.empty() or code.exists()",
            "orderDetail SHALL only be present if code is present",
        ),
    ],
    "Bundle": [
        (
            "bdl-1",
            "",
            "total.empty() or (type = 'searchset') or (type = 'history')",
            "total only when a search or history",
        ),
        (
            "bdl-2",
            "",
            "entry.search.empty() or (type = 'searchset')",
            "entry.search only when a search",
        ),
        (
            "bdl-3",
            "",
            "entry.request.empty() or type = 'batch' or type = 'transaction' or type = 'history'",
            "entry.request mandatory for batch/transaction/history, otherwise prohibited",
        ),
        (
            "bdl-4",
            "",
            "entry.response.empty() or type = 'batch-response' or "
            "type = 'transaction-response' or type = 'history'",
            "entry.response mandatory for batch-response/transaction-response/history, "
            "otherwise prohibited",
        ),
        (
            "bdl-7",
            "",
            "(type = 'history') or entry.where(fullUrl.exists())"
            ".select(fullUrl&resource.meta.versionId).isDistinct()",
            "FullUrl must be unique in a bundle, or else entries with the same fullUrl must have "
            "different meta.versionId (except in history bundles)",
        ),
    ],
    # Data types, wherever they occur in any resource.
    "*": [
        (
            "ext-1",
            "descendants().where(url.exists() and (value.exists() or extension.exists()))",
            "extension.exists() != value.exists()",
            "Must have either extensions or value[x], not both",
        ),
        (
            "per-1",
            "descendants().where(start.exists() and end.exists())",
            # R4 writes hasValue(), which fhirpathpy lacks; a primitive that exists has a value
            # in what Osseo handles (no extension-only dates).
            "start.exists().not() or end.exists().not() or (start <= end)",
            "If present, start SHALL have a lower value than end",
        ),
        (
            "att-1",
            "descendants().where(data.exists())",
            "data.empty() or contentType.exists()",
            "If the Attachment has data, it SHALL have a contentType",
        ),
        (
            "qty-3",
            "descendants().where(value.exists() and unit.exists())",
            "code.empty() or system.exists()",
            "If a code for the unit is present, the system SHALL also be present",
        ),
    ],
}


@cache
def _compiled(expression: str) -> Any:
    return fhirpathpy.compile(expression, model=models["r4"])


def fhir_path(loc: Iterable[str | int]) -> str:
    """A validation error's location in FHIRPath's words: `name[0].family`, not `name.0.family`."""
    path = ""
    for step in loc:
        path += f"[{step}]" if isinstance(step, int) else (f".{step}" if path else str(step))
    return path


def within(prefix: str, path: str, kind: str) -> str:
    """`path` (relative to a resource of type `kind`, or the type itself for the whole
    resource) under `prefix`, the resource's own place."""
    return prefix if path == kind else f"{prefix}.{path}"


def structure(resource: dict[str, Any]) -> list[Problem]:
    """Problems the fhir.resources R4B model finds (element names, cardinality, formats)."""
    kind = resource.get("resourceType")
    if not isinstance(kind, str):
        return [("resourceType", "Name the resource type.")]
    try:
        model = get_fhir_model_class(kind)
    except (KeyError, ValueError):
        return [("resourceType", f"{kind!r} is not a FHIR R4 resource type.")]
    try:
        model.model_validate(resource)
    except ValidationError as exc:
        return [(fhir_path(e["loc"]) or kind, str(e["msg"])) for e in exc.errors(include_url=False)]
    return []


def _values(resource: dict[str, Any], path: str) -> list[Any]:
    values: list[Any] = [resource]
    for step in path.split("."):
        nxt: list[Any] = []
        for v in values:
            item = v.get(step) if isinstance(v, dict) else None
            if isinstance(item, list):
                nxt += item
            elif item is not None:
                nxt.append(item)
        values = nxt
    return values


def bindings(resource: dict[str, Any]) -> list[Problem]:
    """Coded values outside the required value set of their element."""
    kind = resource.get("resourceType")
    problems = []
    for (on, path), allowed in REQUIRED.items():
        if on != kind:
            continue
        for value in _values(resource, path):
            if value not in allowed:
                problems.append((path, f"{value!r} is not in the required value set"))
    return problems


def invariants(resource: dict[str, Any]) -> list[Problem]:
    """The FHIRPath invariants of the resource's type and of the data types it holds."""
    kind = str(resource.get("resourceType"))
    problems = []
    for key, context, expression, human in [*INVARIANTS.get(kind, []), *INVARIANTS["*"]]:
        whole = f"{context}.all({expression})" if context else expression
        if _compiled(whole)(resource, {"resource": resource}) != [True]:
            problems.append((context or kind, f"{key}: {human}"))
    return problems


def check(resource: dict[str, Any]) -> list[Problem]:
    """Every problem of one resource: structure, required bindings, invariants."""
    found = structure(resource)
    return found + bindings(resource) + (invariants(resource) if not found else [])


def references(node: Any) -> Iterator[str]:
    """Every `reference` string in a resource."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def bundle_problems(bundle: dict[str, Any]) -> list[Problem]:
    """The Bundle's own problems and its entries', and references to nothing in the Bundle
    (`Type/id`, or an entry's fullUrl)."""
    entries = bundle.get("entry", [])
    shell = {**bundle, "entry": [{k: v for k, v in e.items() if k != "resource"} for e in entries]}
    problems = [(within("Bundle", p, "Bundle"), m) for p, m in check(shell)]
    present: set[str] = set()
    for entry in bundle.get("entry", []):
        resource = entry.get("resource") or {}
        present.add(f"{resource.get('resourceType')}/{resource.get('id')}")
        if entry.get("fullUrl"):
            present.add(entry["fullUrl"])
    for i, entry in enumerate(bundle.get("entry", [])):
        resource = entry.get("resource") or {}
        for path, message in check(resource):
            problems.append((f"Bundle.entry[{i}].resource.{path}", message))
        for reference in references(resource):
            if reference not in present and not reference.startswith("#"):
                problems.append(
                    (f"Bundle.entry[{i}].resource", f"{reference} is not in the Bundle")
                )
    return problems
