"""The signed-in patient's own summary at /api/v1/me. A staff caller has no "me" record: 404.

The summary: their episodes, what comes next (questionnaires due, appointments, follow-up visits
to book, parts due for service), their booked appointments and their connector parts.

The read goes through the access-checked getter and is audited like any read of the record.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from osseo.accounts.models import Role
from osseo.patients.actions import update_own_contact
from osseo.patients.models import Patient
from osseo.patients.queries import get_patient_for
from osseo.problem import errors
from osseo.surgery.guide import limb_words

from .me_queries import (
    appointment_words,
    my_appointments,
    my_parts,
    my_questionnaires,
    next_steps,
    service_due_on,
)

router = Router(tags=["me"])


LIMB_WORDS = 'the limb in the patient\'s words, with its side: "your left thigh bone (femur)"'
SIDE = "left, right or not_applicable (a head or neck implant)"


class MyEpisodeOut(Schema):
    episode_id: uuid.UUID
    site: str
    side: str = Field(..., description=SIDE)
    limb: str = Field(..., description=LIMB_WORDS)
    phase: str
    phase_label: str


class MyNextStepOut(Schema):
    code: str = Field(
        ..., description="questionnaire, appointment, follow_up_visit or part_service"
    )
    label: str
    due_on: dt.date | None


class MyAppointmentOut(Schema):
    appointment_id: uuid.UUID
    kind: str
    kind_label: str
    starts_at: dt.datetime
    minutes: int
    place: str
    clinician: str


class MyPartOut(Schema):
    part_id: uuid.UUID
    kind: str
    kind_label: str
    site: str
    side: str = Field(..., description=SIDE)
    limb: str = Field(..., description=LIMB_WORDS)
    placed_on: dt.date
    service_due_on: dt.date | None = Field(
        ..., description="when the part is next due for a service, from its forecast"
    )


class MeOut(Schema):
    patient_id: uuid.UUID
    given_name: str
    episodes: list[MyEpisodeOut]
    next_steps: list[MyNextStepOut]
    appointments: list[MyAppointmentOut] = Field(..., description="booked, from today on")
    parts: list[MyPartOut] = Field(..., description="connector parts in place")


def my_record(request: HttpRequest, *, audit_read: bool = True) -> Patient:
    """The signed-in patient's own record through the access-checked getter; 404 for staff."""
    membership = getattr(request.user, "membership", None)
    if membership is None or membership.role != Role.PATIENT or membership.patient_id is None:
        raise Http404("Only a patient has a record of their own here.")
    return get_patient_for(request.user, membership.patient.uuid, audit_read=audit_read)  # type: ignore[arg-type]


@router.get("/me", response={200: MeOut, **errors(404)}, operation_id="get_me")
def get_me(request: HttpRequest) -> MeOut:
    patient = my_record(request)
    episodes = [
        MyEpisodeOut(
            episode_id=e.uuid,
            site=e.limb.get_site_display(),
            side=e.limb.side,
            limb=limb_words(e.limb),
            phase=e.phase,
            phase_label=e.get_phase_display(),
        )
        for e in patient.episodes.select_related("limb").order_by("opened_at", "id")
    ]
    today = timezone.localdate()
    appointments = my_appointments(request.user)  # type: ignore[arg-type]
    parts = my_parts(patient)
    steps = next_steps(
        request.user,  # type: ignore[arg-type]
        patient,
        today,
        appointments=appointments,
        parts=parts,
        questionnaires=my_questionnaires(patient, today),
    )
    return MeOut(
        patient_id=patient.uuid,
        given_name=patient.given_name,
        episodes=episodes,
        next_steps=[MyNextStepOut(code=s.code, label=s.label, due_on=s.due_on) for s in steps],
        appointments=[
            MyAppointmentOut(
                appointment_id=a.uuid,
                kind=a.kind,
                kind_label=appointment_words(a),
                starts_at=a.starts_at,
                minutes=a.minutes,
                place=a.place,
                clinician=a.clinician.get_full_name() or a.clinician.username,
            )
            for a in appointments
        ],
        parts=[
            MyPartOut(
                part_id=p.uuid,
                kind=p.kind,
                kind_label=p.get_kind_display(),
                site=p.limb.get_site_display(),
                side=p.limb.side,
                limb=limb_words(p.limb),
                placed_on=p.placed_on,
                service_due_on=service_due_on(p),
            )
            for p in parts
        ],
    )


class MyContactIn(Schema):
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    address: str | None = Field(default=None, max_length=2000)


class MyContactOut(Schema):
    phone: str
    email: str
    address: str


@router.patch(
    "/me/contact", response={200: MyContactOut, **errors(404)}, operation_id="update_my_contact"
)
def update_my_contact(request: HttpRequest, payload: MyContactIn) -> Patient:
    patient = my_record(request, audit_read=False)
    data = payload.dict(exclude_unset=True, exclude_none=True)
    return update_own_contact(actor=request.user, patient=patient, data=data)  # type: ignore[arg-type]
