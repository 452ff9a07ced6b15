"""The Q-TFA's scoring rules and wording entered item by item, in typed fields: for each section,
the number of its first response, the points of each response in order and each response's
wording; for each item, its wording and (when it is scored differently from its section) its own
points. The forms read and write the same rules and wording as the JSON import and the API."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms

from osseo.editing import VersionedForm

from .instruments import qtfa

# The parts of the Q-TFA a response scale belongs to: the hours-per-day item, then each section.
SECTIONS = qtfa.SECTION_LABELS
SCALES = {"hours": "Hours worn per day", **SECTIONS}
EXPORT_FORMAT = "osseo-instrument-settings"  # the JSON export's "format"


def field_name(part: str) -> str:
    return part.replace("-", "_")


class NumberListField(forms.CharField):
    """Numbers separated by commas ("0, 25, 50, 100"), each within [low, high]."""

    def __init__(self, *args: Any, low: float = 0, high: float | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.low, self.high = low, high

    def to_python(self, value: Any) -> Any:  # list[float] | None
        text = super().to_python(value)
        if not text or not str(text).strip():
            return None
        numbers: list[float] = []
        for n, entry in enumerate(str(text).replace(";", ",").split(","), 1):
            entry = entry.strip()
            try:
                number = float(entry)
            except ValueError:
                raise forms.ValidationError(
                    f"Entry {n} ({entry or 'empty'}) is not a number."
                ) from None
            if (
                number != number
                or number < self.low
                or (self.high is not None and number > self.high)
            ):
                top = f" to {self.high:g}" if self.high is not None else " or more"
                raise forms.ValidationError(f"Entry {n} ({entry}) must be {self.low:g}{top}.")
            numbers.append(int(number) if number.is_integer() else number)
        if len(numbers) > 20:
            raise forms.ValidationError("Give at most 20 responses.")
        return numbers

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
        return value


class LinesField(forms.CharField):
    """One entry per line; blank lines at the end are dropped."""

    widget = forms.Textarea(attrs={"rows": 5})

    def to_python(self, value: Any) -> Any:  # list[str]
        text = super().to_python(value) or ""
        lines = [line.strip() for line in str(text).replace("\r\n", "\n").split("\n")]
        while lines and not lines[-1]:
            lines.pop()
        return lines

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value


def table_as_list(table: dict[str, Any] | None) -> tuple[int | None, list[Any]]:
    """A response table ({"1": 0, "2": 50}) as (first response number, values in order), when its
    responses run one after another; (None, []) otherwise."""
    if not table:
        return None, []
    numbers = sorted(int(k) for k in table)
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        return None, []
    return numbers[0], [table[str(n)] if str(n) in table else table[n] for n in numbers]  # type: ignore[index]


def list_as_table(first: int, values: list[Any]) -> dict[str, Any]:
    return {str(first + i): v for i, v in enumerate(values)}


class ScalesForm(VersionedForm):
    """Where the numbers come from, and every response scale (hours, then each section)."""

    source = forms.CharField(
        max_length=300,
        label="Where these numbers were read",
        help_text="The Q-TFA manual or paper, with the page and table.",
    )
    validated = forms.BooleanField(
        required=False,
        label="A clinician has checked these numbers against the published instrument",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for part, label in SCALES.items():
            name = field_name(part)
            hours = part == "hours"
            self.fields[f"{name}_first"] = forms.IntegerField(
                min_value=0,
                max_value=99,
                label=f"{label}: number of the first response",
                help_text="As printed on the form (often 1).",
            )
            self.fields[f"{name}_values"] = NumberListField(
                required=True,
                low=0,
                high=None if hours else 100,
                label=f"{label}: "
                + ("hours each response stands for" if hours else "points of each response"),
                help_text=(
                    "In the order of the responses, separated by commas, e.g. 0, 4, 8, 16."
                    if hours
                    else "0 to 100 each, in the order of the responses, separated by commas; "
                    "running the published way round"
                    + (" (higher is worse)." if part == "problem" else ".")
                ),
            )
            self.fields[f"{name}_words"] = LinesField(
                required=False,
                label=f"{label}: wording of each response",
                help_text="One line per response, in the same order; empty lines keep the number.",
            )
            for suffix in ("first", "values", "words"):
                self.fields[f"{name}_{suffix}"].show_hidden_initial = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for part in SCALES:
            name = field_name(part)
            values, words = data.get(f"{name}_values"), data.get(f"{name}_words") or []
            if values is not None and len(words) > len(values):
                self.add_error(
                    f"{name}_words",
                    f"{len(words)} lines of wording for {len(values)} responses.",
                )
        return data


def scales_initial(rules: dict[str, Any] | None, item_text: dict[str, str]) -> dict[str, Any]:
    """The form's fields from the rules and wording in force."""
    rules = rules or {}
    initial: dict[str, Any] = {
        "source": rules.get("source", ""),
        "validated": bool(rules.get("validated", False)),
    }
    tables = {"hours": rules.get("hours_per_day"), **rules.get("section_points", {})}
    for part in SCALES:
        name = field_name(part)
        first, values = table_as_list(tables.get(part))
        key = qtfa.HOURS if part == "hours" else part
        initial[f"{name}_first"] = 1 if first is None else first
        initial[f"{name}_values"] = values
        initial[f"{name}_words"] = [
            item_text.get(f"{key}#{(first or 1) + i}", "") for i in range(len(values))
        ]
    return initial


def rules_from_scales(
    values: dict[str, Any], rules: dict[str, Any] | None, item_text: dict[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The rules and wording a saved scales form stands for (items' own points kept)."""
    new_rules: dict[str, Any] = {
        "source": values["source"],
        "validated": bool(values["validated"]),
        "hours_per_day": {},
        "section_points": {},
        "item_points": dict((rules or {}).get("item_points", {})),
    }
    text = dict(item_text)
    for part in SCALES:
        name = field_name(part)
        key = qtfa.HOURS if part == "hours" else part
        first, numbers = values[f"{name}_first"], values[f"{name}_values"] or []
        table = list_as_table(first, numbers)
        if part == "hours":
            new_rules["hours_per_day"] = table
        elif table:
            new_rules["section_points"][part] = table
        for old in [k for k in text if k.startswith(f"{key}#")]:
            del text[old]
        for i, words in enumerate(values.get(f"{name}_words") or []):
            if words:
                text[f"{key}#{first + i}"] = words
    return new_rules, text


class ItemsForm(VersionedForm):
    """One section's heading and items: each item's wording and, optionally, its own points."""

    def __init__(self, *args: Any, section: str, **kwargs: Any) -> None:
        self.section = section
        super().__init__(*args, **kwargs)
        self.fields["heading"] = forms.CharField(
            required=False,
            max_length=500,
            label="Heading of the section",
            help_text=f"Empty: “{SECTIONS[section]}”.",
        )
        self.fields["heading"].show_hidden_initial = True
        for link_id in qtfa.SECTION_ITEMS[section]:
            n = link_id.split(".", 1)[1]
            self.fields[f"text_{n}"] = forms.CharField(
                required=False,
                max_length=2000,
                label=f"Item {n}: wording",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"points_{n}"] = NumberListField(
                required=False,
                low=0,
                high=100,
                label=f"Item {n}: its own points",
                help_text="Only if this item is scored differently from its section (a reversed "
                "item): the points of each response, in the section's order. Empty: the "
                "section's points.",
            )
            for name in (f"text_{n}", f"points_{n}"):
                self.fields[name].show_hidden_initial = True


def items_initial(
    section: str, rules: dict[str, Any] | None, item_text: dict[str, str]
) -> dict[str, Any]:
    own = (rules or {}).get("item_points", {})
    initial: dict[str, Any] = {"heading": item_text.get(section, "")}
    for link_id in qtfa.SECTION_ITEMS[section]:
        n = link_id.split(".", 1)[1]
        initial[f"text_{n}"] = item_text.get(link_id, "")
        initial[f"points_{n}"] = table_as_list(own.get(link_id))[1]
    return initial


def rules_from_items(
    section: str, values: dict[str, Any], rules: dict[str, Any] | None, item_text: dict[str, str]
) -> tuple[dict[str, Any] | None, dict[str, str], dict[str, str]]:
    """The rules and wording a saved items form stands for, and the field errors (an item's own
    points need the section's response scale, of the same length)."""
    text = dict(item_text)
    errors: dict[str, str] = {}
    if values.get("heading"):
        text[section] = values["heading"]
    else:
        text.pop(section, None)
    new_rules = (
        None if rules is None else {**rules, "item_points": dict(rules.get("item_points", {}))}
    )
    scale = (rules or {}).get("section_points", {}).get(section)
    first, points = table_as_list(scale)
    for link_id in qtfa.SECTION_ITEMS[section]:
        n = link_id.split(".", 1)[1]
        if values.get(f"text_{n}"):
            text[link_id] = values[f"text_{n}"]
        else:
            text.pop(link_id, None)
        own = values.get(f"points_{n}")
        if new_rules is not None:
            new_rules["item_points"].pop(link_id, None)
        if not own:
            continue
        if new_rules is None or first is None:
            errors[f"points_{n}"] = "Set the section's response scale first, on the scoring page."
        elif len(own) != len(points):
            errors[f"points_{n}"] = f"Give {len(points)} numbers, one per response of the section."
        else:
            new_rules["item_points"][link_id] = list_as_table(first, own)
    return new_rules, text, errors


def read_import(text: str, code: str) -> dict[str, Any]:
    """A pasted export (``{"format", "questionnaire", "rules", "item_text"}``) or bare scoring
    rules, parsed: ``{"rules": ..., "item_text": ...}``. A JSON error names its line and
    column; a wrong shape names the field. The contents are checked by the action."""
    import json

    from django.core.exceptions import ValidationError

    from osseo.plausible import MAX_JSON_DEPTH, json_depth

    def refuse(words: str) -> ValidationError:
        return ValidationError({"rules": [words]})

    if json_depth(text, limit=MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise refuse(f"The JSON nests deeper than {MAX_JSON_DEPTH} levels.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise refuse(f"Line {exc.lineno}, column {exc.colno}: {exc.msg}.") from exc
    if not isinstance(data, dict):
        raise refuse("Line 1: give one JSON object (an exported file, or the scoring rules).")
    if "format" not in data:
        return {"rules": data}
    if data["format"] != EXPORT_FORMAT:
        raise refuse(f"format: expected {EXPORT_FORMAT!r}, found {data['format']!r}.")
    unknown = sorted(set(data) - {"format", "questionnaire", "rules", "item_text"})
    if unknown:
        raise refuse(f"{', '.join(unknown)}: not part of an exported file.")
    if data.get("questionnaire") != code:
        raise refuse(
            f"questionnaire: this file is for {data.get('questionnaire')!r}, not {code!r}."
        )
    rules, item_text = data.get("rules"), data.get("item_text")
    if rules is not None and not isinstance(rules, dict):
        raise refuse("rules: give an object, or null.")
    if item_text is not None and not isinstance(item_text, dict):
        raise refuse("item_text: give an object mapping items to their wording.")
    return {"rules": rules, "item_text": item_text if item_text is not None else None}


@dataclass(frozen=True)
class PartSummary:
    part: str
    label: str
    worded: int  # items (or responses) with the clinic's wording
    total: int
    own_points: int  # items scored with their own points


def config_summary(config: Any) -> list[PartSummary]:
    """How far each section's wording and own points are entered, for the settings page."""
    text = dict(getattr(config, "item_text", None) or {})
    own = ((getattr(config, "rules", None) or {}).get("item_points")) or {}
    return [
        PartSummary(
            section,
            label,
            sum(1 for link_id in qtfa.SECTION_ITEMS[section] if link_id in text),
            len(qtfa.SECTION_ITEMS[section]),
            sum(1 for link_id in qtfa.SECTION_ITEMS[section] if link_id in own),
        )
        for section, label in SECTIONS.items()
    ]


def fingerprint(value: Any) -> str:
    """A short digest of rules or wording, to tell whether they changed since a page was opened."""
    import hashlib
    import json

    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


_RULES_PATH = re.compile(
    r"^(source|validated|hours_per_day|section_points|item_points)((?:\[[^\]]+\])*)"
)
_WORDING_KEY = re.compile(r"^([\w.#-]+): ")


def line_of(text: str, message: str) -> int | None:
    """The line of an imported file a refusal is about, found from the field it names
    (``section_points['problem'][2]``, or a wording key): each key is looked for after the one
    before it, in the order the file nests them. None when the message names no field."""
    import json

    for prefix, outer in (
        ("These rules cannot be used: ", "rules"),
        ("This wording cannot be used: ", "item_text"),
    ):
        if not message.startswith(prefix):
            continue
        rest = message.removeprefix(prefix)
        if outer == "rules":
            found = _RULES_PATH.match(rest)
            if not found:
                return None
            keys = [found.group(1)] + [
                k.strip("'\"") for k in re.findall(r"\[([^\]]+)\]", found.group(2))
            ]
        else:
            found = _WORDING_KEY.match(rest)
            if not found:
                return None
            keys = [found.group(1)]
        cursor = 0
        if '"format"' in text:  # an exported file: the rules and wording are one level down
            keys = [outer, *keys]
        for key in keys:
            at = re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:").search(
                text, cursor
            )
            if at is None:
                break
            cursor = at.start()
        return text.count("\n", 0, cursor) + 1 if cursor else None
    return None
