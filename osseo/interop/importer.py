"""A referral from another system: a FHIR `transaction` Bundle of a Patient, the Condition of the
limb's loss and a ServiceRequest (https://hl7.org/fhir/R4/http.html#transaction), read and
checked whole before anything is written (`read_referral`), then written all or nothing by the
action `actions.import_referral`.

Every problem is an OperationOutcome issue naming its place as `Bundle.entry[i]...`; a resource
of a type Osseo does not import is reported, never silently dropped, and refuses the Bundle
(a transaction is all or nothing: https://hl7.org/fhir/R4/http.html#trules).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from osseo.patients.nhs import nhs_number_problem, normalise_nhs_number

from . import condition, validate
from . import patient as patient_map
from .outcome import issue

IMPORTED = ("Patient", "Condition", "ServiceRequest")


class Refused(Exception):
    """The Bundle cannot be imported; nothing was written. `issues` name each problem."""

    def __init__(self, issues: list[dict[str, Any]], status: int = 422) -> None:
        super().__init__("; ".join(i["diagnostics"] for i in issues))
        self.issues = issues
        self.status = status


@dataclass
class Limb:
    index: int  # the Condition's entry
    keys: set[str]  # the fullUrl and Type/id it is referenced by
    data: dict[str, Any]


@dataclass
class Request:
    index: int
    limb: int  # the Condition's entry it is for
    opened_at: dt.datetime | None


@dataclass
class Referral:
    patient_index: int
    patient: dict[str, Any]
    limbs: list[Limb] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)


def _at(i: int, path: str = "") -> str:
    return f"Bundle.entry[{i}]" + (f".resource.{path}" if path else "")


def _keys(entry: dict[str, Any]) -> set[str]:
    resource = entry.get("resource") or {}
    keys = {f"{resource.get('resourceType')}/{resource.get('id')}"} if resource.get("id") else set()
    if entry.get("fullUrl"):
        keys.add(entry["fullUrl"])
    return keys


def _with_nul(node: Any, path: str) -> Iterator[str]:
    """Where a string (or a key) holds U+0000: no database column can keep it (PostgreSQL's text
    refuses it), so it is named rather than left to fail the write."""
    if isinstance(node, str):
        if "\x00" in node:
            yield path
    elif isinstance(node, dict):
        for key, value in node.items():
            if "\x00" in str(key):
                yield path
            else:
                yield from _with_nul(value, f"{path}.{key}")
    elif isinstance(node, list):
        for n, item in enumerate(node):
            yield from _with_nul(item, f"{path}[{n}]")


def _datetime(text: str) -> dt.datetime | None:
    """A FHIR dateTime as an aware datetime (a date alone is its midnight UTC)."""
    try:
        value = dt.datetime.fromisoformat(text) if "T" in text else None
        if value is None:
            value = dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), dt.UTC)
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def read_referral(bundle: dict[str, Any]) -> Referral:
    """The referral the Bundle carries, or `Refused` naming every problem found."""
    issues: list[dict[str, Any]] = []
    if bundle.get("resourceType") != "Bundle":
        raise Refused([issue("structure", "Send a Bundle resource.", "Bundle.resourceType")], 400)
    if bundle.get("type") != "transaction":
        issues.append(issue("value", "The Bundle's type must be 'transaction'.", "Bundle.type"))
    entries = bundle.get("entry")
    if not isinstance(entries, list) or not entries:
        raise Refused([*issues, issue("required", "The Bundle holds no entries.", "Bundle.entry")])
    for path, message in validate.check(
        {**bundle, "entry": [{k: v for k, v in e.items() if k != "resource"} for e in entries]}
        if all(isinstance(e, dict) for e in entries)
        else bundle
    ):
        issues.append(issue("structure", message, validate.within("Bundle", path, "Bundle")))
    by_kind: dict[str, list[int]] = {kind: [] for kind in IMPORTED}
    keys: dict[int, set[str]] = {}
    for i, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            issues.append(issue("required", "The entry holds no resource.", _at(i)))
            continue
        kind = resource.get("resourceType")
        if kind not in IMPORTED:
            issues.append(
                issue(
                    "not-supported",
                    f"Osseo imports {', '.join(IMPORTED)} from a referral; a {kind} is not "
                    "imported, so the Bundle is refused rather than imported in part.",
                    _at(i, "resourceType"),
                )
            )
            continue
        method = (entry.get("request") or {}).get("method")
        if method not in ("POST", "PUT"):
            issues.append(
                issue("value", "Each entry is created: request.method POST.", f"{_at(i)}.request")
            )
        for path, message in validate.check(resource):
            issues.append(
                issue("invalid", message, validate.within(f"{_at(i)}.resource", path, kind))
            )
        for path in _with_nul(resource, f"{_at(i)}.resource"):
            issues.append(issue("invalid", "The text holds a NUL character (\\u0000).", path))
        by_kind[kind].append(i)
        keys[i] = _keys(entry)
    if len(by_kind["Patient"]) != 1:
        issues.append(issue("required", "The Bundle holds exactly one Patient.", "Bundle.entry"))
    if issues:
        raise Refused(issues)
    [p] = by_kind["Patient"]
    patient_data, problems = patient_map.from_fhir(entries[p]["resource"])
    issues += [issue("required", message, _at(p, path)) for path, message in problems]
    nhs = normalise_nhs_number(patient_data.get("nhs_number", ""))
    if nhs and (why := nhs_number_problem(nhs)):
        issues.append(issue("value", why, _at(p, "identifier")))
    referral = Referral(p, patient_data)

    def names_patient(i: int, path: str, value: Any) -> None:
        reference = (value or {}).get("reference")
        if reference not in keys[p]:
            issues.append(
                issue("invalid", f"{reference!r} is not the Bundle's Patient.", _at(i, path))
            )

    for i in by_kind["Condition"]:
        resource = entries[i]["resource"]
        names_patient(i, "subject.reference", resource.get("subject"))
        if not condition.is_limb_loss(resource):
            issues.append(
                issue(
                    "not-supported",
                    "Osseo imports the Condition of the limb's loss (code limb-loss in "
                    f"{condition.LIMB_LOSS.system}, or a verified SNOMED CT amputation finding); "
                    "this one is not imported, so the Bundle is refused.",
                    _at(i, "code"),
                )
            )
            continue
        data, problems = condition.limb_from_fhir(resource)
        issues += [issue("required", message, _at(i, path)) for path, message in problems]
        if data["amputation_date"]:
            try:
                data["amputation_date"] = dt.date.fromisoformat(data["amputation_date"])
            except ValueError:
                issues.append(issue("value", "Not a date.", _at(i, "onsetDateTime")))
        referral.limbs.append(Limb(i, keys[i], data))
    if not by_kind["ServiceRequest"]:
        issues.append(
            issue("required", "The Bundle holds no ServiceRequest (the referral).", "Bundle.entry")
        )
    for i in by_kind["ServiceRequest"]:
        resource = entries[i]["resource"]
        names_patient(i, "subject.reference", resource.get("subject"))
        reasons = [r.get("reference") for r in resource.get("reasonReference") or []]
        limb = next((b for b in referral.limbs if any(r in b.keys for r in reasons)), None)
        if limb is None and not reasons and len(referral.limbs) == 1:
            limb = referral.limbs[0]
        if limb is None:
            issues.append(
                issue(
                    "invalid",
                    "Name the limb-loss Condition this referral is for (reasonReference to a "
                    "Condition in the Bundle).",
                    _at(i, "reasonReference"),
                )
            )
            continue
        authored = resource.get("authoredOn")
        opened = _datetime(authored) if authored else None
        if authored and opened is None:
            issues.append(issue("value", "Give a time zone with the time.", _at(i, "authoredOn")))
        referral.requests.append(Request(i, limb.index, opened))
    if issues:
        raise Refused(issues)
    return referral


# Where a field Osseo checks lives in the resource it came from, for the issue's expression.
PATIENT_PATHS = {
    "given_name": "name[0].given",
    "family_name": "name[0].family",
    "birth_date": "birthDate",
    "sex": "gender",
    "nhs_number": "identifier",
    "record_number": "identifier",
    "email": "telecom",
    "phone": "telecom",
    "address": "address",
}
LIMB_PATHS = {
    "site": "bodySite",
    "side": "bodySite[0].extension",
    "cause": "extension",
    "amputation_date": "onsetDateTime",
}


def import_bundle(*, actor: Any, bundle: dict[str, Any]) -> dict[str, Any]:
    """Read the Bundle, write it through the action, and answer the transaction-response."""
    from .actions import import_referral

    referral = read_referral(bundle)
    return import_referral(actor=actor, referral=referral, entries=len(bundle["entry"]))
