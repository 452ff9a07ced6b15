from __future__ import annotations

from typing import Any

from django import forms

from osseo.accounts.disciplines import BY_ROLE, Discipline
from osseo.accounts.models import Role
from osseo.editing import VersionedForm
from osseo.patients.forms import DateInput
from osseo.patients.models import FundingRoute, Site
from osseo.typed import SchemaForm

from .models import Decision, DeviceKind, Indication, ProcedureKind, RemovalReason, Strategy
from .schemas import (
    AmendmentIn,
    AssessmentIn,
    CatalogueIn,
    DeviceIn,
    ProcedureIn,
    RemovalIn,
    SurgicalPlanIn,
)

OUTSIDE_ROWS = 3  # outside professionals the form has room for


class AssessmentForm(SchemaForm):
    """The MDT's assessment. Colleagues are ticked as "name — discipline" (a colleague may take
    part in any discipline their role allows); outside professionals are typed in, with their
    organisation; the deciding surgeon is chosen among the surgeons who took part."""

    schema = AssessmentIn

    assessed_on = forms.DateField(label="Date of the MDT", widget=DateInput)
    team = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Colleagues who took part, in their discipline",
    )
    decided_by = forms.ChoiceField(label="Deciding surgeon (took part in the MDT)")
    indications = forms.MultipleChoiceField(
        choices=Indication.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Indication (problems with the socket)",
    )
    indication_notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    prior_socket_use = forms.NullBooleanField(
        label="Uses or has used a socket prosthesis", required=False
    )
    prosthetic_rehab_months = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=1200,
        label="Months of attempted prosthetic rehabilitation",
    )
    dysvascular = forms.BooleanField(
        required=False, label="Dysvascular amputation or peripheral vascular disease"
    )
    diabetes = forms.BooleanField(required=False)
    smoking = forms.ChoiceField(
        choices=[
            ("", "Not recorded"),
            ("never", "Never"),
            ("former", "Former"),
            ("current", "Current"),
        ],
        required=False,
    )
    short_or_poor_bone = forms.BooleanField(
        required=False, label="Short residuum or poor bone quality"
    )
    active_infection = forms.BooleanField(required=False, label="Active infection")
    expectations_discussed = forms.BooleanField(
        required=False, label="Expectations and risks discussed"
    )
    imaging_modality = forms.ChoiceField(
        choices=[("", "None"), ("xray", "X-ray"), ("ct", "CT"), ("mri", "MRI")],
        required=False,
        label="Imaging",
    )
    canal_diameter_mm = forms.DecimalField(
        required=False, min_value=1, max_value=999, label="Canal diameter (mm)"
    )
    usable_length_mm = forms.DecimalField(
        required=False, min_value=1, max_value=999, label="Usable bone length (mm)"
    )
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    decision_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        label="Reasons for the decision",
    )
    funding_route = forms.ChoiceField(
        choices=[("", "Not yet known"), *FundingRoute.choices], required=False
    )

    def __init__(self, *args: Any, colleagues: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = self.fields["team"]
        team.choices = [  # type: ignore[attr-defined]
            (f"{u.uuid}:{d}", f"{u.get_full_name() or u.username} — {Discipline(d).label}")
            for u in colleagues
            for d in Discipline.values
            if d in BY_ROLE.get(u.membership.role, frozenset())
        ]
        self.fields["decided_by"].choices = [  # type: ignore[attr-defined]
            ("", "Choose the surgeon"),
            *[
                (str(u.uuid), u.get_full_name() or u.username)
                for u in colleagues
                if u.membership.role == Role.SURGEON
            ],
        ]
        for n in range(1, OUTSIDE_ROWS + 1):
            self.fields[f"outside_{n}_name"] = forms.CharField(
                required=False, max_length=200, label=f"Outside professional {n}: name"
            )
            self.fields[f"outside_{n}_discipline"] = forms.ChoiceField(
                required=False,
                choices=[("", "—"), *Discipline.choices],
                label=f"Outside professional {n}: discipline",
            )
            self.fields[f"outside_{n}_organisation"] = forms.CharField(
                required=False, max_length=200, label=f"Outside professional {n}: organisation"
            )

    def action_data(self) -> dict[str, Any]:
        """The cleaned values as `record_assessment` takes them."""
        data = dict(self.cleaned_data)
        participants: list[dict[str, Any]] = []
        for choice in data.pop("team", []):
            user, discipline = choice.split(":", 1)
            participants.append({"user": user, "discipline": discipline})
        for n in range(1, OUTSIDE_ROWS + 1):
            row = {
                k: data.pop(f"outside_{n}_{k}", "") for k in ("name", "discipline", "organisation")
            }
            if any(row.values()):
                participants.append(row)
        data["participants"] = participants
        return data


class PlanForm(SchemaForm):
    schema = SurgicalPlanIn

    strategy = forms.ChoiceField(choices=Strategy.choices, widget=forms.RadioSelect)
    strategy_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        label="Reason (when departing from the recommendation)",
    )
    anaesthesia = forms.ChoiceField(choices=[])
    fixation = forms.ChoiceField(
        choices=[("press_fit", "Press-fit"), ("threaded", "Threaded (screw)")]
    )
    implant = forms.ChoiceField(choices=[], required=False, label="Implant from the catalogue")
    planned_date = forms.DateField(
        required=False, widget=DateInput, label="Planned date (stage 1 or single stage)"
    )
    stage_2_date = forms.DateField(
        required=False, widget=DateInput, label="Planned date of stage 2 (staged plans)"
    )
    stage_2_reason = forms.CharField(
        required=False, max_length=2000, label="Reason if stage 2 falls outside the window"
    )
    notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )


class PlanEditForm(PlanForm, VersionedForm):
    """The plan as opened, so a save writes only what this user changed and keeps a colleague's
    change (osseo/editing.py)."""


class ProcedureForm(SchemaForm):
    schema = ProcedureIn

    kind = forms.ChoiceField(choices=ProcedureKind.choices, label="Operation")
    performed_on = forms.DateField(widget=DateInput, label="Date of operation")


class DeviceForm(SchemaForm):
    schema = DeviceIn

    kind = forms.ChoiceField(choices=DeviceKind.choices, label="Part")
    code = forms.CharField(
        required=False,
        max_length=200,
        label="Scan the label (GS1 DataMatrix or printed code)",
        help_text="Or type the GTIN, lot and serial below.",
    )
    gtin = forms.CharField(required=False, max_length=14, label="GTIN")
    lot = forms.CharField(required=False, max_length=20)
    serial = forms.CharField(required=False, max_length=20)
    expiry = forms.DateField(required=False, widget=DateInput)
    size = forms.CharField(required=False, max_length=60)
    confirm_expired = forms.BooleanField(
        required=False, label="I confirm this expired device was used"
    )


class AmendForm(SchemaForm):
    schema = AmendmentIn

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Reason for the amendment"
    )


class RemoveDeviceForm(SchemaForm):
    schema = RemovalIn

    removed_on = forms.DateField(widget=DateInput)
    reason = forms.ChoiceField(choices=RemovalReason.choices)


class CatalogueForm(SchemaForm):
    schema = CatalogueIn

    kind = forms.ChoiceField(choices=DeviceKind.choices, label="Part")
    manufacturer = forms.CharField(max_length=120)
    model = forms.CharField(max_length=120, label="Model / reference")
    gtin = forms.CharField(max_length=14, required=False, label="GTIN")
    site = forms.ChoiceField(
        choices=[("", "Any (connector parts)"), *Site.choices], required=False, label="Bone site"
    )
    fixation = forms.ChoiceField(
        choices=[("", "Not applicable"), ("press_fit", "Press-fit"), ("threaded", "Threaded")],
        required=False,
    )
    diameter_mm = forms.DecimalField(
        required=False, min_value=1, max_value=999, label="Diameter (mm)"
    )
    length_mm = forms.DecimalField(required=False, min_value=1, max_value=999, label="Length (mm)")
