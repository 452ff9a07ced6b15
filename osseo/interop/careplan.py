"""The rehabilitation referral and the loading protocol, and the referral into the clinic.

- A referral to a rehabilitation partner (patients.Referral) is a ServiceRequest
  (https://hl7.org/fhir/R4/servicerequest.html): `intent` order, `status` active or revoked once
  withdrawn, the partner as `performer`, who referred as `requester`.
- A rehabilitation plan (rehab.RehabPlan) is a CarePlan (https://hl7.org/fhir/R4/careplan.html):
  its loading protocol as the title and `instantiatesUri`, one `activity` per phase of the
  protocol as prescribed (days from the plan's day 1, target load), `basedOn` the referral.
- An episode of care's referral into the clinic is a ServiceRequest for an osseointegration
  assessment, `reasonReference` the limb's loss (condition.py), authored when the episode opened;
  this is what a referral from another system (importer.py) creates.
Codes are Osseo's own (no verified SNOMED CT code for these requests).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from osseo.pathway.models import Episode, Phase
from osseo.patients.models import Referral
from osseo.rehab.models import RehabPlan

from .references import People, ref
from .systems import CARE_PLAN, LOCAL_BASE, SERVICE_REQUEST, Coding

ASSESSMENT = Coding(
    SERVICE_REQUEST, "osseointegration-assessment", "Referral for osseointegration assessment"
)
REHABILITATION = Coding(SERVICE_REQUEST, "rehabilitation", "Referral for rehabilitation")
LOADING = Coding(CARE_PLAN, "loading-protocol", "Loading protocol")


def episode_referral(episode: Episode) -> dict[str, Any]:
    if episode.phase == Phase.DECLINED:
        status = "revoked"
    elif episode.phase == Phase.CLOSED:
        status = "completed"
    else:
        status = "active"
    return {
        "resourceType": "ServiceRequest",
        "id": str(episode.uuid),
        "status": status,
        "intent": "order",
        "code": {"coding": [ASSESSMENT.as_fhir()], "text": ASSESSMENT.display},
        "subject": ref("Patient", episode.patient.uuid),
        "authoredOn": episode.opened_at.astimezone(dt.UTC).isoformat(),
        "reasonReference": [ref("Condition", episode.limb.uuid)],
    }


def rehab_referral(referral: Referral, people: People) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": str(referral.uuid),
        "status": "active" if referral.active else "revoked",
        "intent": "order",
        "code": {"coding": [REHABILITATION.as_fhir()], "text": REHABILITATION.display},
        "subject": ref("Patient", referral.patient.uuid),
        "authoredOn": referral.referred_at.astimezone(dt.UTC).isoformat(),
        "requester": people.user(referral.referred_by),
        "performer": [people.organisation(referral.organisation)],
    }
    if referral.protocol is not None:
        resource["instantiatesUri"] = [_protocol_uri(referral.protocol.uuid)]
    if referral.note:
        resource["note"] = [{"text": referral.note}]
    return resource


def _protocol_uri(key: Any) -> str:
    return f"{LOCAL_BASE}/PlanDefinition/loading-protocol/{key}"


def _day(start: dt.date, day: Any) -> str:
    return (start + dt.timedelta(days=int(day) - 1)).isoformat()


def rehab_plan(plan: RehabPlan, people: People, referral: Referral | None) -> dict[str, Any]:
    activities = []
    for phase in plan.phases:
        target = phase.get("target_kg")
        percent = phase.get("target_percent_body_weight")
        words = [str(phase.get("description") or "").strip()]
        if target not in (None, ""):
            words.append(f"target {target} kg")
        elif percent not in (None, ""):
            words.append(f"target {percent}% of body weight")
        activities.append(
            {
                "detail": {
                    "code": {"coding": [LOADING.as_fhir()]},
                    "status": "scheduled",
                    "scheduledPeriod": {
                        "start": _day(plan.start_date, phase["start_day"]),
                        "end": _day(plan.start_date, phase["end_day"]),
                    },
                    "description": "; ".join(w for w in words if w),
                }
            }
        )
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": str(plan.uuid),
        "status": "active",
        "intent": "plan",
        "category": [{"coding": [LOADING.as_fhir()]}],
        "title": plan.protocol_name,
        "instantiatesUri": [_protocol_uri(plan.protocol.uuid)],
        "subject": ref("Patient", plan.patient.uuid),
        "period": {"start": plan.start_date.isoformat()},
        "author": people.user(plan.created_by),
        "activity": activities,
    }
    if plan.protocol_source:
        resource["description"] = f"Protocol source: {plan.protocol_source}"
    if referral is not None:
        resource["basedOn"] = [ref("ServiceRequest", referral.uuid)]
    return resource
