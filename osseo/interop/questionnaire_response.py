"""A stored response as FHIR R4: a QuestionnaireResponse and its scores as Observations.

https://hl7.org/fhir/R4/questionnaireresponse.html: ``questionnaire`` (canonical, ``url|version``),
``status``, ``subject``, ``authored``, ``author``, and ``item`` nested as the Questionnaire's
items are (a group holds its answered items; display items carry no answer and are left out;
an unanswered item is left out). A choice item's answer is the ``valueCoding`` of the option
chosen, an integer item's a ``valueInteger``.

https://hl7.org/fhir/R4/observation.html: each computed score is an Observation (category
``survey``) ``derivedFrom`` the response. No LOINC code for these scales was verified (see
docs/sources.md#verified-codes), so their codes are Osseo's own system. A score of the clinic's
unvalidated rules says so in ``note``. Nothing here imports Django: the caller passes plain
values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .systems import OBSERVATION_CATEGORY
from .systems import OUTCOME_SCALE as SCALE_SYSTEM


def questionnaire_response(
    *,
    response_id: str,
    definition: Mapping[str, Any],
    answers: Mapping[str, int],
    status: str,
    patient_id: str,
    authored: dt.date,
    author_id: str,
) -> dict[str, Any]:
    """The QuestionnaireResponse of `answers` ({linkId: response number}) to `definition`."""
    url, version = definition["url"], definition.get("version", "")
    return {
        "resourceType": "QuestionnaireResponse",
        "id": response_id,
        "questionnaire": f"{url}|{version}" if version else url,
        "status": status,
        "subject": {"reference": f"Patient/{patient_id}"},
        "authored": authored.isoformat(),
        "author": {"reference": f"Practitioner/{author_id}"},
        "item": _answered(definition.get("item", []), answers),
    }


def _answered(items: list[Mapping[str, Any]], answers: Mapping[str, int]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in items:
        link_id, kind = item["linkId"], item["type"]
        if kind == "group":
            inner = _answered(item.get("item", []), answers)
            if inner:
                out.append({"linkId": link_id, "text": item.get("text", ""), "item": inner})
        elif kind != "display" and answers.get(link_id) is not None:
            out.append(
                {
                    "linkId": link_id,
                    "text": item.get("text", ""),
                    "answer": [_answer(item, answers[link_id])],
                }
            )
    return out


def _answer(item: Mapping[str, Any], value: int) -> dict[str, Any]:
    for option in item.get("answerOption", []):
        coding = option.get("valueCoding", {})
        if coding.get("code") == str(value):
            return {"valueCoding": dict(coding)}
    return {"valueInteger": value}


def score_observations(
    *,
    response_id: str,
    questionnaire_code: str,
    scales: list[Mapping[str, Any]],
    scores: Mapping[str, float | None],
    patient_id: str,
    authored: dt.date,
    validated: bool,
    source: str,
) -> list[dict[str, Any]]:
    """One Observation per computed score (a scale with no score has none), in scale order."""
    observations = []
    for scale in scales:
        value = scores.get(scale["code"])
        if value is None:
            continue
        observation: dict[str, Any] = {
            "resourceType": "Observation",
            "id": f"{response_id}-{scale['code'].replace('_', '-')}",
            "status": "final",
            "category": [
                {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey"}]},
            ],
            "code": {
                "coding": [
                    {
                        "system": SCALE_SYSTEM,
                        "code": f"{questionnaire_code}.{scale['code']}",
                        "display": scale["label"],
                    }
                ],
                "text": scale["label"],
            },
            "subject": {"reference": f"Patient/{patient_id}"},
            "effectiveDateTime": authored.isoformat(),
            "valueQuantity": {"value": round(value, 4), "unit": "score (0-100)"},
            "derivedFrom": [{"reference": f"QuestionnaireResponse/{response_id}"}],
        }
        notes = [f"Scoring: {source}."] if source else []
        if not scale.get("higher_is_better", True):
            notes.append("A higher score is worse.")
        if not validated:
            notes.append("Scored with the clinic's rules: not validated.")
        if notes:
            observation["note"] = [{"text": " ".join(notes)}]
        observations.append(observation)
    return observations


def bundle(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """A collection Bundle of the resources (references between them are by type and id)."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


def of_response(
    response: Any, definition: Mapping[str, Any], author: dict[str, str]
) -> list[dict[str, Any]]:
    """A stored QuestionnaireResponse row (its questionnaire and scores loaded) as the response
    and its score Observations; `author` is the reference of who entered it."""
    q = response.questionnaire
    qr = questionnaire_response(
        response_id=str(response.uuid),
        definition=definition,
        answers=response.answers,
        status=response.status,
        patient_id=str(response.patient.uuid),
        authored=response.authored_on,
        author_id="",
    )
    qr["author"] = author
    return [
        qr,
        *score_observations(
            response_id=str(response.uuid),
            questionnaire_code=q.code,
            scales=q.scales,
            scores={s.scale: s.value for s in response.scores.all()},
            patient_id=str(response.patient.uuid),
            authored=response.authored_on,
            validated=response.rules_validated,
            source=response.rules_source,
        ),
    ]
