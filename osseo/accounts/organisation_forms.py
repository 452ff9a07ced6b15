"""Forms of the organisation screens: contact details, a new organisation, a partner."""

from __future__ import annotations

from django import forms

from osseo.editing import VersionedForm

from .contact import ADDRESS_MAX
from .models import OrganisationKind

TELEPHONE_HINT = "A UK number as you dial it (020 7946 0000), or + and the country code."


class ContactForm(VersionedForm):
    """The organisation's contact details; each is optional. The action checks the numbers."""

    telephone = forms.CharField(
        max_length=40, required=False, label="Telephone", help_text=TELEPHONE_HINT
    )
    email = forms.EmailField(max_length=254, required=False, label="E-mail address")
    address = forms.CharField(
        max_length=ADDRESS_MAX,
        required=False,
        label="Postal address",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    out_of_hours = forms.CharField(
        max_length=40,
        required=False,
        label="Out-of-hours telephone",
        help_text="The line to ring when you are closed. " + TELEPHONE_HINT,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["telephone"].widget.attrs.update(type="tel", autocomplete="tel")
        self.fields["out_of_hours"].widget.attrs.update(type="tel")
        self.fields["email"].widget.attrs.update(autocomplete="email")


class OrganisationForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name")
    slug = forms.SlugField(
        max_length=60,
        label="Short name",
        help_text="Used in addresses and on the command line: lower-case letters, digits and "
        "hyphens (e.g. north-rehab).",
    )
    kind = forms.ChoiceField(choices=OrganisationKind.choices, label="Kind")
    admin_username = forms.CharField(
        max_length=150,
        required=False,
        label="Its first clinic administrator's username",
        help_text="Optional. The account gets a one-time password, shown once here, to be "
        "changed at the first sign-in.",
    )
    admin_email = forms.EmailField(
        max_length=254, required=False, label="Its first clinic administrator's e-mail address"
    )


class PartnerForm(forms.Form):
    partner = forms.ChoiceField(
        label="Rehabilitation partner",
        error_messages={"invalid_choice": "Choose a rehabilitation partner from the list."},
    )
