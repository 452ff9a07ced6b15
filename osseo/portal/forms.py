"""The public enquiry form (plain words, phone-friendly inputs) and the coordinator's forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from osseo.editing import VersionedForm
from osseo.patients.forms import DateInput
from osseo.patients.models import Cause, Sex, Side, Site
from osseo.typed import SchemaForm

from .schemas import ConversionIn, EnquiryIn, NoteIn, StatusIn
from .validation import ENQUIRY_FIELDS, LIMITS, NOTE_LIMIT, REASON_LIMIT, check_enquiry

# The foundation's codes, in words an enquirer uses.
PUBLIC_SITES = [
    ("", "Choose…"),
    (Site.FEMUR, "Leg, above the knee (thigh)"),
    (Site.TIBIA, "Leg, below the knee"),
    (Site.HUMERUS, "Arm, above the elbow"),
    (Site.RADIUS_ULNA, "Arm, below the elbow (forearm)"),
    (Site.HAND, "Hand or fingers"),
    (Site.CRANIOFACIAL, "Head or face (ear, eye, nose or jaw)"),
]
PUBLIC_SIDES = [
    ("", "Choose…"),
    (Side.LEFT, "Left"),
    (Side.RIGHT, "Right"),
    (Side.NOT_APPLICABLE, "Neither (middle of the head or face)"),
]
PUBLIC_CAUSES = [
    ("", "Prefer not to say, or not sure"),
    (Cause.TRAUMA, "An injury or accident"),
    (Cause.TUMOUR, "Cancer or a tumour"),
    (Cause.VASCULAR, "Circulation problems (vascular disease)"),
    (Cause.INFECTION, "An infection"),
    (Cause.CONGENITAL, "Born with a limb difference"),
    (Cause.OTHER, "Something else"),
]


def _text(limit: int, **attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"maxlength": limit, **attrs})


def _area(limit: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": 4, "maxlength": limit})


class EnquiryForm(SchemaForm):
    """What the enquirer tells us; the rules themselves are `validation.check_enquiry`'s."""

    schema = EnquiryIn

    name = forms.CharField(
        label="Your name",
        max_length=LIMITS["name"],
        widget=_text(LIMITS["name"], autocomplete="name"),
        error_messages={"required": "Enter your name."},
    )
    email = forms.CharField(
        label="Email address",
        required=False,
        max_length=LIMITS["email"],
        help_text="Give an email address, a phone number, or both.",
        widget=forms.EmailInput(
            attrs={"maxlength": LIMITS["email"], "autocomplete": "email", "spellcheck": "false"}
        ),
    )
    phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=LIMITS["phone"],
        widget=forms.TextInput(
            attrs={"type": "tel", "maxlength": LIMITS["phone"], "autocomplete": "tel"}
        ),
    )
    site = forms.ChoiceField(
        label="Which limb, or where?",
        choices=PUBLIC_SITES,
        error_messages={"required": "Choose where the amputation or limb difference is."},
    )
    side = forms.ChoiceField(
        label="Which side?",
        choices=PUBLIC_SIDES,
        error_messages={"required": "Choose the side."},
    )
    amputation_year = forms.IntegerField(
        label="Year of the amputation",
        required=False,
        help_text="Four digits, like 2015. Leave it empty if you were born with a limb difference.",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "maxlength": 4, "autocomplete": "off"}
        ),
        error_messages={"invalid": "Enter a year as four digits, like 2015."},
    )
    cause = forms.ChoiceField(label="What caused it?", choices=PUBLIC_CAUSES, required=False)
    prosthesis_problems = forms.CharField(
        label="Your prosthesis now, and any problems with it",
        required=False,
        max_length=LIMITS["prosthesis_problems"],
        help_text="For example: socket pain, skin problems, the socket slipping, or no prosthesis.",
        widget=_area(LIMITS["prosthesis_problems"]),
    )
    heard_from = forms.CharField(
        label="How did you hear about us?",
        required=False,
        max_length=LIMITS["heard_from"],
        help_text="For example: your limb centre, your GP, a charity or another patient.",
        widget=_text(LIMITS["heard_from"]),
    )
    message = forms.CharField(
        label="Anything else you would like to tell us or ask",
        required=False,
        max_length=LIMITS["message"],
        widget=_area(LIMITS["message"]),
    )
    consent = forms.BooleanField(required=False)
    # The honeypot: hidden from people (and from screen readers); robots fill it in.
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, retention_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = (
            "I agree to the clinic contacting me about my enquiry, and to it keeping what I "
            f"have written here for {retention_days} days."
        )

    def clean(self) -> dict[str, Any]:
        """Apply the enquiry rules too, so every field's problem shows at once."""
        cleaned = super().clean() or {}
        values: dict[str, Any] = {name: cleaned.get(name) for name in ENQUIRY_FIELDS}
        values["consent"] = bool(cleaned.get("consent"))
        try:
            check_enquiry(values)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field not in self.errors:
                    self.add_error(field, messages)
        return cleaned

    def is_trapped(self) -> bool:
        """A robot filled in the hidden field."""
        return bool(self.data.get("website", ""))


class NoteForm(SchemaForm):
    schema = NoteIn

    text = forms.CharField(
        label="Add a note",
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_LIMIT}),
    )


class StatusForm(SchemaForm):
    schema = StatusIn

    status = forms.ChoiceField(label="Change status to")
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=REASON_LIMIT,
        help_text="Required when closing: for example, not eligible, or they chose not to go on.",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": REASON_LIMIT}),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = choices  # type: ignore[attr-defined]


class ConversionForm(SchemaForm):
    """A patient needs more than an enquiry holds: the coordinator confirms or adds it."""

    schema = ConversionIn

    given_name = forms.CharField(max_length=100, label="Given name")
    family_name = forms.CharField(max_length=100, label="Family name")
    birth_date = forms.DateField(label="Date of birth", widget=DateInput)
    sex = forms.ChoiceField(choices=[("", "Choose…"), *Sex.choices])
    nhs_number = forms.CharField(
        max_length=14, required=False, label="NHS number", help_text="10 digits, if known"
    )
    record_number = forms.CharField(max_length=40, required=False, label="Local record number")
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    site = forms.ChoiceField(choices=Site.choices)
    side = forms.ChoiceField(choices=Side.choices)
    amputation_date = forms.DateField(
        required=False,
        label="Amputation date",
        widget=DateInput,
        help_text="The enquiry gives the year only: confirm the date with the patient.",
    )
    cause = forms.ChoiceField(choices=[("", "Choose…"), *Cause.choices])
    link_to = forms.ChoiceField(
        label="Possible patients already on record",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the patient to link to, or a new patient."},
    )

    PATIENT = ("given_name", "family_name", "birth_date", "sex", "nhs_number", "record_number")
    LIMB = ("site", "side", "amputation_date", "cause")

    def __init__(self, *args: Any, duplicates: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.duplicates = duplicates or []
        if self.duplicates:
            self.fields["link_to"].required = True
            self.fields["link_to"].choices = [  # type: ignore[attr-defined]
                *[
                    (
                        str(p.uuid),
                        f"Link to {p.display_name}, born {p.birth_date:%d %b %Y}"
                        + (f", NHS {p.nhs_number_display}" if p.nhs_number else ""),
                    )
                    for p in self.duplicates
                ],
                ("new", "None of these: create a new patient"),
            ]
        else:
            del self.fields["link_to"]

    def patient_data(self) -> dict[str, Any]:
        data = {k: self.cleaned_data.get(k) for k in self.PATIENT}
        data["email"] = self.cleaned_data.get("email") or ""
        data["phone"] = self.cleaned_data.get("phone") or ""
        return data

    def limb_data(self) -> dict[str, Any]:
        return {**{k: self.cleaned_data.get(k) for k in self.LIMB}, "notes": ""}


class SettingsForm(VersionedForm):
    """The clinic's enquiry settings as opened: a save writes only what this user changed."""

    retention_days = forms.IntegerField(
        label="Keep unconverted enquiries for (days)",
        min_value=1,
        max_value=3650,
        help_text="Enquiries never converted into a patient are deleted this many days after "
        "they arrive (osseo purge-enquiries). The public page tells enquirers this period.",
    )
    validated = forms.BooleanField(
        label="This period is approved by the clinic's governance (validated)", required=False
    )
    basis = forms.CharField(
        label="Approved by, and when",
        required=False,
        max_length=300,
        help_text="For example: Information governance committee, March 2026.",
    )
    notify_email = forms.EmailField(
        label="Send new-enquiry notices to",
        required=False,
        help_text="Empty: the address in the OSSEO_CLINIC_NOTIFY_EMAIL setting.",
    )
