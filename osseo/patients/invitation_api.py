"""POST /api/v1/patients/{id}/invitation: a coordinator invites a patient to their own account
(osseo/patients/invitations.py); the same action as the patient's account screen."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from osseo.problem import write_errors

from .invitations import invite_patient
from .queries import get_patient_for

router = Router(tags=["accounts"])


class InvitationIn(Schema):
    email: str = Field(
        "",
        max_length=254,
        description="Where the link is sent; the patient's recorded e-mail address if empty.",
    )


class InvitationOut(Schema):
    account: uuid.UUID = Field(description="The patient account's id.")
    username: str
    email: str
    expires_at: datetime = Field(description="When the link stops working.")


@router.post(
    "/patients/{patient_id}/invitation",
    response={201: InvitationOut, **write_errors()},
    operation_id="invite_patient",
    summary="E-mail the patient a link to set up their own account",
)
def invite(request: HttpRequest, patient_id: uuid.UUID, payload: InvitationIn) -> Any:
    """Makes the patient's account (with no usable password) if it has none, and sends the link
    through the configured mail backend. The link works once, for the clinic's
    `patient_invitation_hours`; a newer invitation replaces it. A patient who has already set a
    password is refused (409); no e-mail address to send to is a 422 on `email`."""
    user: Any = request.user
    patient = get_patient_for(user, patient_id, permission="patient.invite", audit_read=False)
    invitation = invite_patient(
        actor=user, patient=patient, email=payload.email, base_url=request.build_absolute_uri("/")
    )
    return Status(
        201,
        {
            "account": invitation.account.uuid,
            "username": invitation.account.username,
            "email": invitation.email,
            "expires_at": invitation.expires_at,
        },
    )
