"""Access-checked reads of questionnaires, responses and score trends."""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from osseo.accounts.models import User
from osseo.patients.models import Patient
from osseo.patients.queries import get_patient_for

from .models import Questionnaire, QuestionnaireResponse, ResponseStatus


def get_questionnaire(code: str, *, field: str = "questionnaire") -> Questionnaire:
    questionnaire = Questionnaire.objects.filter(code=code).first()
    if questionnaire is None:
        raise Http404(f"No questionnaire {code!r}.")
    return questionnaire


def questionnaire_or_422(code: str) -> Questionnaire:
    try:
        return get_questionnaire(code)
    except Http404 as exc:
        raise ValidationError({"questionnaire": [str(exc)]}) from exc


def get_response_for(user: User, response_id: Any) -> QuestionnaireResponse:
    try:
        key = uuid_module.UUID(str(response_id))
        response = QuestionnaireResponse.objects.select_related(
            "questionnaire", "patient", "limb", "episode"
        ).get(uuid=key)
    except (ValueError, QuestionnaireResponse.DoesNotExist) as exc:
        raise Http404("No such questionnaire response.") from exc
    get_patient_for(user, response.patient.uuid, audit_read=False)
    return response


def responses_of(patient: Patient, code: str = "") -> QuerySet[QuestionnaireResponse]:
    qs = QuestionnaireResponse.objects.filter(patient=patient)
    if code:
        qs = qs.filter(questionnaire__code=code)
    return (
        qs.select_related("questionnaire", "patient", "limb", "episode")
        .prefetch_related("scores")
        .order_by("-authored_on", "-id")
    )


@dataclass
class Trend:
    """One questionnaire's scored responses over time, for the patient page's charts."""

    questionnaire: Questionnaire
    dates: list[Any] = field(default_factory=list)
    # scale code -> (label, higher_is_better, values in date order; None = not computed)
    series: list[tuple[str, str, bool, list[float | None]]] = field(default_factory=list)
    unscored: int = 0  # responses stored without scores (rules not configured)
    notes: list[str] = field(default_factory=list)


def trends_of(patient: Patient) -> list[Trend]:
    responses = list(
        QuestionnaireResponse.objects.filter(patient=patient, status=ResponseStatus.COMPLETED)
        .select_related("questionnaire")
        .prefetch_related("scores")
        .order_by("authored_on", "id")
    )
    trends: dict[str, Trend] = {}
    for response in responses:
        q = response.questionnaire
        trend = trends.setdefault(q.code, Trend(q))
        if not response.scored:
            trend.unscored += 1
            continue
        trend.dates.append(response.authored_on)
        values = {s.scale: s.value for s in response.scores.all()}
        if not trend.series:
            trend.series = [(s["code"], s["label"], s["higher_is_better"], []) for s in q.scales]
        for code, _label, _better, points in trend.series:
            points.append(values.get(code))
        if not response.rules_validated and response.rules_source:
            note = f"Scored with the clinic's rules ({response.rules_source}): not validated."
            if note not in trend.notes:
                trend.notes.append(note)
    return list(trends.values())
