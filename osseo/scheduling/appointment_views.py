"""The appointment screens of the clinic's week: the week's appointments, a patient's bookings
(with the follow-up visits the schedule proposes), and one appointment, to record, move or
cancel."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from osseo.accounts.permissions import has_permission
from osseo.audit.services import record
from osseo.errors import Conflict, StaleVersion
from osseo.patients.forms import apply_errors
from osseo.patients.queries import get_patient_for, record_list_read

from . import actions
from .forms import AppointmentForm, CancelForm, MoveForm, OutcomeForm
from .queries import (
    appointments_between,
    appointments_for,
    clinicians_of,
    death_recorded,
    get_appointment_for,
    proposed_bookings,
)
from .views import date_range


@login_required
def appointment_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not has_permission(user, "appointment.view") or user.membership.role == "patient":
        raise PermissionDenied
    start, end = date_range(request, 7)
    clinicians = list(clinicians_of(user.membership.organisation))
    chosen = next((c for c in clinicians if str(c.uuid) == request.GET.get("clinician")), None)
    tz = timezone.get_current_timezone()
    rows = list(
        appointments_between(
            user,
            dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
            chosen,
        )
    )
    record_list_read(user, (str(a.patient.uuid) for a in rows), list="appointments")
    days: dict[dt.date, list[Any]] = {}
    for a in rows:
        days.setdefault(timezone.localtime(a.starts_at).date(), []).append(a)
    return render(
        request,
        "scheduling/appointments.html",
        {
            "start": start,
            "end": end,
            "days": sorted(days.items()),
            "clinicians": clinicians,
            "chosen": chosen,
            "to_book": proposed_bookings(user, timezone.localdate())
            if has_permission(user, "appointment.book")
            else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def patient_appointments(request: HttpRequest, patient_id: str) -> HttpResponse:
    """A patient's appointments, the follow-up visits the schedule proposes, and a booking form
    (filled in from a proposal when one is chosen)."""
    user: Any = request.user
    if user.membership.role == "patient":
        raise PermissionDenied
    patient = get_patient_for(user, patient_id, permission="appointment.view")
    died = death_recorded(patient)  # nothing more is booked for them
    can_book = has_permission(user, "appointment.book") and not died
    proposals = list(proposed_bookings(user, timezone.localdate(), patient=patient))
    visits = [
        (
            f"{p.episode.uuid}|{p.visit.due.isoformat()}",
            f"{p.visit.label} visit, {p.episode.limb} (due {p.visit.due:%-d %b %Y})",
        )
        for p in proposals
    ]
    clinicians = list(clinicians_of(user.membership.organisation))
    initial: dict[str, Any] = {"minutes": 30}
    chosen = request.GET.get("visit", "")
    if chosen in dict(visits):
        due = dt.date.fromisoformat(chosen.split("|")[1])
        initial.update({"kind": "follow_up", "visit": chosen, "day": due, "time": dt.time(9, 0)})
    form = AppointmentForm(
        request.POST or None, initial=initial, clinicians=clinicians, visits=visits
    )
    status = 200
    if request.method == "POST":
        if not can_book:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            episode = None
            visit_due = None
            if data["visit"]:
                key, day = data["visit"].split("|")
                episode = patient.episodes.filter(uuid=key).first()
                visit_due = dt.date.fromisoformat(day)
            try:
                actions.book_appointment(
                    actor=user,
                    patient=patient,
                    data={
                        "kind": data["kind"],
                        "starts_at": timezone.make_aware(
                            dt.datetime.combine(data["day"], data["time"])
                        ),
                        "minutes": data["minutes"],
                        "place": data["place"],
                        "clinician": next(
                            c for c in clinicians if str(c.uuid) == data["clinician"]
                        ),
                        "episode": episode,
                        "visit_due": visit_due,
                    },
                )
            except (ValidationError, Conflict) as exc:
                if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                    if "visit_due" in exc.error_dict:
                        exc.error_dict["visit"] = exc.error_dict.pop("visit_due")
                    if "starts_at" in exc.error_dict:
                        exc.error_dict["day"] = exc.error_dict.pop("starts_at")
                    if "episode" in exc.error_dict:
                        exc.error_dict["visit"] = exc.error_dict.pop("episode")
                apply_errors(form, exc)
            else:
                messages.success(request, "Appointment booked.")
                return redirect("scheduling:patient_appointments", patient_id=patient.uuid)
        status = 422
    return render(
        request,
        "scheduling/patient_appointments.html",
        {
            "patient": patient,
            # Only those the user may open (their organisation's), as the appointment page checks.
            "appointments": appointments_for(user).filter(patient=patient).order_by("-starts_at"),
            "proposals": proposals,
            "form": form if can_book else None,
            "died": died,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def appointment_detail(request: HttpRequest, appointment_id: str) -> HttpResponse:
    user: Any = request.user
    if user.membership.role == "patient":
        raise PermissionDenied
    appointment = get_appointment_for(user, appointment_id, permission="appointment.view")
    record(
        "patients.patient.viewed", actor=user, patient=appointment.patient, obj=appointment.patient
    )
    can_record = has_permission(user, "appointment.book") and appointment.status == "booked"
    op = request.POST.get("op", "record")
    posted = request.POST if request.method == "POST" else None
    form = OutcomeForm(posted if op == "record" else None, due=appointment.due)
    move_form = MoveForm(
        posted if op == "move" else None,
        initial=MoveForm.initial_for(appointment),
        clinicians=list(clinicians_of(appointment.organisation)) if can_record else [],
        prefix="m",
    )
    cancel_form = CancelForm(posted if op == "cancel" else None, prefix="x")
    status = 200
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        version = request.POST.get("version") or None
        target = {"move": move_form, "cancel": cancel_form}.get(op, form)
        if target.is_valid():
            try:
                if op == "move":
                    actions.reschedule_appointment(
                        actor=user,
                        appointment=appointment,
                        data=move_form.action_data(),
                        if_match=version,
                    )
                    done = (
                        "Appointment moved: the patient and the clinician are told, and "
                        "reminders follow the new time."
                    )
                elif op == "cancel":
                    actions.cancel_appointment(
                        actor=user,
                        appointment=appointment,
                        reason=cancel_form.cleaned_data["reason"],
                        if_match=version,
                    )
                    done = (
                        "Appointment cancelled: the patient and the clinician are told; "
                        "no reminder goes for it."
                    )
                else:
                    actions.record_appointment(
                        actor=user,
                        appointment=appointment,
                        data=dict(form.cleaned_data),
                        if_match=version,
                    )
                    done = "Recorded."
            except StaleVersion:
                target.add_error(
                    None,
                    "The appointment was changed since you opened the page; nothing was "
                    "changed. Read it again and try once more.",
                )
            except (ValidationError, Conflict) as exc:
                if isinstance(exc, ValidationError) and "starts_at" in getattr(
                    exc, "error_dict", {}
                ):
                    exc.error_dict["day"] = exc.error_dict.pop("starts_at")
                apply_errors(target, exc)
            else:
                messages.success(request, done)
                return redirect("scheduling:appointment", appointment_id=appointment.uuid)
        status = 422
    return render(
        request,
        "scheduling/appointment.html",
        {
            "appointment": appointment,
            # Held or missed is recorded once its day has come; until then it can be moved.
            "form": form
            if can_record
            and (
                timezone.localtime(appointment.starts_at).date() <= timezone.localdate()
                or form.is_bound
            )
            else None,
            "move_form": move_form if can_record else None,
            "cancel_form": cancel_form if can_record else None,
        },
        status=status,
    )
