"""The clinic's week (issue 22): MDT meetings with their attendees and agenda, appointments
booked for patients with what is due at them, the reminders sent, and calendar feeds."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from osseo.contract import Versioned


class MdtMeeting(Versioned):
    """A meeting of the multidisciplinary team that decides eligibility
    (docs/sources.md#nice-ipg270). Versioned: its attendees and agenda change until it is held."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Called off before it was held: when, by whom and why (its agenda's patients are due again).
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"MDT meeting {self.starts_at:%Y-%m-%d %H:%M}"


class Attendee(models.Model):
    """One person at the meeting: a user of the clinic or its partner, or a named outside
    professional with their organisation; each with the discipline they attend in."""

    meeting = models.ForeignKey(MdtMeeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200, blank=True)  # an outside professional's
    organisation = models.CharField(max_length=200, blank=True)  # an outside professional's
    discipline = models.CharField(max_length=40)  # accounts.disciplines.Discipline

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.who} ({self.discipline_label})"

    @property
    def who(self) -> str:
        return (self.user.get_full_name() or self.user.username) if self.user else self.name

    @property
    def discipline_label(self) -> str:
        from osseo.accounts.disciplines import Discipline

        return (
            str(Discipline(self.discipline).label)
            if self.discipline in Discipline.values
            else self.discipline
        )


class AgendaItem(models.Model):
    """A patient's episode on the meeting's agenda; its decision once the MDT has made it."""

    meeting = models.ForeignKey(MdtMeeting, on_delete=models.CASCADE, related_name="agenda")
    episode = models.ForeignKey("pathway.Episode", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    assessment = models.OneToOneField(
        "surgery.Assessment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "episode"], name="agenda_episode_once")
        ]

    def __str__(self) -> str:
        return f"Agenda item {self.position}"


class AppointmentKind(models.TextChoices):
    FOLLOW_UP = "follow_up", "Follow-up visit"
    REHAB = "rehab", "Rehabilitation session"
    CONNECTOR_SERVICE = "connector_service", "Connector service"
    MDT = "mdt", "MDT appointment"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"  # to come
    DONE = "done", "Held"  # held; what was done is recorded
    CANCELLED = "cancelled", "Cancelled"  # by the clinic or the patient, before it was held
    MISSED = "missed", "Did not attend"  # the patient did not come


class Appointment(Versioned):
    """A booking for a patient: when, where, with whom, of what kind; a follow-up carries what is
    due at it (from the clinic's schedules, with their sources) and records what was done."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments"
    )
    episode = models.ForeignKey(
        "pathway.Episode", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(default=30)
    place = models.CharField(max_length=200)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # A follow-up visit: the scheduled date it is for (rehab.FollowUp.due_date) and its label.
    visit_due = models.DateField(null=True, blank=True)
    visit_label = models.CharField(max_length=40, blank=True)
    # What is due at it, as [{"code", "label", "source"}], fixed when booked.
    due = models.JSONField(default=list, blank=True)
    done = models.JSONField(default=list, blank=True)  # the codes of `due` that were done
    outcome_notes = models.TextField(blank=True)
    cancel_reason = models.TextField(blank=True)  # why it was cancelled, when it was
    status = models.CharField(
        max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"


class ReminderKind(models.TextChoices):
    DAY_BEFORE = "day_before", "The day before"
    LEAD = "lead", "At the clinic's lead time"


class Reminder(models.Model):
    """A reminder e-mail sent (once per appointment, recipient, kind and time it reminds of: the
    worker is idempotent, and an appointment moved to a new time is reminded of again). Holds no
    text: the mail's wording is built when it is sent."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    to_patient = models.BooleanField()  # else to the clinician
    starts_at = models.DateTimeField()  # the appointment's time it reminded of
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "kind", "to_patient", "starts_at"], name="reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"Reminder {self.kind} for {self.appointment_id}"


class NoticeKind(models.TextChoices):
    MOVED = "moved", "Appointment moved"
    CANCELLED = "cancelled", "Appointment cancelled"


class AppointmentNotice(models.Model):
    """An e-mail sent at once when a booked appointment is moved or cancelled: to the patient
    (no clinical detail) and to each clinician concerned (no patient named), once per change (the
    appointment's version after it) and recipient. Holds no text, as a `Reminder` holds none."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=12, choices=NoticeKind.choices)
    version = models.PositiveIntegerField()  # the appointment's version the change made
    to_patient = models.BooleanField()
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )  # the clinician it went to, when not to the patient
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "version"],
                condition=models.Q(to_patient=True),
                name="notice_to_patient_once",
            ),
            models.UniqueConstraint(
                fields=["appointment", "version", "clinician"],
                condition=models.Q(to_patient=False),
                name="notice_to_clinician_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Notice {self.kind} for {self.appointment_id}"


class MeetingMailKind(models.TextChoices):
    DAY_BEFORE = "day_before", "The day before"
    LEAD = "lead", "At the clinic's lead time"
    CANCELLED = "cancelled", "The meeting is cancelled"
    MOVED = "moved", "The meeting has moved"


class MeetingReminder(models.Model):
    """A reminder e-mail of an MDT meeting sent to one attendee who is a user, or the notice that
    it is cancelled (once per meeting, attendee, kind and time reminded of). Holds no text, and
    the mail names no patient."""

    meeting = models.ForeignKey(MdtMeeting, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=MeetingMailKind.choices)
    starts_at = models.DateTimeField()  # the meeting's time it reminded of
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user", "kind", "starts_at"], name="meeting_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"Meeting reminder {self.kind} for {self.meeting_id}"


class CalendarFeed(models.Model):
    """A user's iCalendar subscription: the secret is shown once, only its hash is kept."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"
