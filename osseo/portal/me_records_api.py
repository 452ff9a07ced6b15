"""What the signed-in patient sends of their own: answers to the questionnaires their clinic
asks (saved as they go, resumable) and their daily steps.

`GET/POST /api/v1/me/questionnaire-responses`, `POST /api/v1/me/activity/daily`. Staff have no
"me" record (404). Every write goes through the owning app's action (audited); the patient is
never shown a score: scores go to the clinic (the outcomes API and the patient page).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from osseo.connectors.actions import import_own_daily_steps
from osseo.connectors.api import DAYS_BODY, days_from_request
from osseo.connectors.schemas import ImportOut
from osseo.outcomes.actions import answer_own_questionnaire
from osseo.outcomes.models import QuestionnaireResponse, ResponseDraft
from osseo.outcomes.queries import questionnaire_or_422
from osseo.outcomes.schemas import Answers
from osseo.problem import errors, write_errors

from .me_api import my_record
from .me_queries import my_questionnaires

router = Router(tags=["me"])


class MyAskedOut(Schema):
    questionnaire: str
    title: str
    limb: uuid.UUID | None = Field(..., description="null: asked once, not for one limb")
    site: str | None
    occasion: str | None = Field(
        ..., description="e.g. 'before your operation', '6 months after your operation'"
    )
    due: bool
    due_on: dt.date | None = Field(..., description="the follow-up visit it is for")
    last_answered_on: dt.date | None
    questions: int
    in_progress: uuid.UUID | None = Field(..., description="the unfinished answers' id")
    answered: int = Field(..., description="questions answered in the unfinished answers")


class MyAnswersOut(Schema):
    id: uuid.UUID
    questionnaire: str
    title: str
    limb: uuid.UUID | None
    status: str = Field(..., description="in-progress or completed (FHIR status codes)")
    authored_on: dt.date | None
    answers: dict[str, int]


class MyAnswersPage(Schema):
    asked: list[MyAskedOut]
    items: list[MyAnswersOut]
    count: int


class MyAnswersIn(Schema):
    questionnaire: str = Field(..., max_length=40, description="e.g. rand-36")
    limb: uuid.UUID | None = Field(None, description="needed when asked for more than one limb")
    answers: Answers = Field(
        ..., description="item (linkId) -> response number; null clears a saved answer"
    )
    finish: bool = Field(False, description="store the whole as finished: no more changes")


def _answers_out(saved: ResponseDraft | QuestionnaireResponse) -> MyAnswersOut:
    """Unfinished answers (FHIR status in-progress) or a stored response: the answers, no score."""
    done = saved if isinstance(saved, QuestionnaireResponse) else None
    return MyAnswersOut(
        id=saved.uuid,
        questionnaire=saved.questionnaire.code,
        title=saved.questionnaire.title,
        limb=saved.limb.uuid if saved.limb is not None else None,
        status=done.status if done else "in-progress",
        authored_on=done.authored_on if done else None,
        answers=saved.answers,
    )


@router.get(
    "/me/questionnaire-responses",
    response={200: MyAnswersPage, **errors(404)},
    operation_id="list_my_questionnaire_responses",
)
def list_my_responses(request: HttpRequest) -> MyAnswersPage:
    """The questionnaires the clinic asks of the patient (due now or not), their unfinished
    answers, and the answers they have finished, newest first. No scores."""
    patient = my_record(request)
    asked = my_questionnaires(patient, timezone.localdate())
    drafts = list(
        ResponseDraft.objects.filter(patient=patient)
        .select_related("questionnaire", "limb")
        .order_by("-updated_at", "-id")
    )
    done = list(
        QuestionnaireResponse.objects.filter(patient=patient)
        .select_related("questionnaire", "limb")
        .order_by("-authored_on", "-id")
    )
    items = [_answers_out(d) for d in drafts] + [_answers_out(r) for r in done]
    return MyAnswersPage(
        asked=[
            MyAskedOut(
                questionnaire=a.questionnaire.code,
                title=a.questionnaire.title,
                limb=a.limb.uuid if a.limb else None,
                site=a.limb.get_site_display() if a.limb else None,
                occasion=a.occasion.label if a.occasion else None,
                due=a.due,
                due_on=a.occasion.visit_on if a.occasion else None,
                last_answered_on=a.last_answered,
                questions=a.questions,
                in_progress=a.draft.uuid if a.draft else None,
                answered=len(a.draft.answers) if a.draft else 0,
            )
            for a in asked
        ],
        items=items,
        count=len(items),
    )


@router.post(
    "/me/questionnaire-responses",
    response={200: MyAnswersOut, **write_errors()},
    operation_id="answer_my_questionnaire",
)
def answer_my_questionnaire(request: HttpRequest, payload: MyAnswersIn) -> MyAnswersOut:
    """Save answers as they are given (added to those saved before); with `finish`, store the
    whole for the clinic. A questionnaire the clinic does not ask of the patient is a 422."""
    patient = my_record(request, audit_read=False)
    questionnaire = questionnaire_or_422(payload.questionnaire)
    limb = None
    if payload.limb:
        limb = patient.limbs.filter(uuid=payload.limb).first()
        if limb is None:
            raise ValidationError({"limb": ["Choose one of your own limbs."]})
    saved = answer_own_questionnaire(
        actor=request.user,  # type: ignore[arg-type]
        patient=patient,
        questionnaire=questionnaire,
        limb=limb,
        answers=payload.answers,
        finish=payload.finish,
    )
    return _answers_out(saved)


@router.post(
    "/me/activity/daily",
    response={200: ImportOut, **write_errors()},
    operation_id="send_my_daily_steps",
    openapi_extra=DAYS_BODY,
)
def send_my_daily_steps(request: HttpRequest) -> Any:
    """The patient's own daily steps: JSON days or the same CSV the clinic imports, checked the
    same way (each bad line named), all or nothing; the same day again replaces its count."""
    patient = my_record(request, audit_read=False)
    days, source = days_from_request(request, patient)
    summary = import_own_daily_steps(
        actor=request.user,  # type: ignore[arg-type]
        patient=patient,
        days=days,
        source=source,
    )
    return summary.as_dict()
