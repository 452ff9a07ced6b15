"""The signed-in patient's own summary at /api/v1/me. A staff caller has no "me" record: 404.

The read goes through the access-checked getter and is audited like any read of the record.
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from osseo.accounts.models import Role
from osseo.patients.actions import update_own_contact
from osseo.patients.models import Patient
from osseo.patients.queries import get_patient_for
from osseo.problem import errors

router = Router(tags=["me"])


class MyEpisodeOut(Schema):
    episode_id: uuid.UUID
    site: str
    phase: str
    phase_label: str


class MeOut(Schema):
    patient_id: uuid.UUID
    given_name: str
    episodes: list[MyEpisodeOut]


def _my_record(request: HttpRequest, *, audit_read: bool = True) -> Patient:
    """The signed-in patient's own record through the access-checked getter; 404 for staff."""
    membership = getattr(request.user, "membership", None)
    if membership is None or membership.role != Role.PATIENT or membership.patient_id is None:
        raise Http404("Only a patient has a record of their own here.")
    return get_patient_for(request.user, membership.patient.uuid, audit_read=audit_read)  # type: ignore[arg-type]


@router.get("/me", response={200: MeOut, **errors(404)}, operation_id="get_me")
def get_me(request: HttpRequest) -> MeOut:
    patient = _my_record(request)
    episodes = [
        MyEpisodeOut(
            episode_id=e.uuid,
            site=e.limb.get_site_display(),
            phase=e.phase,
            phase_label=e.get_phase_display(),
        )
        for e in patient.episodes.select_related("limb").order_by("opened_at", "id")
    ]
    return MeOut(patient_id=patient.uuid, given_name=patient.given_name, episodes=episodes)


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
    patient = _my_record(request, audit_read=False)
    data = payload.dict(exclude_unset=True, exclude_none=True)
    return update_own_contact(actor=request.user, patient=patient, data=data)  # type: ignore[arg-type]
