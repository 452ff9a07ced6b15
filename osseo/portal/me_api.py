"""The signed-in patient's own summary at /api/v1/me. A staff caller has no "me" record: 404.

The read goes through the access-checked getter and is audited like any read of the record.
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from osseo.accounts.models import Role
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


@router.get("/me", response={200: MeOut, **errors(404)}, operation_id="get_me")
def get_me(request: HttpRequest) -> MeOut:
    membership = getattr(request.user, "membership", None)
    if membership is None or membership.role != Role.PATIENT or membership.patient_id is None:
        raise Http404("Only a patient has a record of their own here.")
    patient = get_patient_for(request.user, membership.patient.uuid)  # type: ignore[arg-type]
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
