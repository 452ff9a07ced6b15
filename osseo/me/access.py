"""Who may open the patient's own pages, and the one way they reach the record behind them.

`/me/` is for a patient account only: staff (and an account without a membership) get 403. Every
page reads the record through the access-checked getter, so each view of it is audited like any
read of the record (`patients.patient.viewed`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from osseo.accounts.models import Role
from osseo.patients.models import Patient
from osseo.patients.queries import get_patient_for

View = Callable[..., HttpResponse]


def is_patient(user: Any) -> bool:
    """Whether the signed-in account is a patient's own (linked to their record)."""
    membership = getattr(user, "membership", None)
    return (
        membership is not None
        and membership.role == Role.PATIENT
        and membership.patient_id is not None
    )


def patient_page(view: View) -> View:
    """A page of the patient's own: signed in, and a patient, or 403."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_patient(request.user):
            raise PermissionDenied("These pages are for patients, about their own care.")
        return view(request, *args, **kwargs)

    return login_required(guarded)


def own_record(request: HttpRequest, *, audit_read: bool = True) -> Patient:
    """The signed-in patient's record, through the access-checked getter (audited)."""
    membership = request.user.membership  # type: ignore[union-attr]
    return get_patient_for(request.user, membership.patient.uuid, audit_read=audit_read)  # type: ignore[arg-type,union-attr]
