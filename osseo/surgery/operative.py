"""The structured operative record: the guide's steps, in order, each with its own fields.

Source: the clinic's patient guide, "The Surgery" (anaesthesia; incision and exposure; heterotopic
ossification and bony spurs; muscle and soft-tissue preparation; bone preparation; implant
insertion; closure and skin flap; attachment of dualcone), plus the extras an operative note
carries (docs/sources.md#operative-note, derived). Pure data and functions: the forms and the API
read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from osseo.errors import Missing

from .systems import CLINIC_PRESS_FIT, SYSTEMS, ImplantSystem

PART_WORDS = {"abutment_screw": "abutment screw", "safety_device": "safety device"}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str  # "text", "bool", "number", "choice"
    choices: tuple[tuple[str, str], ...] = ()
    unit: str = ""


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    plain: str  # the guide's wording, for lay readers (the personalised guide uses it)
    fields: tuple[Field, ...] = field(default_factory=tuple)


SOFT_TISSUE_TECHNIQUES = (
    ("myodesis", "Myodesis"),
    ("myoplasty", "Myoplasty"),
    ("tmr", "Targeted muscle reinnervation"),
    ("other", "Other"),
)
STABILITY = (("stable", "Stable"), ("satisfactory", "Satisfactory"), ("unstable", "Unstable"))

STEPS: tuple[Step, ...] = (
    Step(
        "anaesthesia",
        "Anaesthesia",
        "You will be asleep (general anaesthesia), sometimes with a nerve block as well.",
        (
            Field("given", "Anaesthesia given", "choice"),
            # Issue 17: a difference from the anaesthesia the anaesthetist agreed needs a reason.
            Field("difference_reason", "Why it differs from the agreed plan", "text"),
            Field("notes", "Notes", "text"),
        ),
    ),
    Step(
        "incision",
        "Incision and exposure",
        "An incision is made at the end of the residual limb to expose the bone.",
        (Field("notes", "Incision and exposure", "text"),),
    ),
    Step(
        "heterotopic_ossification",
        "Heterotopic ossification and bony spurs",
        "The surgeon removes unwanted tissue, bony spurs and abnormal bone that can form after "
        "trauma (heterotopic ossification).",
        (
            Field("found", "Heterotopic ossification or spurs found", "bool"),
            Field("removed", "Removed", "bool"),
            Field("notes", "Notes", "text"),
        ),
    ),
    Step(
        "soft_tissue",
        "Muscle and soft-tissue reorganisation",
        "Muscles and soft tissues are reorganised and attached to the bone to improve control of "
        "the residual limb and make a stable interface with the implant.",
        (
            Field("technique", "Technique", "choice", SOFT_TISSUE_TECHNIQUES),
            Field("notes", "Notes", "text"),
        ),
    ),
    Step(
        "bone_preparation",
        "Bone preparation",
        "Special instruments shape the bone canal into a cylinder ready for the implant; bone "
        "removed can be used as a graft for a better fit.",
        (
            Field("reamed_diameter_mm", "Reamed diameter", "number", unit="mm"),
            Field("canal_length_mm", "Canal length", "number", unit="mm"),
            Field("graft_used", "Bone graft used", "bool"),
            Field("graft_source", "Graft source", "text"),
        ),
    ),
    Step(
        "implant_insertion",
        "Implant insertion",
        "The bone-anchor implant is inserted into the prepared canal. The clinic uses press-fit "
        "implants.",
        (
            Field(
                "fixation",
                "Fixation",
                "choice",
                (("press_fit", "Press-fit"), ("threaded", "Threaded")),
            ),
            Field("stability", "Primary stability", "choice", STABILITY),
            Field("notes", "Notes", "text"),
        ),
    ),
    Step(
        "closure",
        "Closure and skin flap",
        "A skin flap is thinned, closed over the muscles and implant with sutures and staples, "
        "and a small opening (the stoma) is made for the tip of the implant.",
        (
            Field("skin_flap", "Skin flap prepared", "bool"),
            Field("fat_removed", "Excess fat removed", "bool"),
            Field("sutures", "Sutures", "bool"),
            Field("staples", "Staples", "bool"),
            Field("stoma_created", "Stoma created", "bool"),
            Field("notes", "Notes", "text"),
        ),
    ),
    Step(
        "dualcone",
        "Dualcone attached",
        "A dualcone is attached to the end of the bone-anchor. It will connect to your "
        "prosthesis, protects the implant from wear, and needs regular maintenance and "
        "replacement depending on how active you are.",
        (Field("notes", "Notes", "text"),),
    ),
    Step(
        "extras",
        "Cultures, antibiotics, blood loss, complications and team",
        "",
        (
            Field("cultures_taken", "Intra-operative cultures taken", "bool"),
            Field("antibiotics", "Antibiotics", "text"),
            Field("blood_loss_ml", "Blood loss", "number", unit="ml"),
            Field("complications", "Intra-operative complications", "text"),
            Field("team", "Team", "text"),
            Field("summary", "What was done and findings", "text"),
            # Issue 17: a stage done outside the stage window after the signed previous stage.
            Field("outside_window_reason", "Why this stage falls outside the stage window", "text"),
        ),
    ),
)
STEP_KEYS = tuple(s.key for s in STEPS)
FIELDS = {(s.key, f.name): f for s in STEPS for f in s.fields}

PLACES_IMPLANT = frozenset({"single_stage", "stage_1"})
# A revision places a new bone-anchored implant (an explantation places none): issue 18.
NEEDS_IMPLANT_DEVICE = PLACES_IMPLANT | {"revision"}
IMPLANTATION = frozenset({"single_stage", "stage_1", "stage_2", "stage_n"})


def clean_record(data: Mapping[str, Any]) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    """Keep known steps and fields, coerce types; return (clean data, errors by 'step.field')."""
    clean: dict[str, dict[str, Any]] = {}
    errors: dict[str, list[str]] = {}
    if not isinstance(data, Mapping):
        return {}, {"data": ["The operative record must be an object of steps."]}
    for step_key, values in data.items():
        if step_key not in STEP_KEYS:
            errors.setdefault(step_key, []).append(f"Unknown step {step_key!r}.")
            continue
        if not isinstance(values, Mapping):
            errors.setdefault(step_key, []).append("A step must be an object of fields.")
            continue
        for name, value in values.items():
            spec = FIELDS.get((step_key, name))
            key = f"{step_key}.{name}"
            if spec is None:
                errors.setdefault(key, []).append("Unknown field.")
                continue
            if value in (None, ""):
                continue
            if spec.type == "bool" and not isinstance(value, bool):
                errors.setdefault(key, []).append("Answer yes or no (true/false).")
            elif spec.type == "number":
                if isinstance(value, bool) or not isinstance(value, int | float):
                    errors.setdefault(key, []).append("Enter a number.")
                elif value < 0 or value > 100000:
                    errors.setdefault(key, []).append("Enter a number between 0 and 100000.")
            elif spec.type == "text" and (not isinstance(value, str) or len(value) > 5000):
                errors.setdefault(key, []).append("Enter text of at most 5000 characters.")
            elif spec.type == "choice" and spec.choices and value not in dict(spec.choices):
                allowed = ", ".join(code for code, _ in spec.choices)
                errors.setdefault(key, []).append(f"Choose one of: {allowed}.")
            if key not in errors:
                clean.setdefault(step_key, {})[name] = value
    return clean, errors


@dataclass(frozen=True)
class DeviceFact:
    kind: str
    gtin: str
    lot: str


# Where each thing the signature needs comes from: the guide's step, or what an operative note
# should capture (docs/sources.md#operative-note, derived).
_GUIDE = "Clinic patient guide, 'The Surgery'"
_NOTE = "What an operative note should capture (docs/sources.md#operative-note)"


def signing_problems(
    *,
    kind: str,
    final_stage: bool,
    data: Mapping[str, Any],
    devices: Iterable[DeviceFact],
    system: ImplantSystem | None = None,
) -> list[Missing]:
    """What is missing before the surgeon can sign (empty when complete): a stable code, a plain
    sentence, and the source of the requirement. `system`: the implant system the record names
    (its transcutaneous parts); the clinic's press-fit dualcone system when not given."""
    system = system or SYSTEMS[CLINIC_PRESS_FIT]
    problems: list[Missing] = []
    devices = list(devices)

    def need(code: str, label: str, source: str) -> None:
        problems.append(Missing(code, label, source))

    def has(step: str, name: str) -> bool:
        return data.get(step, {}).get(name) not in (None, "")

    if kind in IMPLANTATION and not has("anaesthesia", "given"):
        need("anaesthesia_given", "Record the anaesthesia given.", f"{_GUIDE}, Anaesthesia")
    if kind in PLACES_IMPLANT:
        if not has("bone_preparation", "reamed_diameter_mm"):
            need(
                "reamed_diameter",
                "Record the reamed diameter (bone preparation).",
                f"{_GUIDE}, Bone Preparation",
            )
        if not has("implant_insertion", "fixation"):
            need(
                "implant_fixation", "Record the implant's fixation.", f"{_GUIDE}, Implant Insertion"
            )
    if kind in NEEDS_IMPLANT_DEVICE:
        implants = [d for d in devices if d.kind == "implant"]
        if not implants:
            need("implant_device", "Scan or enter the implant placed.", _NOTE)
        for d in implants:
            if not d.gtin:
                need("implant_gtin", "The implant needs its GTIN.", _NOTE)
            if not d.lot:
                need("implant_lot", "The implant needs its lot number.", _NOTE)
    if kind in IMPLANTATION and (final_stage or kind == "single_stage"):
        if data.get("closure", {}).get("stoma_created") is not True:
            need("stoma_created", "Record the stoma (closure).", f"{_GUIDE}, Closure and Skin Flap")
        # The transcutaneous parts come from the implant system the record names
        # (docs/sources.md#implant-components).
        for part in system.parts:
            word = PART_WORDS.get(part, part)
            placed = [d for d in devices if d.kind == part]
            if not placed:
                need(
                    f"{part}_device",
                    f"Scan or enter the {word} attached.",
                    system.source or f"{system.label}: the clinic's own (not validated)",
                )
            for d in placed:
                if not d.lot:
                    need(f"{part}_lot", f"The {word} needs its lot number.", _NOTE)
    if kind not in IMPLANTATION and not has("extras", "summary"):
        need("summary", "Describe what was done and the findings.", _NOTE)
    return problems


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return str(value)


def record_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, str]]:
    """Field by field, in the guide's order, what changed from one version to the next:
    `{"field": "step.name", "label": "Step: Label", "before": ..., "after": ...}` ("" = not
    recorded)."""
    out = []
    for step in STEPS:
        old, new = before.get(step.key, {}), after.get(step.key, {})
        for spec in step.fields:
            a, b = old.get(spec.name), new.get(spec.name)
            if a != b:
                out.append(
                    {
                        "field": f"{step.key}.{spec.name}",
                        "label": f"{step.title}: {spec.label}",
                        "before": _shown(a),
                        "after": _shown(b),
                    }
                )
    return out
