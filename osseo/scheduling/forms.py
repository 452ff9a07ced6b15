"""The forms of the clinic's week; each hands the action the same values the API does."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from osseo.accounts.disciplines import Discipline
from osseo.patients.forms import DateInput
from osseo.surgery.models import Decision

from .models import AppointmentKind, AppointmentStatus


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


class MeetingForm(forms.Form):
    day = forms.DateField(label="Date", widget=DateInput)
    time = forms.TimeField(label="Start time", widget=TimeInput)
    place = forms.CharField(max_length=200, required=False, label="Place or video link")

    def action_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"starts_at": _aware(data["day"], data["time"]), "place": data["place"]}


class ColleagueForm(forms.Form):
    """A colleague attending, in one of the disciplines their role allows."""

    user = forms.ChoiceField(label="Colleague")
    discipline = forms.ChoiceField(choices=Discipline.choices, label="Attends as")

    def __init__(self, *args: Any, colleagues: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [  # type: ignore[attr-defined]
            (str(u.uuid), f"{u.get_full_name() or u.username} ({u.membership.get_role_display()})")
            for u in colleagues
        ]


class OutsideForm(forms.Form):
    """An outside professional attending: name, organisation and discipline."""

    name = forms.CharField(max_length=200)
    organisation = forms.CharField(max_length=200)
    discipline = forms.ChoiceField(choices=Discipline.choices, label="Attends as")


class AgendaForm(forms.Form):
    episode = forms.ChoiceField(label="Patient whose assessment is due")

    def __init__(self, *args: Any, episodes: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["episode"].choices = [  # type: ignore[attr-defined]
            (str(e.uuid), f"{e.patient.display_name}, {e.limb}") for e in episodes
        ]


class DecisionForm(forms.Form):
    """One agenda item's decision, with who of the attendees was present for it."""

    present = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, label="Present for this decision"
    )
    decision = forms.ChoiceField(
        choices=Decision.choices, widget=forms.RadioSelect, label="Decision"
    )
    decided_by = forms.ChoiceField(label="Deciding surgeon")
    decision_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
        label="Reasons",
    )

    def __init__(self, *args: Any, attendees: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [  # type: ignore[attr-defined]
            (str(a.pk), str(a.user.get_full_name() or a.user.username) if a.user else a.name)
            for a in attendees
        ]
        self.fields["decided_by"].choices = [("", "Choose")] + [  # type: ignore[attr-defined]
            (str(a.user.uuid), a.user.get_full_name() or a.user.username)
            for a in attendees
            if a.user is not None and a.discipline == "surgeon"
        ]
        self.initial.setdefault("present", [str(a.pk) for a in attendees])

    def action_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "present": data["present"],
            "decision": data["decision"],
            "decided_by": data["decided_by"],
            "decision_reason": data["decision_reason"],
        }


class AppointmentForm(forms.Form):
    kind = forms.ChoiceField(choices=AppointmentKind.choices)
    day = forms.DateField(label="Date", widget=DateInput)
    time = forms.TimeField(label="Time", widget=TimeInput)
    minutes = forms.IntegerField(min_value=5, max_value=480, initial=30, label="Length (minutes)")
    place = forms.CharField(max_length=200)
    clinician = forms.ChoiceField()
    visit = forms.ChoiceField(required=False, label="Follow-up visit it is for")

    def __init__(
        self, *args: Any, clinicians: list[Any], visits: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].choices = [  # type: ignore[attr-defined]
            (str(u.uuid), f"{u.get_full_name() or u.username} ({u.membership.get_role_display()})")
            for u in clinicians
        ]
        self.fields["visit"].choices = [("", "Not a follow-up visit"), *visits]  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    """A booked appointment moved: its date, time, length, place and clinician as they are to
    be, and why (the action changes those that differ)."""

    day = forms.DateField(label="New date", widget=DateInput)
    time = forms.TimeField(label="New time", widget=TimeInput)
    minutes = forms.IntegerField(min_value=5, max_value=480, label="Length (minutes)")
    place = forms.CharField(max_length=200)
    clinician = forms.ChoiceField()
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, label="Why it moves"
    )

    def __init__(self, *args: Any, clinicians: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinicians = clinicians
        self.fields["clinician"].choices = [  # type: ignore[attr-defined]
            (str(u.uuid), f"{u.get_full_name() or u.username} ({u.membership.get_role_display()})")
            for u in clinicians
        ]

    @staticmethod
    def initial_for(appointment: Any) -> dict[str, Any]:
        local = timezone.localtime(appointment.starts_at)
        return {
            "day": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "minutes": appointment.minutes,
            "place": appointment.place,
            "clinician": str(appointment.clinician.uuid),
        }

    def action_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "starts_at": _aware(data["day"], data["time"]),
            "minutes": data["minutes"],
            "place": data["place"],
            "clinician": next(c for c in self.clinicians if str(c.uuid) == data["clinician"]),
            "reason": data["reason"],
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, label="Why it is cancelled"
    )


class OutcomeForm(forms.Form):
    # Cancelling is its own form, with its reason (CancelForm).
    status = forms.ChoiceField(
        choices=[
            (s, label) for s, label in AppointmentStatus.choices if s not in ("booked", "cancelled")
        ],
        widget=forms.RadioSelect,
        label="What happened",
    )
    done = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, required=False, label="Done at the visit"
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )

    def __init__(self, *args: Any, due: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["done"].choices = [(d["code"], d["label"]) for d in due]  # type: ignore[attr-defined]
        if not due:
            del self.fields["done"]  # nothing was due at it: nothing to tick
