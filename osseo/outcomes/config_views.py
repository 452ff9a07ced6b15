"""The clinic's Q-TFA rules and wording, entered item by item (the response scales on one page,
each section's items on its own), exported as JSON for clinics that share them and imported
back (on the settings page, osseo/outcomes/views.py). Every save goes through the same action
as the API, `configure_instrument`, which checks everything before it writes anything."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from osseo.accounts.clinic_settings import who_set
from osseo.accounts.permissions import has_permission
from osseo.editing import VersionedForm, save_edit
from osseo.errors import StaleVersion

from . import actions, scoring
from .config_forms import (
    EXPORT_FORMAT,
    SECTIONS,
    ItemsForm,
    ScalesForm,
    items_initial,
    rules_from_items,
    rules_from_scales,
    scales_initial,
)
from .instruments import qtfa
from .models import InstrumentConfig, Questionnaire
from .queries import get_questionnaire


def _configurable(request: HttpRequest, code: str) -> tuple[Any, Questionnaire]:
    user: Any = request.user
    if not has_permission(user, "settings.manage"):
        raise PermissionDenied
    questionnaire = get_questionnaire(code)
    if code not in scoring.CONFIGURABLE:
        raise PermissionDenied(f"{questionnaire.title} is scored as shipped.")
    return user, questionnaire


def _in_force(user: Any, questionnaire: Questionnaire) -> tuple[Any, dict[str, Any] | None, dict]:
    config = scoring.config_for(user.membership.organisation, questionnaire)
    if config is None:
        return None, None, {}
    return config, config.rules, dict(config.item_text or {})


def _edit(
    request: HttpRequest,
    questionnaire: Questionnaire,
    form: VersionedForm,
    initial: Callable[[], dict[str, Any]],
    build: Callable[[dict[str, Any]], tuple[Any, dict[str, str], dict[str, str]]],
) -> bool | None:
    """Save the form's edits over what is in force now; True when saved, False on a colleague's
    overlapping change, None when the values were refused (the form then carries the errors)."""
    user: Any = request.user

    def save(edits: dict[str, Any], if_match: str | None) -> None:
        values = {**initial(), **edits}
        rules, text, errors = build(values)
        if errors:
            raise ValidationError({name: [words] for name, words in errors.items()})
        try:
            actions.configure_instrument(
                actor=user,
                questionnaire=questionnaire,
                rules=rules,
                item_text=text,
                if_match=if_match,
            )
        except StaleVersion as exc:
            form.record = exc.obj
            raise

    try:
        return save_edit(
            request, form, current=initial, save=save, last_change=lambda: who_set(form.record)
        )
    except ValidationError as exc:
        for name, words in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, words)
        return None


def _record(user: Any, questionnaire: Questionnaire, config: Any) -> InstrumentConfig:
    return config or InstrumentConfig(
        organisation=user.membership.organisation, questionnaire=questionnaire
    )


@login_required
@require_http_methods(["GET", "POST"])
def instrument_scales(request: HttpRequest, code: str) -> HttpResponse:
    """Where the numbers were read, and every response scale: numbers, points, wording."""
    user, questionnaire = _configurable(request, code)
    config, _, _ = _in_force(user, questionnaire)

    def initial() -> dict[str, Any]:
        _, rules, text = _in_force(user, questionnaire)
        return scales_initial(rules, text)

    def build(values: dict[str, Any]) -> tuple[Any, dict[str, str], dict[str, str]]:
        _, rules, text = _in_force(user, questionnaire)
        new_rules, new_text = rules_from_scales(values, rules, text)
        return new_rules, new_text, {}

    form = ScalesForm(
        request.POST or None, initial=initial(), record=_record(user, questionnaire, config)
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        saved = _edit(request, questionnaire, form, initial, build)
        if saved:
            messages.success(request, f"{questionnaire.title}: response scales saved.")
            return redirect("outcomes:settings", code=code)
        status = 409 if saved is False else 422
    elif form.is_bound:
        status = 422
    return render(
        request,
        "outcomes/settings_scales.html",
        {"form": form, "questionnaire": questionnaire, "sections": SECTIONS},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def instrument_items(request: HttpRequest, code: str, section: str) -> HttpResponse:
    """One section's heading, and each item's wording and own points."""
    user, questionnaire = _configurable(request, code)
    if section not in SECTIONS:
        raise Http404
    config, _, _ = _in_force(user, questionnaire)

    def initial() -> dict[str, Any]:
        _, rules, text = _in_force(user, questionnaire)
        return items_initial(section, rules, text)

    def build(values: dict[str, Any]) -> tuple[Any, dict[str, str], dict[str, str]]:
        _, rules, text = _in_force(user, questionnaire)
        return rules_from_items(section, values, rules, text)

    form = ItemsForm(
        request.POST or None,
        section=section,
        initial=initial(),
        record=_record(user, questionnaire, config),
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        saved = _edit(request, questionnaire, form, initial, build)
        if saved:
            messages.success(request, f"{questionnaire.title}: {SECTIONS[section]} saved.")
            return redirect("outcomes:settings", code=code)
        status = 409 if saved is False else 422
    elif form.is_bound:
        status = 422
    rows = [
        (form[f"text_{link_id.split('.', 1)[1]}"], form[f"points_{link_id.split('.', 1)[1]}"])
        for link_id in qtfa.SECTION_ITEMS[section]
    ]
    return render(
        request,
        "outcomes/settings_items.html",
        {
            "form": form,
            "rows": rows,
            "questionnaire": questionnaire,
            "section": section,
            "section_label": SECTIONS[section],
        },
        status=status,
    )


@login_required
def instrument_export(request: HttpRequest, code: str) -> HttpResponse:
    """The clinic's rules and wording as one JSON file, for another clinic to import."""
    user, questionnaire = _configurable(request, code)
    _, rules, text = _in_force(user, questionnaire)
    body = {
        "format": EXPORT_FORMAT,
        "questionnaire": questionnaire.code,
        "rules": rules,
        "item_text": text,
    }
    response = HttpResponse(
        json.dumps(body, indent=2, ensure_ascii=False) + "\n",
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{questionnaire.code}-settings.json"'
    return response
