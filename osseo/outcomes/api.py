"""Questionnaires, scoring, and patients' stored responses over the API."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field as NinjaField
from ninja import Query, Router, Schema, Status

from osseo.accounts.permissions import has_permission
from osseo.audit.services import record
from osseo.contract import etag_of
from osseo.interop import questionnaire_response as fhir
from osseo.patients.queries import get_patient_for
from osseo.problem import IfMatch, edit_errors, errors, write_errors

from . import actions, scoring
from .models import InstrumentConfig, Questionnaire
from .queries import get_questionnaire, get_response_for, questionnaire_or_422, responses_of
from .schemas import QuestionnaireOut, ResponseIn, ResponseOut, ResponsePage, RulesIn, ScoreIn

router = Router(tags=["outcomes"])


def _user(request: HttpRequest) -> Any:
    return request.user


def _organisation(request: HttpRequest) -> Any:
    membership = getattr(_user(request), "membership", None)
    return membership.organisation if membership else None


def _summary(request: HttpRequest, q: Questionnaire) -> dict[str, Any]:
    s = scoring.scoring_for(_organisation(request), q)
    return {
        "code": q.code,
        "title": q.title,
        "url": q.url,
        "version": q.version,
        "scales": q.scales,
        "sites": q.sites,
        "scoring": {
            "configured": s.configured,
            "validated": s.validated,
            "source": s.source,
            "note": s.note,
        },
    }


def _config_etag(request: HttpRequest, q: Questionnaire) -> str:
    """The version of the clinic's wording and rules for the instrument (1: Osseo's defaults)."""
    config = scoring.config_for(_organisation(request), q)
    return etag_of(config or InstrumentConfig())


def _reader(request: HttpRequest) -> None:
    if not has_permission(_user(request), "patient.view"):
        raise PermissionDenied


@router.get(
    "/questionnaires",
    response={200: list[QuestionnaireOut], **errors(403)},
    operation_id="list_questionnaires",
)
def list_questionnaires(request: HttpRequest) -> Any:
    """The questionnaires, their scales, and whether this clinic can score each."""
    _reader(request)
    return [_summary(request, q) for q in Questionnaire.objects.all()]


@router.get(
    "/questionnaires/{code}",
    response={200: dict[str, Any], **errors(403, 404)},
    operation_id="get_questionnaire",
)
def questionnaire_definition(request: HttpRequest, code: str, response: HttpResponse) -> Any:
    """The FHIR R4-shaped Questionnaire (with the clinic's item wording, where it supplies it).
    Its `ETag` is the version of the clinic's wording and rules, which `PUT .../rules` may name
    in `If-Match`."""
    _reader(request)
    q = get_questionnaire(code)
    response["ETag"] = _config_etag(request, q)
    return scoring.scoring_for(_organisation(request), q).instrument.questionnaire


@router.post(
    "/questionnaires/{code}/score",
    response={200: dict[str, float | None], **errors(403, 404)},
    operation_id="score_questionnaire",
)
def score(request: HttpRequest, code: str, payload: ScoreIn) -> Any:
    """Score answers without saving them: {scale: 0-100, or null when no item was answered}.

    An unknown item or an answer outside an item's range is a 422 naming the item.
    """
    _reader(request)
    q = get_questionnaire(code)
    return scoring.score(scoring.scoring_for(_organisation(request), q), payload.answers)


@router.put(
    "/questionnaires/{code}/rules",
    response={200: QuestionnaireOut, **edit_errors()},
    operation_id="set_scoring_rules",
)
def set_rules(
    request: HttpRequest,
    code: str,
    payload: RulesIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """The clinic's scoring rules for an instrument Osseo cannot score as shipped (Q-TFA). The
    clinic's item wording is kept. With `If-Match`, rules changed since are refused (412)."""
    q = get_questionnaire(code)
    config = actions.configure_instrument(
        actor=_user(request),
        questionnaire=q,
        rules_json=json.dumps(payload.dict()),
        if_match=if_match,
    )
    response["ETag"] = etag_of(config)
    return _summary(request, q)


class ResponseParams(Schema):
    questionnaire: str = NinjaField("", max_length=40)
    limit: int = NinjaField(50, ge=1, le=200)
    offset: int = NinjaField(0, ge=0, le=1_000_000)


@router.get(
    "/patients/{patient_id}/questionnaire-responses",
    response={200: ResponsePage, **errors(403, 404)},
    operation_id="list_questionnaire_responses",
)
def list_responses(
    request: HttpRequest, patient_id: uuid.UUID, params: Query[ResponseParams]
) -> Any:
    patient = get_patient_for(_user(request), patient_id)
    qs = responses_of(patient, params.questionnaire)
    return {"items": list(qs[params.offset : params.offset + params.limit]), "count": qs.count()}


@router.post(
    "/patients/{patient_id}/questionnaire-responses",
    response={201: ResponseOut, **write_errors()},
    operation_id="record_questionnaire_response",
)
def record_response(request: HttpRequest, patient_id: uuid.UUID, payload: ResponseIn) -> Any:
    """Store a patient's answers with the scores computed now (none if scoring is not set up)."""
    user = _user(request)
    patient = get_patient_for(user, patient_id, permission="outcome.record", audit_read=False)
    q = questionnaire_or_422(payload.questionnaire)
    limb = episode = None
    if payload.limb:
        limb = patient.limbs.filter(uuid=payload.limb).first()
        if limb is None:
            raise ValidationError({"limb": ["No such limb for this patient."]})
    if payload.episode:
        episode = patient.episodes.filter(uuid=payload.episode).first()
        if episode is None:
            raise ValidationError({"episode": ["No such episode for this patient."]})
    response = actions.record_response(
        actor=user,
        patient=patient,
        questionnaire=q,
        data={
            "authored_on": payload.authored_on,
            "answers": payload.answers,
            "limb": limb,
            "episode": episode,
        },
    )
    return Status(201, responses_of(patient).get(pk=response.pk))


@router.get(
    "/questionnaire-responses/{response_id}",
    response={200: ResponseOut, **errors(403, 404)},
    operation_id="get_questionnaire_response",
)
def get_response(request: HttpRequest, response_id: uuid.UUID) -> Any:
    response = get_response_for(_user(request), response_id)
    record("patients.patient.viewed", actor=_user(request), patient=response.patient, obj=response)
    return responses_of(response.patient).get(pk=response.pk)


@router.get(
    "/questionnaire-responses/{response_id}/fhir",
    response={200: dict[str, Any], **errors(403, 404)},
    operation_id="get_questionnaire_response_fhir",
)
def get_response_fhir(request: HttpRequest, response_id: uuid.UUID) -> Any:
    """The response as FHIR R4: a collection Bundle of the QuestionnaireResponse and one
    Observation per computed score, derived from it."""
    user = _user(request)
    response = get_response_for(user, response_id)
    record("patients.patient.viewed", actor=user, patient=response.patient, obj=response)
    q = response.questionnaire
    definition = scoring.scoring_for(_organisation(request), q).instrument.questionnaire
    author = {"reference": f"Practitioner/{response.author.uuid}"}
    resources = fhir.of_response(response, definition, author)
    return fhir.bundle(resources)
