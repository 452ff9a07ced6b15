from typing import Any

from django import forms

from osseo.editing import VersionedForm

from .clinic_settings import SPECS, WHOLE_NUMBER_RANGES
from .models import Role


class MinAtRiskForm(VersionedForm):
    value = forms.IntegerField(min_value=1, max_value=1000, label="Fewest implants at risk")
    source = forms.CharField(
        required=False, max_length=300, help_text="Where this number comes from."
    )
    validated = forms.BooleanField(required=False, label="The clinic has validated this value")


class StageWindowForm(VersionedForm):
    min = forms.IntegerField(min_value=0, max_value=104, label="From")
    max = forms.IntegerField(min_value=1, max_value=104, label="To")
    unit = forms.ChoiceField(choices=[("months", "months"), ("weeks", "weeks")])
    source = forms.CharField(
        required=False, max_length=300, help_text="Where this number comes from."
    )
    validated = forms.BooleanField(required=False, label="The clinic has validated this value")


class TwoFactorRolesForm(VersionedForm):
    value = forms.MultipleChoiceField(
        choices=[(r.value, r.label) for r in Role],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Roles that must sign in with an authenticator app",
    )
    source = forms.CharField(
        required=False, max_length=300, help_text="Where this policy comes from."
    )
    validated = forms.BooleanField(required=False, label="The clinic has validated this value")


def whole_number_form(key: str, within: tuple[int, int] | None = None) -> type[VersionedForm]:
    """The form of a setting that is a whole number within its range (`within`, else the
    account policy's range for `key`)."""
    low, high = within or WHOLE_NUMBER_RANGES[key]
    spec = SPECS[key]

    class WholeNumberForm(VersionedForm):
        value = forms.IntegerField(
            min_value=low,
            max_value=high,
            label=f"{spec.label} ({spec.unit})",
            help_text=f"A whole number from {low} to {high}.",
        )
        source = forms.CharField(
            required=False, max_length=300, help_text="Where this number comes from."
        )
        validated = forms.BooleanField(required=False, label="The clinic has validated this value")

    return WholeNumberForm


class FollowUpXrayForm(VersionedForm):
    value = forms.BooleanField(required=False, label="Take a radiograph at each follow-up visit")
    source = forms.CharField(
        required=False, max_length=300, help_text="Where this practice comes from."
    )
    validated = forms.BooleanField(required=False, label="The clinic has validated this value")


class SiteProfilesForm(VersionedForm):
    """What the clinic adds to each implant site's profile: for each site, only what may be
    added there (a walking test stays lower-limb, the Q-TFA transfemoral: osseo/sites.py
    keeps those limits, docs/sources.md#outcome-measures), as checkboxes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from osseo.sites import PROFILES

        super().__init__(*args, **kwargs)
        for site, parts in site_profile_choices().items():
            label = PROFILES[site].label
            for part, choices in parts.items():
                name = f"{site}__{part}"
                if part == "load_recordings":
                    self.fields[name] = forms.BooleanField(
                        required=False,
                        label=f"{label}: use load recordings as the wear basis",
                    )
                else:
                    self.fields[name] = forms.MultipleChoiceField(
                        choices=choices,
                        required=False,
                        widget=forms.CheckboxSelectMultiple,
                        label=f"{label}: add "
                        + ("tests" if part == "function_tests" else "questionnaires"),
                    )
                self.fields[name].show_hidden_initial = True
        # source and validated after the sites' fields
        for name in ("source", "validated"):
            self.fields[name] = self.fields.pop(name)

    source = forms.CharField(
        required=False, max_length=300, help_text="Where the clinic's practice comes from."
    )
    validated = forms.BooleanField(required=False, label="The clinic has validated this value")


def site_profile_choices() -> dict[str, dict[str, list[tuple[str, str]]]]:
    """For each site, what a clinic may add to its profile: {site: {part: choices}}; a part with
    nothing to add is left out (load_recordings: [] when the site may take them)."""
    from osseo.outcomes.models import Questionnaire
    from osseo.rehab.rules import FUNCTION_TESTS
    from osseo.sites import LOWER_LIMB_TESTS, PROFILES

    instruments = list(Questionnaire.objects.values_list("code", "title"))
    out: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for site, base in PROFILES.items():
        parts: dict[str, list[tuple[str, str]]] = {}
        tests = [
            (code, spec.display)
            for code, spec in FUNCTION_TESTS.items()
            if code not in base.function_tests
            and (base.lower_limb or code not in LOWER_LIMB_TESTS[:5])
        ]
        if tests:
            parts["function_tests"] = tests
        extra = [(c, t) for c, t in instruments if c not in base.questionnaires and c != "q-tfa"]
        if extra:
            parts["questionnaires"] = extra
        if not base.load_recordings:
            parts["load_recordings"] = []
        if parts:
            out[site] = parts
    return out


def site_profiles_fields(value: dict[str, Any]) -> dict[str, Any]:
    """The setting's value as the form's fields."""
    fields: dict[str, Any] = {}
    for site, parts in site_profile_choices().items():
        entry = value.get(site, {})
        for part in parts:
            default: Any = False if part == "load_recordings" else []
            fields[f"{site}__{part}"] = entry.get(part, default)
    return fields


def site_profiles_value(fields: dict[str, Any], edited: set[str]) -> dict[str, Any]:
    """The entries of the sites whose fields were edited, each whole, from the form's fields."""
    sites = {name.split("__", 1)[0] for name in edited if "__" in name}
    value: dict[str, Any] = {}
    for site in sites:
        entry: dict[str, Any] = {}
        for part in site_profile_choices().get(site, {}):
            got = fields.get(f"{site}__{part}")
            if part == "load_recordings":
                if got:
                    entry[part] = True
            elif got:
                entry[part] = list(got)
        value[site] = entry
    return value
