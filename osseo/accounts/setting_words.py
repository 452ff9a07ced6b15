"""Each clinic setting's value in words, as the settings screen shows it: never a code or a
Python value ("{'months': [3, 6, 12]}"), always what a clinician would say."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .disciplines import Discipline
from .models import Role


def listing(words: Iterable[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    items = [w for w in words if w]
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _plural(number: Any, unit: str) -> str:
    """ "1 year", "2 years"; units that are not counted nouns stay as they are."""
    if unit.endswith("s") and str(number) == "1":
        unit = unit[:-1]
    return f"{number} {unit}"


def _site_label(site: str) -> str:
    from osseo.sites import PROFILES

    return PROFILES[site].label if site in PROFILES else site


def _test_label(code: str) -> str:
    from osseo.rehab.rules import FUNCTION_TESTS

    spec = FUNCTION_TESTS.get(code)
    return spec.display if spec else code


def _questionnaire_label(code: str) -> str:
    from osseo.outcomes.models import Questionnaire

    row = Questionnaire.objects.filter(code=code).only("title").first()
    return row.title if row else code


def site_profiles_in_words(value: dict[str, Any]) -> str:
    value = {site: entry for site, entry in value.items() if entry}
    if not value:
        return "Nothing added: each site keeps its own profile."
    parts = []
    for site, entry in value.items():
        adds = []
        if entry.get("function_tests"):
            adds.append("tests: " + listing(_test_label(t) for t in entry["function_tests"]))
        if entry.get("questionnaires"):
            adds.append(
                "questionnaires: "
                + listing(_questionnaire_label(q) for q in entry["questionnaires"])
            )
        if entry.get("load_recordings"):
            adds.append("load recordings as the wear basis")
        parts.append(f"{_site_label(site)}: {'; '.join(adds) if adds else 'nothing added'}")
    return ". ".join(parts) + "."


def in_words(key: str, value: Any, unit: str = "") -> str:
    """The value of setting `key` as a sentence fragment for the settings screen."""
    if key == "stage_window":
        return f"{value['min']} to {value['max']} {value['unit']}"
    if key == "follow_up_schedule":
        months = [int(m) for m in value.get("months", [])]
        every = int(value.get("then_every_months") or 0)
        at = f"At {listing(str(m) for m in months)} months" if months else "No fixed visits"
        then = f", then every {_plural(every, 'months')}" if every else ", then none"
        return f"{at} after surgery{then}"
    if key == "mdt_disciplines":
        labels = dict(Discipline.choices)
        return listing(str(labels.get(d, d)) for d in value)
    if key == "two_factor_roles":
        # In the roles' own order, as the form lists them.
        return listing(str(r.label) for r in Role if r.value in value) or "No role"
    if key == "stoma_care_instructions":
        return value if value else "Not written yet"
    if key == "password_max_age_days" and not value:
        return "Passwords do not expire"
    if key in ("rehab_under_loading_percent", "rehab_over_loading_percent"):
        return f"{value} % of the prescribed load"
    if key == "site_profiles":
        return site_profiles_in_words(value or {})
    if key == "follow_up_xray":
        return "Yes, at each visit" if value else "No"
    return _plural(value, unit) if unit else str(value)
