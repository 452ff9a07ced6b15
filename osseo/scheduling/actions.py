"""Every write of the clinic's week, each through the action contract (`osseo.contract.action`):
MDT meetings (attendees, agenda, each patient's decision through the surgery app's eligibility
action), appointments (booked, moved, cancelled, held) and calendar feeds (issued, revoked)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from osseo.accounts.models import Organisation, OrganisationKind, Role, User
from osseo.audit.labels import register
from osseo.audit.services import record
from osseo.contract import action
from osseo.errors import Conflict, Missing
from osseo.pathway.models import Episode, Phase
from osseo.patients.models import Patient
from osseo.patients.queries import patients_for
from osseo.plausible import MAX_YEARS_AHEAD, check_date
from osseo.surgery import mdt

from .models import (
    AgendaItem,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Attendee,
    CalendarFeed,
    MdtMeeting,
)
from .queries import death_recorded, token_hash

register(
    {
        "scheduling.meeting.created": "MDT meeting arranged",
        "scheduling.meeting.attendees_set": "MDT meeting attendees changed",
        "scheduling.meeting.moved": "MDT meeting moved",
        "scheduling.meeting.cancelled": "MDT meeting cancelled",
        "scheduling.agenda.released": "MDT meeting cancelled: assessment due again",
        "scheduling.meeting.notified": "MDT meeting change sent to an attendee",
        "scheduling.agenda.added": "Patient added to an MDT meeting's agenda",
        "scheduling.agenda.removed": "Patient taken off an MDT meeting's agenda",
        "scheduling.agenda.decided": "MDT decision recorded at the meeting",
        "scheduling.appointment.booked": "Appointment booked",
        "scheduling.appointment.recorded": "Appointment outcome recorded",
        "scheduling.appointment.rescheduled": "Appointment moved",
        "scheduling.appointment.cancelled": "Appointment cancelled",
        "scheduling.appointment.reminded": "Appointment reminder sent",
        "scheduling.appointment.notified": "Appointment change notice sent",
        "scheduling.calendar.issued": "Calendar feed issued",
        "scheduling.calendar.revoked": "Calendar feed revoked",
        "scheduling.calendar.fetched": "Calendar feed fetched",
        "scheduling.meeting.printed": "MDT agenda or minutes printed",
        "scheduling.meeting.reminded": "MDT meeting reminder sent",
    }
)

MAX_MINUTES = 8 * 60


def _organisation(actor: User) -> Organisation:
    return actor.membership.organisation


def _meeting_organisations(actor: User) -> set[int]:
    """Whose users may attend a meeting: the actor's clinic and its rehabilitation partners (those
    it has an active partnership with; the eligibility action checks each decision's participants
    against the patient's care team). Another organisation's staff are neither listed nor taken."""
    from osseo.accounts.queries import partnerships_of

    clinic = _organisation(actor)
    partners = partnerships_of(clinic).filter(partner__kind=OrganisationKind.REHAB_PARTNER)
    return {clinic.pk, *partners.values_list("partner_id", flat=True)}


def _clean_attendees(raw: Any, actor: User) -> list[mdt.Participant]:
    attendees, problems = mdt.clean_participants(
        raw, patient=None, actor=actor, organisations=_meeting_organisations(actor)
    )
    if problems:
        raise ValidationError({"attendees": problems})
    return attendees


def _set_attendees(meeting: MdtMeeting, attendees: list[mdt.Participant]) -> None:
    meeting.attendees.all().delete()
    Attendee.objects.bulk_create(
        Attendee(
            meeting=meeting,
            user=a.user,
            name=a.name,
            organisation=a.organisation,
            discipline=a.discipline,
        )
        for a in attendees
    )


def _describe(attendees: list[mdt.Participant]) -> list[str]:
    from osseo.accounts.disciplines import Discipline

    def named(code: str) -> str:
        return Discipline(code).label if code in Discipline.values else code

    return [f"{a.user.username if a.user else a.name} ({named(a.discipline)})" for a in attendees]


def _when(
    errors: dict[str, list[str]], name: str, value: Any, patient: Patient | None = None
) -> dt.datetime | None:
    """A date and time to come (or past, to record), within the planned-date window."""
    if not isinstance(value, dt.datetime):
        errors[name] = ["Give a date and a time."]
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    years = None if patient is not None else MAX_YEARS_AHEAD
    if check_date(errors, name, value.date(), patient=patient, planned=True, years_ahead=years):
        return value
    return None


@action(permission="mdt.manage")
def create_meeting(*, actor: User, data: dict[str, Any]) -> MdtMeeting:
    """A meeting of the clinic's MDT: when, where, and who attends (clinic or partner users, or
    outside professionals by name and organisation, each with their discipline)."""
    errors: dict[str, list[str]] = {}
    starts_at = _when(errors, "starts_at", data.get("starts_at"))
    place = str(data.get("place") or "").strip()
    if len(place) > 200:
        errors["place"] = ["At most 200 characters."]
    attendees: list[mdt.Participant] = []
    if data.get("attendees"):
        try:
            attendees = _clean_attendees(data.get("attendees"), actor)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    assert starts_at is not None
    meeting = MdtMeeting.objects.create(
        organisation=_organisation(actor),
        starts_at=starts_at,
        place=place,
        notes=str(data.get("notes") or ""),
        created_by=actor,
    )
    _set_attendees(meeting, attendees)
    record(
        "scheduling.meeting.created",
        actor=actor,
        obj=meeting,
        changes={
            "starts_at": [None, starts_at.isoformat()],
            "attendees": [None, _describe(attendees)],
        },
    )
    _remind_attendees(meeting)
    return meeting


def _not_cancelled(meeting: MdtMeeting) -> None:
    """A cancelled meeting stays as it was cancelled: nothing more is arranged or decided at it."""
    if meeting.cancelled_at is not None:
        raise Conflict(
            "This meeting is cancelled.",
            missing=[Missing("not_cancelled", "Arrange another meeting.", "")],
        )


def _remind_attendees(meeting: MdtMeeting) -> None:
    """Queue the meeting's reminders to its attendees once the change commits (the worker sends
    each attendee each reminder once)."""
    from .reminders import enqueue_meeting_reminders

    transaction.on_commit(lambda: enqueue_meeting_reminders(meeting))


@action(permission="mdt.manage", locks=["meeting"])
def move_meeting(
    *, actor: User, meeting: MdtMeeting, data: dict[str, Any], if_match: str | None = None
) -> MdtMeeting:
    """Move a meeting not yet held: its date and time, or its place (those `data` names). Its
    attendees are told at once (no patient named) and their reminders follow the new time;
    calendars show the same event, changed. A meeting with a decision recorded has been held:
    it stays as it was (409)."""
    errors: dict[str, list[str]] = {}
    new: dict[str, Any] = {}
    if "starts_at" in data:
        new["starts_at"] = _when(errors, "starts_at", data["starts_at"])
    if "place" in data:
        place = str(data["place"] or "").strip()
        if len(place) > 200:
            errors["place"] = ["At most 200 characters."]
        new["place"] = place
    changed = {k: v for k, v in new.items() if v != getattr(meeting, k)}
    if not errors and not changed:
        errors["starts_at"] = ["Change the date and time or the place."]
    if errors:
        raise ValidationError(errors)
    _not_cancelled(meeting)
    if meeting.agenda.filter(assessment__isnull=False).exists():
        raise Conflict(
            "This meeting has decisions recorded: it was held as it stands.",
            missing=[Missing("undecided", "Only a meeting with no decision yet can move.", "")],
        )
    changes = {
        k: [
            getattr(meeting, k).isoformat() if k == "starts_at" else getattr(meeting, k),
            v.isoformat() if k == "starts_at" else v,
        ]
        for k, v in changed.items()
    }
    was = (meeting.starts_at, meeting.place)
    for name, value in changed.items():
        setattr(meeting, name, value)
    meeting.save()
    record("scheduling.meeting.moved", actor=actor, obj=meeting, changes=changes)
    if "starts_at" in changed:
        _remind_attendees(meeting)
    # Its attendees are told at once, by the worker (reminders.send_meeting_moved).
    from .reminders import enqueue_meeting_moved

    transaction.on_commit(lambda: enqueue_meeting_moved(meeting, *was))
    return meeting


@action(permission="mdt.manage", locks=["meeting"])
def cancel_meeting(
    *, actor: User, meeting: MdtMeeting, reason: Any, if_match: str | None = None
) -> MdtMeeting:
    """Call off a meeting not yet held, with the reason: its attendees are told at once by the
    worker (no patient named) and no reminder goes any more; it leaves the calendars; the
    patients on its agenda are due again on the coordinator's list of assessments, for another
    meeting. A meeting with a decision recorded was held: it stays (409)."""
    errors: dict[str, list[str]] = {}
    text = _reason(errors, reason, "Say why the meeting is cancelled.")
    if errors:
        raise ValidationError(errors)
    _not_cancelled(meeting)
    if meeting.agenda.filter(assessment__isnull=False).exists():
        raise Conflict(
            "This meeting has decisions recorded: it was held.",
            missing=[Missing("undecided", "Only a meeting with no decision yet is cancelled.", "")],
        )
    meeting.cancelled_at = timezone.now()
    meeting.cancelled_by = actor
    meeting.cancel_reason = text
    meeting.save()
    items = list(meeting.agenda.select_related("episode__patient"))
    record(
        "scheduling.meeting.cancelled",
        actor=actor,
        obj=meeting,
        changes={"cancelled": [False, True], "reason": [None, text], "agenda": len(items)},
    )
    for item in items:
        record(
            "scheduling.agenda.released",
            actor=actor,
            patient=item.episode.patient,
            obj=meeting,
            changes={"episode": str(item.episode.uuid)},
        )
    from .reminders import enqueue_meeting_cancelled

    transaction.on_commit(lambda: enqueue_meeting_cancelled(meeting))
    return meeting


@action(permission="mdt.manage", locks=["meeting"])
def set_attendees(
    *, actor: User, meeting: MdtMeeting, attendees: Any, if_match: str | None = None
) -> MdtMeeting:
    """Who attends (replacing the list). Decisions already made keep their own participants."""
    _not_cancelled(meeting)
    before = [str(a) for a in meeting.attendees.all()]
    clean = _clean_attendees(attendees, actor)
    _set_attendees(meeting, clean)
    meeting.save()
    record(
        "scheduling.meeting.attendees_set",
        actor=actor,
        obj=meeting,
        changes={"attendees": [before, _describe(clean)]},
    )
    _remind_attendees(meeting)
    return meeting


@action(permission="mdt.manage", locks=["meeting"])
def add_to_agenda(*, actor: User, meeting: MdtMeeting, episode: Episode) -> AgendaItem:
    """A patient's episode whose assessment is due, on the meeting's agenda (once)."""
    _not_cancelled(meeting)
    if not patients_for(actor).filter(pk=episode.patient_id).exists():
        raise ValidationError({"episode": ["Not a patient in your clinic's care."]})
    if episode.phase != Phase.ASSESSMENT:
        raise Conflict(
            "Only an episode in assessment goes on the MDT's agenda.",
            missing=[
                Missing(
                    "episode_in_assessment",
                    f"The episode is in {episode.get_phase_display()}, not assessment.",
                    "",
                )
            ],
        )
    if meeting.agenda.filter(episode=episode).exists():
        raise Conflict(
            "This patient is on the agenda already.",
            missing=[Missing("not_on_agenda", "Each episode is on a meeting's agenda once.", "")],
        )
    position = (
        meeting.agenda.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    item = AgendaItem.objects.create(
        meeting=meeting, episode=episode, position=position, added_by=actor
    )
    meeting.save()
    record(
        "scheduling.agenda.added",
        actor=actor,
        patient=episode.patient,
        obj=meeting,
        changes={"episode": [None, str(episode.uuid)]},
    )
    return item


@action(permission="mdt.manage", locks=["meeting"])
def remove_from_agenda(*, actor: User, meeting: MdtMeeting, item: AgendaItem) -> None:
    _not_cancelled(meeting)
    if item.meeting_id != meeting.pk:
        raise ValidationError({"item": ["Not on this meeting's agenda."]})
    if item.assessment_id is not None:
        raise Conflict(
            "A decided item stays on the agenda: it is the meeting's minute.",
            missing=[Missing("undecided", "Only an undecided item can be taken off.", "")],
        )
    patient = item.episode.patient
    item.delete()
    meeting.save()
    record(
        "scheduling.agenda.removed",
        actor=actor,
        patient=patient,
        obj=meeting,
        changes={"episode": [str(item.episode.uuid), None]},
    )


def _participants_from(meeting: MdtMeeting, present: Any) -> list[dict[str, Any]]:
    """The attendees present (their ids, or all when none are named) as the eligibility action's
    participants."""
    attendees = list(meeting.attendees.select_related("user"))
    if present:
        wanted = {str(p) for p in present}
        attendees = [a for a in attendees if str(a.pk) in wanted]
    return [
        {"user": a.user, "discipline": a.discipline}
        if a.user
        else {"name": a.name, "organisation": a.organisation, "discipline": a.discipline}
        for a in attendees
    ]


@action(permission="mdt.manage", locks=["meeting", "item"])
def decide(
    *, actor: User, meeting: MdtMeeting, item: AgendaItem, data: dict[str, Any]
) -> AgendaItem:
    """The MDT's decision on one agenda item, with the attendees present as its participants:
    recorded by the surgery app's eligibility action, whose composition rule (the clinic's
    required disciplines, NICE IPG270: docs/sources.md#nice-ipg270) and deciding-surgeon rule
    apply as they do to any assessment."""
    from osseo.surgery.actions import record_assessment

    if item.meeting_id != meeting.pk:
        raise ValidationError({"item": ["Not on this meeting's agenda."]})
    _not_cancelled(meeting)
    if item.assessment_id is not None:
        raise Conflict(
            "This patient's decision is recorded already.",
            missing=[Missing("undecided", "An agenda item is decided once.", "")],
        )
    values = {k: v for k, v in data.items() if k != "present"}
    values["participants"] = _participants_from(meeting, data.get("present"))
    # The decision is the meeting's: dated on its day (or today, when recorded ahead of it).
    values.setdefault(
        "assessed_on", min(timezone.localtime(meeting.starts_at).date(), timezone.localdate())
    )
    assessment = record_assessment(actor=actor, episode=item.episode, data=values)
    item.assessment = assessment
    item.save(update_fields=["assessment"])
    meeting.save()
    record(
        "scheduling.agenda.decided",
        actor=actor,
        patient=item.episode.patient,
        obj=meeting,
        changes={"decision": [None, assessment.decision]},
    )
    return item


# --- Appointments ------------------------------------------------------------------------------


def _minutes(errors: dict[str, list[str]], value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 5 <= value <= MAX_MINUTES:
        errors["minutes"] = [f"Enter a length from 5 to {MAX_MINUTES} minutes."]
        return 0
    return value


def _place(errors: dict[str, list[str]], value: Any) -> str:
    place = str(value or "").strip()
    if not place or len(place) > 200:
        errors["place"] = ["Say where (at most 200 characters)."]
    return place


def _clinician(
    errors: dict[str, list[str]], clinician: Any, organisation: Organisation
) -> User | None:
    """A member of the booking organisation's staff, active (not a patient)."""
    if (
        not isinstance(clinician, User)
        or not clinician.is_active
        or getattr(clinician, "membership", None) is None
        or clinician.membership.organisation_id != organisation.pk
        or clinician.membership.role == Role.PATIENT
    ):
        errors["clinician"] = ["Choose a clinician of your organisation."]
        return None
    return clinician


def _reason(errors: dict[str, list[str]], value: Any, why: str) -> str:
    reason = str(value or "").strip()
    if not reason:
        errors["reason"] = [why]
    elif len(reason) > 1000:
        errors["reason"] = ["At most 1000 characters."]
    return reason


def _still_booked(appointment: Appointment, move: str) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict(
            f"Only a booked appointment can be {move}.",
            missing=[Missing("booked", f"It is {appointment.get_status_display().lower()}.", "")],
        )


@action(permission="appointment.book")
def book_appointment(*, actor: User, patient: Patient, data: dict[str, Any]) -> Appointment:
    """A booking for the patient: kind, date and time, length, place and clinician; for a
    follow-up visit, the scheduled visit it is for and what is due at it."""
    from osseo.rehab.queries import clinic_of, schedule_for, surgery_date

    from .queries import follow_up_due

    if death_recorded(patient):
        raise Conflict(
            "This patient's death is recorded: no appointment is booked for them.",
            missing=[Missing("alive", "No death recorded for this patient", "")],
        )
    errors: dict[str, list[str]] = {}
    kind = data.get("kind")
    if kind not in AppointmentKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(AppointmentKind.values)}."]
    starts_at = _when(errors, "starts_at", data.get("starts_at"), patient)
    minutes = _minutes(errors, data.get("minutes") or 30)
    place = _place(errors, data.get("place"))
    organisation = _organisation(actor)
    clinician = _clinician(errors, data.get("clinician"), organisation)
    episode = data.get("episode")
    if episode is not None and episode.patient_id != patient.pk:
        errors["episode"] = ["Not one of this patient's episodes."]
    visit_due = data.get("visit_due")
    if visit_due is not None:
        # A scheduled visit's date (checked against the schedule below); first, one it can reach.
        visit_due = check_date(
            errors, "visit_due", visit_due, planned=True, years_ahead=MAX_YEARS_AHEAD
        )
    visit_label = ""
    due: list[dict[str, str]] = []
    if kind == AppointmentKind.FOLLOW_UP and not errors:
        if episode is None:
            errors["episode"] = ["A follow-up visit is for one treated limb's episode."]
        else:
            surgery = surgery_date(episode)
            if surgery is None:
                raise Conflict(
                    "This episode has no signed implantation to follow up from.",
                    missing=[
                        Missing(
                            "signed_implantation",
                            "A signed operative record of the implantation",
                            "docs/sources.md#follow-up-schedule",
                        )
                    ],
                )
            horizon = max(visit_due or surgery, starts_at.date() if starts_at else surgery)
            schedule = schedule_for(
                episode, surgery, clinic_of(patient), horizon + dt.timedelta(days=400)
            )
            visit = next((v for v in schedule if v.due == visit_due), None)
            if visit_due is None:
                errors["visit_due"] = ["Choose the scheduled visit this booking is for."]
            elif visit is None:
                errors["visit_due"] = [
                    "Not a visit of the clinic's follow-up schedule for this limb: "
                    + ", ".join(f"{v.label} ({v.due:%-d %b %Y})" for v in schedule[:6])
                    + "."
                ]
            else:
                visit_label = visit.label
                due = follow_up_due(patient, episode, clinic_of(patient))
    if errors:
        raise ValidationError(errors)
    assert starts_at is not None and clinician is not None and isinstance(kind, str)
    appointment = Appointment.objects.create(
        organisation=organisation,
        patient=patient,
        episode=episode,
        kind=kind,
        starts_at=starts_at,
        minutes=minutes,
        place=place,
        clinician=clinician,
        visit_due=visit_due if visit_label else None,
        visit_label=visit_label,
        due=due,
        booked_by=actor,
    )
    record(
        "scheduling.appointment.booked",
        actor=actor,
        patient=patient,
        obj=appointment,
        changes={
            "kind": [None, kind],
            "starts_at": [None, starts_at.isoformat()],
            "clinician": [None, clinician.username],
            "visit_due": [None, str(visit_due) if visit_label else None],
        },
    )
    from .reminders import enqueue_reminders

    transaction.on_commit(lambda: enqueue_reminders(appointment))
    return appointment


@action(permission="appointment.book", locks=["appointment"])
def record_appointment(
    *,
    actor: User,
    appointment: Appointment,
    data: dict[str, Any],
    if_match: str | None = None,
) -> Appointment:
    """What became of a booking: held (with what of its due items was done, and notes), missed,
    or cancelled. A follow-up visit held is recorded as the scheduled visit it was for."""
    from osseo.rehab.actions import record_follow_up

    status = data.get("status")
    errors: dict[str, list[str]] = {}
    if status not in (
        AppointmentStatus.DONE,
        AppointmentStatus.MISSED,
        AppointmentStatus.CANCELLED,
    ):
        errors["status"] = ["Choose done, missed or cancelled."]
    done = list(data.get("done") or [])
    codes = [d["code"] for d in appointment.due]
    if any(c not in codes for c in done):
        errors["done"] = [f"Only what was due: {', '.join(codes) or 'nothing'}."]
    if errors:
        raise ValidationError(errors)
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict(
            "This appointment's outcome is recorded already.",
            missing=[Missing("booked", f"It is {appointment.get_status_display().lower()}.", "")],
        )
    held_on = timezone.localtime(appointment.starts_at).date()
    if status != AppointmentStatus.CANCELLED and held_on > timezone.localdate():
        raise Conflict(
            "An appointment is recorded as held or missed once its day has come.",
            missing=[Missing("day_come", f"It is on {held_on:%-d %b %Y}.", "")],
        )
    notes = str(data.get("notes") or "")
    before = appointment.status
    old = (appointment.starts_at, appointment.place, appointment.clinician_id)
    appointment.status = str(status)
    appointment.done = [c for c in codes if c in done] if status == AppointmentStatus.DONE else []
    appointment.outcome_notes = notes
    if status == AppointmentStatus.CANCELLED:
        appointment.cancel_reason = notes
    appointment.save()
    if (
        status == AppointmentStatus.DONE
        and appointment.kind == AppointmentKind.FOLLOW_UP
        and appointment.episode is not None
        and appointment.visit_due is not None
    ):
        from osseo.rehab.models import FollowUp

        if not FollowUp.objects.filter(
            episode=appointment.episode, due_date=appointment.visit_due
        ).exists():
            record_follow_up(
                actor=actor,
                episode=appointment.episode,
                due_date=appointment.visit_due,
                done_on=held_on,
                notes=notes,
            )
    record(
        "scheduling.appointment.recorded",
        actor=actor,
        patient=appointment.patient,
        obj=appointment,
        changes={"status": [before, status], "done": [None, appointment.done]},
    )
    if status == AppointmentStatus.CANCELLED:
        from .reminders import enqueue_notice

        transaction.on_commit(lambda: enqueue_notice(appointment, "cancelled", *old))
    return appointment


@action(permission="appointment.book", locks=["appointment"])
def reschedule_appointment(
    *,
    actor: User,
    appointment: Appointment,
    data: dict[str, Any],
    if_match: str | None = None,
) -> Appointment:
    """Move a booked appointment, with the reason: a new date and time, length, place or
    clinician (those `data` names; the others stay). Its reminders follow the new time (one
    already sent went for the old time), and the calendars' event is the same one, changed
    (its sequence is the appointment's version). A follow-up visit stays the visit it is for."""
    errors: dict[str, list[str]] = {}
    reason = _reason(errors, data.get("reason"), "Say why the appointment moves.")
    new: dict[str, Any] = {}
    if "starts_at" in data:
        new["starts_at"] = _when(errors, "starts_at", data["starts_at"], appointment.patient)
    if "minutes" in data:
        new["minutes"] = _minutes(errors, data["minutes"])
    if "place" in data:
        new["place"] = _place(errors, data["place"])
    if "clinician" in data:
        new["clinician"] = _clinician(errors, data["clinician"], appointment.organisation)
    changed = {k: v for k, v in new.items() if v != getattr(appointment, k)}
    if not errors and not changed:
        errors["starts_at"] = ["Change the date and time, the length, the place or the clinician."]
    if errors:
        raise ValidationError(errors)
    _still_booked(appointment, "moved")

    def shown(name: str, value: Any) -> Any:
        if name == "starts_at":
            return value.isoformat()
        return value.username if name == "clinician" else value

    changes: dict[str, Any] = {
        k: [shown(k, getattr(appointment, k)), shown(k, v)] for k, v in changed.items()
    }
    old = (appointment.starts_at, appointment.place, appointment.clinician_id)
    for name, value in changed.items():
        setattr(appointment, name, value)
    appointment.save()
    record(
        "scheduling.appointment.rescheduled",
        actor=actor,
        patient=appointment.patient,
        obj=appointment,
        changes={**changes, "reason": [None, reason]},
    )
    from .reminders import enqueue_notice, enqueue_reminders

    if "starts_at" in changed:
        transaction.on_commit(lambda: enqueue_reminders(appointment))
    # The patient and the clinicians are told at once, by the worker (reminders.send_notice).
    transaction.on_commit(lambda: enqueue_notice(appointment, "moved", *old))
    return appointment


@action(permission="appointment.book", locks=["appointment"])
def cancel_appointment(
    *, actor: User, appointment: Appointment, reason: Any, if_match: str | None = None
) -> Appointment:
    """Cancel a booked appointment, with the reason (by the clinic or at the patient's asking):
    no reminder goes for it any more, it leaves the calendars, and a follow-up visit it was for
    is proposed for booking again."""
    errors: dict[str, list[str]] = {}
    text = _reason(errors, reason, "Say why the appointment is cancelled.")
    if errors:
        raise ValidationError(errors)
    _still_booked(appointment, "cancelled")
    _cancel(actor, appointment, text)
    return appointment


def _cancel(actor: User, appointment: Appointment, reason: str) -> None:
    """Cancel a booked appointment, audited, and queue the notice of it to its patient and
    clinician once the change commits (reminders.send_notice decides who is told)."""
    from .reminders import enqueue_notice

    old = (appointment.starts_at, appointment.place, appointment.clinician_id)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancel_reason = reason
    appointment.save()
    record(
        "scheduling.appointment.cancelled",
        actor=actor,
        patient=appointment.patient,
        obj=appointment,
        changes={
            "status": [AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED],
            "reason": [None, reason],
        },
    )
    transaction.on_commit(lambda: enqueue_notice(appointment, "cancelled", *old))


def _death_recorded(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """A patient's death saved (complications.Death, by complications.actions.record_death):
    their appointments to come are cancelled in the same transaction (connected in apps.py: the
    complications app sits below scheduling and does not import it)."""
    if created and not kwargs.get("raw"):
        _cancel_on_death(
            actor=instance.recorded_by, patient=instance.patient, died_on=instance.died_on
        )


def _cancel_on_death(*, actor: User, patient: Patient, died_on: dt.date) -> int:
    """Part of recording a patient's death (inside record_death's transaction and under its
    permission): each appointment still booked for them from the day of death on is cancelled,
    audited, and its clinician told (no patient named; nothing goes to the patient's address).
    How many were cancelled."""
    local = timezone.get_current_timezone()
    since = dt.datetime.combine(died_on, dt.time.min, tzinfo=local)
    booked = Appointment.objects.select_for_update().filter(
        patient=patient, status=AppointmentStatus.BOOKED, starts_at__gte=since
    )
    count = 0
    for appointment in booked:
        _cancel(actor, appointment, "The patient has died.")
        count += 1
    return count


# --- Calendar feeds ----------------------------------------------------------------------------


@action(permission="calendar.subscribe")
def issue_calendar_feed(*, actor: User) -> tuple[CalendarFeed, str]:
    """A new secret calendar address for the actor (the token is shown once; only its hash is
    kept). Any earlier feed of theirs stays until revoked."""
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=actor, token_hash=token_hash(token))
    record("scheduling.calendar.issued", actor=actor, obj=feed)
    return feed, token


@action(permission="calendar.subscribe", locks=["feed"])
def revoke_calendar_feed(*, actor: User, feed: CalendarFeed) -> CalendarFeed:
    if feed.user_id != actor.pk:
        raise ValidationError({"feed": ["Not your calendar feed."]})
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        record("scheduling.calendar.revoked", actor=actor, obj=feed)
    return feed
