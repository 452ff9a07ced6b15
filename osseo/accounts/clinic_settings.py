"""The clinic settings Osseo knows, with their units, defaults and the source of each default.

A default with no source is "not validated" until the clinic sets (and validates) it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .disciplines import REQUIRED, REQUIRED_SOURCE, Discipline
from .models import ClinicSetting, Organisation


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    unit: str
    default: Any
    source: str  # "" = not validated
    # What the setting does, in the words the settings screen shows beside it.
    help: str = ""
    # The section of docs/sources.md the default's source (or its absence) is described in.
    anchor: str = ""


@dataclass(frozen=True)
class ResolvedSetting:
    spec: SettingSpec
    value: Any
    source: str
    validated: bool
    is_default: bool
    set_by: str = ""
    set_at: Any = None

    @property
    def label(self) -> str:
        return self.source if self.validated and self.source else "not validated"


SPECS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in [
        SettingSpec(
            "stage_window",
            "Interval from one surgical stage to the next",
            "months or weeks",
            {"min": 4, "max": 6, "unit": "months"},
            # Guide: "two stages, with a gap of 4 to 6 months between each stage". Centres differ
            # (Radboud: 6-8 weeks, docs/sources.md#stage-intervals), hence a clinic setting.
            "Clinic patient guide: 'a gap of 4 to 6 months between each stage'",
            help=(
                "A staged plan's next stage, or a stage performed, outside this interval after "
                "the stage before needs a reason written down."
            ),
            anchor="docs/sources.md#stage-intervals",
        ),
        SettingSpec(
            "registry_min_at_risk",
            "Fewest implants still followed for the registry to draw a curve",
            "implants",
            10,
            "",  # no published cut-off: not validated until the clinic sets it
            help=(
                "The registry's survival curves stop where fewer implants than this are still "
                "followed, and say so. No published cut-off exists."
            ),
            anchor="docs/sources.md#registries",
        ),
        # Rehabilitation (osseo/rehab). Patients under-load (docs/sources.md#under-loading), but no
        # source gives the share that should raise a flag: not validated until the clinic says.
        SettingSpec(
            "rehab_under_loading_percent",
            "Flag under-loading when the applied load is below the prescription by more than",
            "% of the prescribed load",
            20,
            "",
            help=(
                "A logged load this far below the plan's prescription is flagged as under-loading"
                " on the rehabilitation plan."
            ),
            anchor="docs/sources.md#under-loading",
        ),
        SettingSpec(
            "rehab_over_loading_percent",
            "Flag over-loading when the applied load is above the prescription by more than",
            "% of the prescribed load",
            10,
            "",
            help=(
                "A logged load this far above the plan's prescription is flagged as over-loading "
                "on the rehabilitation plan."
            ),
            anchor="docs/sources.md#under-loading",
        ),
        SettingSpec(
            "follow_up_schedule",
            "Follow-up visits after the surgery date",
            "months",
            {"months": [3, 6, 12], "then_every_months": 12},
            "OGA: pre-op, then 3, 6 and 12 months, then yearly (BMJ Open 2020, "
            "doi 10.1136/bmjopen-2020-038346)",
            help=(
                "The follow-up visits each patient is due after surgery; the follow-up list and "
                "the patient page count them from the surgery date."
            ),
            anchor="docs/sources.md#follow-up-schedule",
        ),
        # Issue 17: who must take part in the MDT that decides eligibility. The floor is NICE's
        # (disciplines.REQUIRED); a clinic may add disciplines (e.g. the NICE draft's plastic
        # surgeon and anaesthetist) but not remove these.
        SettingSpec(
            "mdt_disciplines",
            "Disciplines that must take part in the MDT's eligibility decision",
            "disciplines",
            list(REQUIRED),
            REQUIRED_SOURCE,
            help=(
                "An eligibility decision is recorded only when people of each of these "
                "disciplines took part."
            ),
            anchor="docs/sources.md#nice-ipg270",
        ),
        # How far ahead a planned date (a surgical plan, a rehab plan's start) may be entered
        # (osseo/plausible.py). No source gives a number: not validated until the clinic sets it.
        SettingSpec(
            "date_years_ahead",
            "How far ahead a planned date may be",
            "years",
            2,
            "",
            help=(
                "A planned date (a surgical plan and its stages, a rehabilitation plan's start) "
                "further ahead than this is refused with a field error naming the latest date "
                "accepted."
            ),
            anchor="docs/sources.md#design-rules",
        ),
        # Clinic-authored text; empty until the clinic writes it (docs/sources.md#stoma-care: no OI
        # source gives the steps, so nothing is invented here).
        SettingSpec(
            "stoma_care_instructions",
            "Stoma-care instructions",
            "text",
            "",
            "",
            help=(
                "The clinic's own stoma-care steps, printed in the rehabilitation referral "
                "letter. Empty until the clinic writes them."
            ),
            anchor="docs/sources.md#stoma-care",
        ),
        # Security policy, not a clinical number: which roles must sign in with a second factor.
        SettingSpec(
            "two_factor_roles",
            "Roles that must sign in with a second factor (authenticator app)",
            "roles",
            ["clinic_admin"],
            "OWASP ASVS 4.0 (V2, level 2): multi-factor sign-in, first for administrators",
            help=(
                "People in these roles must enrol an authenticator app: at their next sign-in "
                "they are sent to enrol before any other page, and from then on each sign-in (and"
                " each API token) asks for a code from the app or a recovery code."
            ),
            anchor="docs/sources.md#security",
        ),
        # Account policy (issue 19), security settings rather than clinical numbers. No source
        # the project has verified fixes these numbers (OWASP ASVS 4.0.3 V3.3.2 is said to ask
        # for re-authentication after 30 idle minutes at level 2, and NIST SP 800-63B advises
        # against periodic password expiry; neither is among the verified docs/sources.md):
        # each is "not validated" until the clinic sets it.
        SettingSpec(
            "password_max_age_days",
            "Passwords expire this many days after they were chosen (0: they do not expire)",
            "days",
            0,
            "",
            help=(
                "A password older than this must be changed at the next sign-in. 0 means "
                "passwords do not expire."
            ),
            anchor="docs/sources.md#security",
        ),
        SettingSpec(
            "api_token_hours",
            "API tokens expire this many hours after they were issued",
            "hours",
            12,  # the lifetime tokens had before this was a setting
            "",
            help=(
                "How long an API token issued at sign-in stays valid; expired tokens are removed."
            ),
            anchor="docs/sources.md#security",
        ),
        SettingSpec(
            "session_idle_minutes",
            "A signed-in session ends after this many minutes without activity",
            "minutes",
            30,
            "",
            help=(
                "A signed-in session with no activity for this long ends; the person signs in "
                "again."
            ),
            anchor="docs/sources.md#security",
        ),
        # The clinic's week (issue 22). A reminder goes the day before an appointment and again
        # this many hours before it: an operational choice no source fixes, so not validated.
        SettingSpec(
            "appointment_reminder_hours",
            "Also remind of an appointment or MDT meeting this many hours before it (beside the "
            "day before)",
            "hours",
            72,
            "",
            help=(
                "Patients and clinicians get an e-mail the day before an appointment and again "
                "this long before it; so do an MDT meeting's attendees who are users. The e-mail "
                "to a patient names no clinical detail; the one to staff names no patient."
            ),
            anchor="docs/sources.md#design-rules",
        ),
        # Whether a follow-up visit carries a radiograph of the implant. The follow-up schedule's
        # source (docs/sources.md#follow-up-schedule) names outcomes and adverse events, not
        # imaging: the clinic decides, and until it does this is not validated.
        SettingSpec(
            "follow_up_xray",
            "Take a radiograph at each follow-up visit",
            "yes or no",
            True,
            "",
            help=(
                "When on, every follow-up visit booked lists a radiograph of the implant among "
                "what is due at it."
            ),
            anchor="docs/sources.md#follow-up-schedule",
        ),
        # How long the link that invites a patient to set up their account stays valid
        # (osseo/patients/invitations.py). A sensible default, not a sourced number: not
        # validated until the clinic sets it.
        SettingSpec(
            "patient_invitation_hours",
            "A patient's invitation link stays valid for this many hours",
            "hours",
            72,
            "",
            help=(
                "The e-mailed link a coordinator sends a patient to set their password works "
                "once, within this time; after it, the coordinator sends a new one. The default "
                "(72 hours) is a sensible default, not a sourced number."
            ),
            anchor="docs/sources.md#security",
        ),
        # What the clinic adds to a site's profile (osseo/sites.py): instruments for a
        # site, load recordings as a wear basis for a site. The clinic's own: not validated.
        SettingSpec(
            "site_profiles",
            "What the clinic adds to each site's profile (tests, questionnaires, load recordings)",
            "by site",
            {},
            "",
            help=(
                "Tests, questionnaires and load recordings the clinic uses at a site beyond those"
                " its sources give. A walking test stays lower-limb only, and the Q-TFA "
                "transfemoral only."
            ),
            anchor="docs/sources.md#design-rules",
        ),
    ]
}


# The account-policy settings that are whole numbers, with the range each accepts.
WHOLE_NUMBER_RANGES: dict[str, tuple[int, int]] = {
    "password_max_age_days": (0, 3650),
    "api_token_hours": (1, 24 * 90),
    "session_idle_minutes": (1, 24 * 60),
    "appointment_reminder_hours": (1, 24 * 30),
    "patient_invitation_hours": (1, 24 * 14),
}


def resolve(organisation: Organisation | None, key: str) -> ResolvedSetting:
    spec = SPECS[key]
    row = (
        ClinicSetting.objects.filter(organisation=organisation, key=key)
        .select_related("set_by")
        .first()
        if organisation is not None
        else None
    )
    if row is None:
        return ResolvedSetting(spec, spec.default, spec.source, bool(spec.source), True)
    return ResolvedSetting(
        spec, row.value, row.source, row.validated, False, row.set_by.username, row.set_at
    )


def validate_value(key: str, value: Any) -> Any:
    """The value cleaned for `key`, or a ValidationError naming the field."""
    from django.core.exceptions import ValidationError

    if key == "stage_window":
        try:
            low, high, unit = int(value["min"]), int(value["max"]), str(value["unit"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError({"value": ["Give min, max (whole numbers) and unit."]}) from exc
        if unit not in ("months", "weeks"):
            raise ValidationError({"unit": ["The unit is months or weeks."]})
        if not 0 <= low <= high or high < 1 or high > 104:
            raise ValidationError({"max": ["The window runs from a minimum to a larger maximum."]})
        return {"min": low, "max": high, "unit": unit}
    if key == "registry_min_at_risk":
        try:
            number = int(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError({"value": ["Enter a whole number."]}) from exc
        if not 1 <= number <= 1000:
            raise ValidationError({"value": ["Enter a number from 1 to 1000."]})
        return number
    if key == "mdt_disciplines":
        if not isinstance(value, list | tuple) or any(v not in Discipline.values for v in value):
            raise ValidationError(
                {"value": [f"Give a list of disciplines: {', '.join(Discipline.values)}."]}
            )
        dropped = [d for d in REQUIRED if d not in value]
        if dropped:
            raise ValidationError(
                {
                    "value": [
                        "A clinic can add disciplines to the MDT but not remove these: "
                        f"{', '.join(dropped)} ({REQUIRED_SOURCE})."
                    ]
                }
            )
        return [d for d in Discipline.values if d in value]
    if key == "two_factor_roles":
        from .models import Role

        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError({"value": ["Give a list of role codes."]})
        unknown = sorted(set(value) - set(Role.values))
        if unknown:
            raise ValidationError({"value": [f"Unknown roles: {', '.join(unknown)}."]})
        return sorted(set(value))
    if key == "date_years_ahead":
        from osseo.plausible import MAX_YEARS_AHEAD

        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValidationError({"value": ["Enter a whole number of years."]})
        try:
            years = int(value)
        except ValueError as exc:
            raise ValidationError({"value": ["Enter a whole number of years."]}) from exc
        if not 1 <= years <= MAX_YEARS_AHEAD:
            raise ValidationError({"value": [f"Enter a number from 1 to {MAX_YEARS_AHEAD}."]})
        return years
    if key in WHOLE_NUMBER_RANGES:
        low, high = WHOLE_NUMBER_RANGES[key]
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValidationError({"value": ["Enter a whole number."]})
        try:
            number = int(value)
        except ValueError as exc:
            raise ValidationError({"value": ["Enter a whole number."]}) from exc
        if not low <= number <= high:
            raise ValidationError({"value": [f"Enter a number from {low} to {high}."]})
        return number
    if key == "follow_up_xray":
        if not isinstance(value, bool):
            raise ValidationError({"value": ["Answer yes (true) or no (false)."]})
        return value
    if key == "site_profiles":
        from osseo.outcomes.models import Questionnaire
        from osseo.rehab.rules import FUNCTION_TESTS
        from osseo.sites import validate_overrides

        try:
            return validate_overrides(
                value,
                tests=FUNCTION_TESTS,
                instruments=Questionnaire.objects.values_list("code", flat=True),
            )
        except ValueError as exc:
            raise ValidationError({"value": [str(exc)]}) from exc
    raise ValidationError({"key": [f"Unknown setting {key!r}."]})


def who_set(row: Any) -> str:
    """Who last set a clinic's settings row and when, for a form that found it changed:
    " (Name, 4 Dec 2026 10:31)"; "" for settings still at their defaults."""
    from django.utils import timezone

    if row is None or row.pk is None or row.set_by_id is None:
        return ""
    who = row.set_by.get_full_name() or row.set_by.username
    return f" ({who}, {timezone.localtime(row.set_at):%-d %b %Y %H:%M})"
