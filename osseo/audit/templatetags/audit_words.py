"""An audit entry's changes in words: the field as a phrase, each value as the screens write it.

The log stores what changed as the actions wrote it (codes, ISO dates, lists, score tables);
the history page reads them without Osseo's code names: a choice code becomes its label (from
the models' choices), an ISO date the clinic's date in a `<time>` element, a list its items, a
table its "name: value" pairs; codes that are not a model's choices take the labels their apps
registered (osseo/audit/labels.py, register_values), and any other snake_case code its words.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from django import template
from django.apps import apps
from django.utils.dateformat import format as date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from osseo.audit.labels import VALUE_LABELS

register = template.Library()

_CODE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")  # snake_case, as codes are written
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:[+-]\d{2}:\d{2}|Z)?)?$")


@functools.cache
def _labels() -> dict[str, str]:
    """Every choice code of Osseo's models with its label (a code used by two fields with
    different labels keeps the first; both say the same thing in the cases that exist)."""
    labels: dict[str, str] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("osseo."):
            continue
        for f in model._meta.get_fields():
            for candidate in (f, getattr(f, "base_field", None)):
                for value, label in getattr(candidate, "flatchoices", None) or ():
                    if isinstance(value, str) and value:
                        labels.setdefault(value, str(label))
    for code, label in VALUE_LABELS.items():  # the codes the apps registered for their changes
        labels.setdefault(code, label)
    return labels


def _words(code: str) -> str:
    return code.replace("_", " ").replace("-", " ").capitalize()


@register.filter
def change_field(name: str) -> str:
    """`implant_insertion` -> "Implant insertion"."""
    return _words(str(name))


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return (
            "; ".join(
                f"{conditional_escape(_words(str(k)))}: {_value(v)}" for k, v in value.items()
            )
            or "—"
        )
    if isinstance(value, list | tuple):
        return "; ".join(_value(v) for v in value) or "none"
    if isinstance(value, float):  # a computed score (66.666…) to two decimals, no trailing 0s
        return f"{round(value, 2):,.12g}"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _ISO.match(text):
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return conditional_escape(text)
        shown = date_format(moment, "j M Y" if len(text) == 10 else "j M Y H:i")
        return format_html('<time datetime="{}">{}</time>', text, shown)
    if text in _labels():
        return conditional_escape(_labels()[text])
    if _CODE.match(text):  # a code no app labelled: its words, never the code itself
        return conditional_escape(_words(text))
    return conditional_escape(text)


@register.filter
def change_value(value: Any) -> SafeString:
    """A stored value as the screens write it (HTML: dates are `<time>` elements)."""
    return mark_safe(_value(value))  # noqa: S308  every part is escaped or built by format_html
