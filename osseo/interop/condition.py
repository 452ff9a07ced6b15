"""Conditions (https://hl7.org/fhir/R4/condition.html): the limb loss of each residual limb, and
each complication (adverse event) with its grade.

The limb loss: `code` is the verified SNOMED CT finding where one exists (299647001 "Amputated
above knee" for a femoral site, 429372004 "History of amputation of leg through tibia and
fibula" for a tibial one: docs/sources.md#fhir, HL7 IPS problems free set) beside Osseo's own
code; `bodySite` the limb (bodysite.py); `onsetDateTime` the amputation date; the cause through
the core extension `condition-dueTo` (https://hl7.org/fhir/R4/extension-condition-duetocondition-duet.html)
coded in Osseo's own system. Its id is the limb's.

A complication: its kind coded by complications/codes.py (local code, and the nearest verified
SNOMED CT concept), the grading scheme as `stage.type` and the grade as `stage.summary` (each
grading system its own local CodeSystem), onset and resolution, and the operation or part it
concerns as `evidence.detail`.
"""

from __future__ import annotations

from typing import Any

from osseo.complications.codes import codings
from osseo.complications.models import AdverseEvent, Outcome
from osseo.patients.models import Cause, ResidualLimb, Site

from .bodysite import body_site, limb_site
from .references import ref
from .systems import (
    AMPUTATION_CAUSE,
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CONDITION_KIND,
    CONDITION_VERIFICATION,
    GRADING,
    SNOMED,
    Coding,
    local,
)

DUE_TO = "http://hl7.org/fhir/StructureDefinition/condition-dueTo"
LIMB_LOSS = Coding(CONDITION_KIND, "limb-loss", "Limb or facial part loss (residual limb)")
SNOMED_LIMB_LOSS: dict[str, Coding] = {
    Site.FEMUR: Coding(SNOMED, "299647001", "Amputated above knee"),
    Site.TIBIA: Coding(
        SNOMED, "429372004", "History of amputation of leg through tibia and fibula"
    ),
}
_LIMB_LOSS_SNOMED = {c.code for c in SNOMED_LIMB_LOSS.values()} | {"161622006"}


def _concept(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}]}


CONFIRMED = _concept(CONDITION_VERIFICATION, "confirmed", "Confirmed")
PROBLEM = _concept(CONDITION_CATEGORY, "problem-list-item", "Problem List Item")


def limb_loss(limb: ResidualLimb) -> dict[str, Any]:
    code = [LIMB_LOSS.as_fhir()]
    if limb.site in SNOMED_LIMB_LOSS:
        code.append(SNOMED_LIMB_LOSS[limb.site].as_fhir())
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "id": str(limb.uuid),
        "extension": [
            {
                "url": DUE_TO,
                "valueCodeableConcept": _concept(
                    AMPUTATION_CAUSE, limb.cause, Cause(limb.cause).label
                ),
            }
        ],
        "clinicalStatus": _concept(CONDITION_CLINICAL, "active", "Active"),
        "verificationStatus": CONFIRMED,
        "category": [PROBLEM],
        "code": {"coding": code, "text": f"Loss: {limb}"},
        "bodySite": [body_site(limb.site, limb.side)],
        "subject": ref("Patient", limb.patient.uuid),
    }
    if limb.amputation_date:
        resource["onsetDateTime"] = limb.amputation_date.isoformat()
    return resource


def is_limb_loss(resource: dict[str, Any]) -> bool:
    for coding in (resource.get("code") or {}).get("coding") or []:
        if (coding.get("system"), coding.get("code")) == (CONDITION_KIND, "limb-loss"):
            return True
        if coding.get("system") == SNOMED and coding.get("code") in _LIMB_LOSS_SNOMED:
            return True
    return False


def limb_from_fhir(resource: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A residual limb's fields from a limb-loss Condition, and the problems found."""
    problems: list[tuple[str, str]] = []
    site = side = None
    sites = resource.get("bodySite") or []
    if sites:
        site, side = limb_site(sites[0])
    if site is None:
        for coding in (resource.get("code") or {}).get("coding") or []:
            for s, c in SNOMED_LIMB_LOSS.items():
                if (coding.get("system"), coding.get("code")) == (c.system, c.code):
                    site = s
    if site is None:
        problems.append(
            (
                "bodySite",
                "Name the implant site (Osseo's implant-site code or a "
                "verified SNOMED CT body structure).",
            )
        )
    if side is None:
        problems.append(
            (
                "bodySite[0].extension",
                f"Name the side ({
                    ', '.join(('left', 'right', 'not_applicable'))
                }) in the laterality extension.",
            )
        )
    cause = None
    for extension in resource.get("extension") or []:
        if extension.get("url") == DUE_TO:
            for coding in (extension.get("valueCodeableConcept") or {}).get("coding") or []:
                if coding.get("system") == AMPUTATION_CAUSE and coding.get("code") in Cause.values:
                    cause = coding["code"]
    if cause is None:
        problems.append(
            (
                "extension",
                f"Name the cause of the loss (condition-dueTo, coded in {AMPUTATION_CAUSE}).",
            )
        )
    onset = resource.get("onsetDateTime") or ""
    return {
        "site": site,
        "side": side,
        "cause": cause,
        "amputation_date": onset[:10] or None,
    }, problems


def complication(event: AdverseEvent) -> dict[str, Any]:
    resolved = event.resolved_on is not None or event.outcome in (
        Outcome.RESOLVED,
        Outcome.RESOLVED_WITH_SEQUELAE,
    )
    status = ("resolved", "Resolved") if resolved else ("active", "Active")
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "id": str(event.uuid),
        "clinicalStatus": _concept(CONDITION_CLINICAL, *status),
        "verificationStatus": CONFIRMED,
        "category": [_concept(CONDITION_KIND, "complication", "Complication of osseointegration")],
        "code": {
            "coding": [c._asdict() for c in codings(event.kind)],
            "text": event.get_kind_display(),
        },
        "bodySite": [body_site(event.limb.site, event.limb.side)],
        "subject": ref("Patient", event.patient.uuid),
        "onsetDateTime": event.onset_on.isoformat(),
    }
    if event.resolved_on:
        resource["abatementDateTime"] = event.resolved_on.isoformat()
    if event.grading_system is not None and event.grade is not None:
        system = event.grading_system
        resource["stage"] = [
            {
                "summary": {
                    "coding": [
                        {
                            "system": local(f"grading/{system.code}"),
                            "code": event.grade.code,
                            "display": event.grade.label,
                        }
                    ]
                },
                "type": _concept(GRADING, system.code, system.name),
            }
        ]
    evidence = []
    if event.procedure is not None:
        evidence.append(ref("Procedure", event.procedure.uuid))
    if event.device is not None:
        evidence.append(ref("Device", event.device.uuid))
    if evidence:
        resource["evidence"] = [{"detail": evidence}]
    if event.description:
        resource["note"] = [{"text": event.description}]
    return resource
