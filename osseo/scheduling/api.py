"""The clinic's week over the API (issue 22): the signed-in user's worklist, MDT meetings and
appointments. Patients see only their own appointments."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from osseo.accounts.models import User
from osseo.accounts.permissions import has_permission
from osseo.audit.services import record
from osseo.contract import etag_of
from osseo.pathway.queries import get_episode_for
from osseo.patients.queries import get_patient_for, record_list_read
from osseo.patients.worklist import panels_for
from osseo.problem import IfMatch, edit_errors, errors, write_errors

from . import actions
from .models import AgendaItem, MdtMeeting
from .queries import (
    appointments_between,
    clinicians_of,
    get_appointment_for,
    get_meeting_for,
    meetings_for,
)
from .schemas import (
    AppointmentCancellationIn,
    AppointmentIn,
    AppointmentOut,
    AppointmentOutcomeIn,
    AppointmentPage,
    AppointmentParams,
    AppointmentPatch,
    MeetingCancellationIn,
    MeetingIn,
    MeetingOut,
    MeetingPage,
    MeetingParams,
    MeetingPatch,
    WorklistOut,
)

router = Router(tags=["the clinic's week"])


def _user(request: HttpRequest) -> Any:
    return request.user


@router.get("/worklist", response={200: WorklistOut, **errors(403)}, operation_id="get_worklist")
def get_worklist(request: HttpRequest) -> Any:
    """The signed-in user's worklist, by kind: what their role has to do today among their
    patients (a patient account has none)."""
    user = _user(request)
    if not has_permission(user, "patient.view") or user.membership.role == "patient":
        raise PermissionDenied("A worklist is for the clinic's staff.")
    panels = panels_for(user, timezone.localdate())
    record_list_read(
        user, (str(p.uuid) for panel in panels for p in panel.patients), list="worklist (API)"
    )
    return {
        "panels": [
            {
                "kind": panel.kind,
                "title": panel.title,
                "count": panel.count,
                "more_url": panel.more_url,
                "note": panel.note,
                "items": [
                    {
                        "patient": item.patient.uuid if item.patient else None,
                        "patient_name": item.patient.display_name if item.patient else "",
                        "text": item.text,
                        "url": item.url,
                        "urgent": item.urgent,
                    }
                    for item in panel.items
                ],
            }
            for panel in panels
        ]
    }


def _meeting_out(meeting: MdtMeeting) -> dict[str, Any]:
    items: list[AgendaItem] = list(meeting.agenda.select_related("episode__patient", "assessment"))
    return {
        "uuid": meeting.uuid,
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "notes": meeting.notes,
        "cancelled_at": meeting.cancelled_at,
        "cancel_reason": meeting.cancel_reason,
        "attendees": list(meeting.attendees.select_related("user")),
        "agenda": [
            {
                "position": i.position,
                "episode": i.episode.uuid,
                "patient": i.episode.patient.uuid,
                "decision": i.assessment.decision if i.assessment else None,
                "assessment": i.assessment.uuid if i.assessment else None,
            }
            for i in items
        ],
    }


@router.get(
    "/mdt-meetings", response={200: MeetingPage, **errors(403)}, operation_id="list_mdt_meetings"
)
def list_mdt_meetings(request: HttpRequest, params: Query[MeetingParams]) -> Any:
    """The clinic's MDT meetings, with attendees and agenda (the patients named are an audited
    read)."""
    user = _user(request)
    if not has_permission(user, "mdt.view"):
        raise PermissionDenied("Your role may not read the MDT's meetings.")
    meetings = meetings_for(user)
    if params.upcoming:
        meetings = meetings.filter(starts_at__date__gte=timezone.localdate())
    out = [_meeting_out(m) for m in meetings[:200]]
    record_list_read(
        user, (str(i["patient"]) for m in out for i in m["agenda"]), list="MDT meetings"
    )
    return {"items": out, "count": meetings.count()}


def _attendees(payload: MeetingIn) -> list[dict[str, Any]]:
    return [
        {"user": str(a.user), "discipline": a.discipline}
        if a.user
        else {"name": a.name, "organisation": a.organisation, "discipline": a.discipline}
        for a in payload.attendees
    ]


@router.post(
    "/mdt-meetings",
    response={201: MeetingOut, **write_errors()},
    operation_id="create_mdt_meeting",
)
def create_mdt_meeting(request: HttpRequest, payload: MeetingIn) -> Any:
    """Arrange a meeting: when, where, who attends, and the patients whose assessment is due on
    its agenda. Decisions are made at the meeting (the screen) through the eligibility action."""
    user = _user(request)
    episodes = []
    for key in dict.fromkeys(payload.agenda):
        try:
            episodes.append(get_episode_for(user, key, permission="mdt.manage"))
        except Http404 as exc:
            raise ValidationError({"agenda": [f"No such episode in your care: {key}."]}) from exc
    meeting = actions.create_meeting(
        actor=user,
        data={
            "starts_at": payload.starts_at,
            "place": payload.place,
            "notes": payload.notes,
            "attendees": _attendees(payload),
        },
    )
    for episode in episodes:
        actions.add_to_agenda(actor=user, meeting=meeting, episode=episode)
    return Status(201, _meeting_out(meeting))


@router.get(
    "/mdt-meetings/{meeting_id}",
    response={200: MeetingOut, **errors(403, 404)},
    operation_id="get_mdt_meeting",
)
def get_mdt_meeting(request: HttpRequest, meeting_id: uuid.UUID, response: HttpResponse) -> Any:
    """One meeting with its attendees and agenda (the patients named are an audited read); its
    `ETag` is the version a move may name in `If-Match`."""
    user = _user(request)
    meeting = get_meeting_for(user, meeting_id)
    out = _meeting_out(meeting)
    record_list_read(user, (str(i["patient"]) for i in out["agenda"]), list="MDT meeting")
    response["ETag"] = etag_of(meeting)
    return out


@router.patch(
    "/mdt-meetings/{meeting_id}",
    response={200: MeetingOut, **edit_errors()},
    operation_id="move_mdt_meeting",
)
def move_mdt_meeting(
    request: HttpRequest,
    meeting_id: uuid.UUID,
    payload: MeetingPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Move a meeting not yet held (its date and time, or its place); its attendees' reminders
    follow the new time. One with a decision recorded is a 409; with `If-Match`, one changed
    since is a 412."""
    user = _user(request)
    meeting = get_meeting_for(user, meeting_id, permission="mdt.manage")
    meeting = actions.move_meeting(
        actor=user,
        meeting=meeting,
        data={k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None},
        if_match=if_match,
    )
    response["ETag"] = etag_of(meeting)
    return _meeting_out(meeting)


@router.post(
    "/mdt-meetings/{meeting_id}/cancellation",
    response={200: MeetingOut, **edit_errors()},
    operation_id="cancel_mdt_meeting",
)
def cancel_mdt_meeting(
    request: HttpRequest,
    meeting_id: uuid.UUID,
    payload: MeetingCancellationIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Cancel a meeting not yet held, with the reason: its attendees are told (no patient
    named), it leaves the calendars, and its agenda's patients are due for assessment again. One
    cancelled already or with a decision recorded is a 409; with `If-Match`, one changed since is
    a 412."""
    user = _user(request)
    meeting = get_meeting_for(user, meeting_id, permission="mdt.manage")
    meeting = actions.cancel_meeting(
        actor=user, meeting=meeting, reason=payload.reason, if_match=if_match
    )
    response["ETag"] = etag_of(meeting)
    return _meeting_out(meeting)


@router.post(
    "/patients/{patient_id}/appointments",
    response={201: AppointmentOut, **write_errors(404)},
    operation_id="book_appointment",
)
def book_appointment(request: HttpRequest, patient_id: uuid.UUID, payload: AppointmentIn) -> Any:
    """Book an appointment for the patient; a follow-up visit names the scheduled visit it is
    for (`visit_due`) and carries what is due at it."""
    user = _user(request)
    patient = get_patient_for(user, patient_id, permission="appointment.book", audit_read=False)
    clinician = clinicians_of(user.membership.organisation).filter(uuid=payload.clinician).first()
    if clinician is None:
        raise ValidationError({"clinician": ["Choose a clinician of your organisation."]})
    episode = None
    if payload.episode is not None:
        episode = patient.episodes.filter(uuid=payload.episode).first()
        if episode is None:
            raise ValidationError({"episode": ["Not one of this patient's episodes."]})
    appointment = actions.book_appointment(
        actor=user,
        patient=patient,
        data={
            "kind": payload.kind,
            "starts_at": payload.starts_at,
            "minutes": payload.minutes,
            "place": payload.place,
            "clinician": clinician,
            "episode": episode,
            "visit_due": payload.visit_due,
        },
    )
    return Status(201, appointment)


@router.get(
    "/appointments",
    response={200: AppointmentPage, **errors(403)},
    operation_id="list_appointments",
)
def list_appointments(request: HttpRequest, params: Query[AppointmentParams]) -> Any:
    """Appointments from `from` to `to` (inclusive days, at most a year), optionally one
    clinician's; a patient account sees only its own."""
    user = _user(request)
    if not has_permission(user, "appointment.view"):
        raise PermissionDenied("Your role may not read appointments.")
    start = params.from_ or timezone.localdate()
    end = params.to or start + dt.timedelta(days=6)
    if end < start or (end - start).days > 366:
        raise ValidationError({"to": ["Give a range of at most a year, ending after it starts."]})
    clinician = None
    if params.clinician is not None:
        clinician = User.objects.filter(uuid=params.clinician).first()
        if clinician is None:
            raise ValidationError({"clinician": ["No such clinician."]})
    tz = timezone.get_current_timezone()
    try:
        until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    except OverflowError as exc:
        raise ValidationError({"to": ["Give a day before the calendar's last."]}) from exc
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    qs = appointments_between(user, since, until, clinician)
    items = list(qs[:500])
    record_list_read(user, (str(a.patient.uuid) for a in items), list="appointments")
    return {"items": items, "count": qs.count()}


@router.get(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **errors(403, 404)},
    operation_id="get_appointment",
)
def get_appointment(request: HttpRequest, appointment_id: uuid.UUID, response: HttpResponse) -> Any:
    """One appointment (a patient account: one of its own); its `ETag` is the version a change
    may name in `If-Match`."""
    user = _user(request)
    if not has_permission(user, "appointment.view"):
        raise PermissionDenied("Your role may not read appointments.")
    appointment = get_appointment_for(user, appointment_id, permission="appointment.view")
    record("patients.patient.viewed", actor=user, patient=appointment.patient, obj=appointment)
    response["ETag"] = etag_of(appointment)
    return appointment


@router.patch(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **edit_errors()},
    operation_id="reschedule_appointment",
)
def reschedule_appointment(
    request: HttpRequest,
    appointment_id: uuid.UUID,
    payload: AppointmentPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Move a booked appointment, with the reason: the date and time, length, place or clinician
    named change, the others stay. Its reminders follow the new time. One held, missed or
    cancelled is a 409; with `If-Match`, one changed since is a 412."""
    user = _user(request)
    appointment = get_appointment_for(user, appointment_id, permission="appointment.book")
    data = payload.dict(exclude_unset=True)
    if data.get("clinician") is not None:
        clinician = clinicians_of(appointment.organisation).filter(uuid=data["clinician"]).first()
        if clinician is None:
            raise ValidationError({"clinician": ["Choose a clinician of your organisation."]})
        data["clinician"] = clinician
    appointment = actions.reschedule_appointment(
        actor=user,
        appointment=appointment,
        data={k: v for k, v in data.items() if v is not None},
        if_match=if_match,
    )
    response["ETag"] = etag_of(appointment)
    return appointment


@router.post(
    "/appointments/{appointment_id}/cancellation",
    response={200: AppointmentOut, **edit_errors()},
    operation_id="cancel_appointment",
)
def cancel_appointment(
    request: HttpRequest,
    appointment_id: uuid.UUID,
    payload: AppointmentCancellationIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Cancel a booked appointment, with the reason: no reminder goes for it any more and it
    leaves the calendars. One held, missed or cancelled already is a 409; with `If-Match`, one
    changed since is a 412."""
    user = _user(request)
    appointment = get_appointment_for(user, appointment_id, permission="appointment.book")
    appointment = actions.cancel_appointment(
        actor=user, appointment=appointment, reason=payload.reason, if_match=if_match
    )
    response["ETag"] = etag_of(appointment)
    return appointment


@router.post(
    "/appointments/{appointment_id}/outcome",
    response={200: AppointmentOut, **edit_errors()},
    operation_id="record_appointment_outcome",
)
def record_appointment_outcome(
    request: HttpRequest,
    appointment_id: uuid.UUID,
    payload: AppointmentOutcomeIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Record what became of a booking once its day has come: held, with what of its due items
    was done (a follow-up visit held is recorded as the scheduled visit it was for), or missed.
    One recorded already, or before its day, is a 409; with `If-Match`, one changed since is a
    412."""
    user = _user(request)
    appointment = get_appointment_for(user, appointment_id, permission="appointment.book")
    appointment = actions.record_appointment(
        actor=user, appointment=appointment, data=payload.dict(), if_match=if_match
    )
    response["ETag"] = etag_of(appointment)
    return appointment
