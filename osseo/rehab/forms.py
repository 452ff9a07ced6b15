from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from osseo.patients.forms import DateInput
from osseo.patients.sites import PROFILES
from osseo.typed import SchemaForm

from .models import FunctionTestKind, WalkingAid
from .schemas import (
    FollowUpIn,
    FunctionTestIn,
    LogCorrectionIn,
    LogIn,
    ReferralIn,
    RehabPlanIn,
    WithdrawalIn,
)


class ReferralForm(SchemaForm):
    schema = ReferralIn

    organisation = forms.ChoiceField(
        label="Rehabilitation partner",
        error_messages={
            "invalid_choice": "Choose one of your clinic's rehabilitation partners; a clinic "
            "administrator adds partners on the partners screen.",
        },
    )
    protocol = forms.ChoiceField(label="Loading protocol", required=False)
    note = forms.CharField(
        label="Note for the partner",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(SchemaForm):
    schema = WithdrawalIn

    reason = forms.CharField(label="Why is the referral withdrawn?", max_length=2000)


class PlanForm(SchemaForm):
    schema = RehabPlanIn

    limb = forms.ChoiceField(label="Treated limb")
    protocol = forms.ChoiceField(label="Loading protocol")
    start_date = forms.DateField(label="Start date (day 1)", widget=DateInput)
    body_weight_kg = forms.DecimalField(
        label="Body weight (kg)",
        min_value=20,
        max_value=400,
        decimal_places=1,
        required=False,
        help_text="Needed when the programme's targets are in % body weight.",
    )


class LogForm(SchemaForm):
    schema = LogIn

    date = forms.DateField(widget=DateInput)
    applied_kg = forms.DecimalField(
        label="Load applied (kg)", min_value=0, max_value=400, decimal_places=1, required=False
    )
    pain_nrs = forms.IntegerField(
        label="Pain (NRS 0-10)", min_value=0, max_value=10, help_text="0 = no pain, 10 = worst"
    )
    walking_aid = forms.ChoiceField(
        label="Walking aid", required=False, choices=[("", "Not recorded"), *WalkingAid.choices]
    )
    wear_hours = forms.DecimalField(
        label="Prosthesis worn (hours)", required=False, min_value=0, max_value=24, decimal_places=1
    )
    minutes = forms.IntegerField(
        label="Loading exercise (minutes)", required=False, min_value=0, max_value=1440
    )

    def fit(self, plan: Any) -> LogForm:
        """The fields of `plan`'s measure: its amount required (load, wear hours or minutes), the
        load only in a load programme, the minutes only in a programme in minutes, the walking
        aid only for a lower limb (the site profile, osseo/patients/sites.py)."""
        wanted = {"load": "applied_kg", "wear_hours": "wear_hours", "minutes": "minutes"}[
            plan.measure
        ]
        for name in ("applied_kg", "wear_hours", "minutes"):
            if name in self.fields:
                self.fields[name].required = name == wanted
        if plan.measure != "minutes":
            self.fields.pop("minutes", None)
        if plan.measure != "load":
            self.fields.pop("applied_kg", None)
        if plan.limb is not None and not PROFILES[plan.limb.site].lower_limb:
            self.fields.pop("walking_aid", None)
        return self


class LogCorrectionForm(SchemaForm):
    """Its author corrects a logged day (the date stays): the values as they should have been,
    and why (the API's `POST /load-logs/{id}/correction`)."""

    schema = LogCorrectionIn

    applied_kg = LogForm.base_fields["applied_kg"]
    pain_nrs = LogForm.base_fields["pain_nrs"]
    walking_aid = LogForm.base_fields["walking_aid"]
    wear_hours = LogForm.base_fields["wear_hours"]
    minutes = LogForm.base_fields["minutes"]
    reason = forms.CharField(
        label="Why is the log corrected?", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FunctionTestForm(SchemaForm):
    schema = FunctionTestIn

    kind = forms.ChoiceField(label="Test", choices=FunctionTestKind.choices)
    performed_on = forms.DateField(label="Date", widget=DateInput)
    value = forms.DecimalField(
        label="Result",
        decimal_places=1,
        min_value=0,
        help_text="6MWT in metres, TUG in seconds, K-level 0-4, wear in hours per day",
    )
    notes = forms.CharField(required=False, max_length=5000)


class FollowUpForm(SchemaForm):
    schema = FollowUpIn

    due_date = forms.DateField(widget=forms.HiddenInput)
    done_on = forms.DateField(label="Seen on", widget=DateInput)


# The fields of the settings form that hold each rehabilitation setting.
SETTING_FIELDS = {
    "rehab_under_loading_percent": (
        "under_loading_percent",
        "thresholds_source",
        "thresholds_validated",
    ),
    "rehab_over_loading_percent": (
        "over_loading_percent",
        "thresholds_source",
        "thresholds_validated",
    ),
    "follow_up_schedule": (
        "schedule_months",
        "schedule_every",
        "schedule_source",
        "schedule_validated",
    ),
    "stoma_care_instructions": ("stoma_care_instructions",),
}


class SettingsForm(forms.Form):
    """The clinic's rehabilitation settings. Each field carries the value it showed when the form
    was opened (`show_hidden_initial`, as osseo/editing.py's forms do), so that a save writes only
    the settings this user changed, over a colleague's change made since to other fields, and a
    colleague's change to the same field is shown instead of overwritten."""

    under_loading_percent = forms.DecimalField(
        label="Under-loading: applied load below the prescription by more than (%)",
        min_value=0,
        max_value=100,
        decimal_places=1,
    )
    over_loading_percent = forms.DecimalField(
        label="Over-loading: applied load above the prescription by more than (%)",
        min_value=0,
        max_value=100,
        decimal_places=1,
    )
    thresholds_source = forms.CharField(
        label="Source of the thresholds", required=False, max_length=300
    )
    thresholds_validated = forms.BooleanField(label="The thresholds are validated", required=False)
    schedule_months = forms.CharField(
        label="Follow-up visits (months after surgery)",
        max_length=100,
        help_text="Separate with commas, e.g. 3, 6, 12",
    )
    schedule_every = forms.IntegerField(
        label="Then every (months)", min_value=0, max_value=120, help_text="0 = no repeat"
    )
    schedule_source = forms.CharField(
        label="Source of the schedule", required=False, max_length=300
    )
    schedule_validated = forms.BooleanField(label="The schedule is validated", required=False)
    stoma_care_instructions = forms.CharField(
        label="Stoma-care instructions (your clinic's own text)",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = True

    def clean_schedule_months(self) -> list[int]:
        raw = self.cleaned_data["schedule_months"]
        try:
            return [int(p) for p in raw.replace(";", ",").split(",") if p.strip()]
        except ValueError as exc:
            raise forms.ValidationError("Enter whole months separated by commas.") from exc

    def as_sent(self, name: str, value: Any) -> str:
        """A value as the form sends it (the text of its input)."""
        field = self.fields[name]
        return str(field.hidden_widget().format_value(field.prepare_value(value)) or "")

    def _python(self, name: str, raw: Any) -> Any:
        try:
            value = self.fields[name].to_python(raw)
        except forms.ValidationError:
            return raw
        return "" if value is None else value

    def changed_since_opened(self, now: dict[str, Any]) -> list[str]:
        """The fields whose value now differs from the value shown when the form was opened
        (none when the form was sent without the values it showed)."""
        out = []
        for name, field in self.fields.items():
            key = self.add_initial_prefix(name)
            if key not in self.data:
                continue
            opened = field.hidden_widget().value_from_datadict(self.data, self.files, key)
            if self._python(name, opened) != self._python(name, self.as_sent(name, now[name])):
                out.append(name)
        return out

    def settings_changed(self) -> list[str]:
        """The settings whose fields this user changed."""
        return [k for k, names in SETTING_FIELDS.items() if set(names) & set(self.changed_data)]

    def over(self, now: dict[str, Any]) -> SettingsForm:
        """This user's changes over the settings as they are now: the form they would have sent
        had they opened it now."""
        data = QueryDict(mutable=True)
        for name in self.fields:
            if name in self.changed_data:
                data.setlist(name, self.data.getlist(name))  # type: ignore[attr-defined]
            else:
                data[name] = self.as_sent(name, now[name])
        return SettingsForm(data, initial=now)

    def show_colleague_changes(
        self, now: dict[str, Any], theirs: list[str], clash: list[str], who: str
    ) -> None:
        """Move the form to the settings as they are now, keeping this user's values: the fields
        only the colleague changed show theirs; those both changed keep this user's, marked."""
        opened = {n: self.data.get(self.add_initial_prefix(n), "") for n in clash}
        mine = set(self.changed_data)
        data = self.data.copy()  # type: ignore[attr-defined]
        for name in self.fields:
            data[self.add_initial_prefix(name)] = self.as_sent(name, now[name])
            if name in theirs and name not in mine:
                data[name] = self.as_sent(name, now[name])
        self.data = data
        self._errors = None  # type: ignore[assignment]
        self.full_clean()
        for name in clash:
            was, is_now = _words(opened[name]), _words(self.as_sent(name, now[name]))
            self.add_error(
                name,
                f"Changed by someone else since you opened this form{who}: it was {was}, it is "
                f"now {is_now}. Your value is still here; save again to replace theirs, or "
                "change it back.",
            )


def _words(sent: str) -> str:
    return {"": "(empty)", "True": "ticked", "False": "not ticked"}.get(sent, sent)


class SheetForm(forms.Form):
    title = forms.CharField(max_length=200)
    file = forms.FileField(label="PDF file", help_text="A PDF of at most 5 MB")
