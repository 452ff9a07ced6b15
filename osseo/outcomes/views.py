"""Staff screens: enter a questionnaire response, read it, and set the clinic's Q-TFA rules."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from osseo.accounts.clinic_settings import who_set
from osseo.accounts.permissions import has_permission
from osseo.audit.services import record
from osseo.editing import save_edit
from osseo.errors import StaleVersion
from osseo.patients.forms import apply_errors
from osseo.patients.queries import get_patient_for

from . import actions, scoring
from .assigned import instrument_sites
from .config_forms import config_summary, fingerprint, line_of, read_import
from .forms import InstrumentConfigForm, answers_from, build_response_form
from .instruments import qtfa
from .models import InstrumentConfig
from .queries import get_questionnaire, get_response_for


def _status(form: Any, *, conflict: bool = False) -> int:
    if conflict:
        return 409
    return 422 if form.is_bound and form.errors else 200


@login_required
@require_http_methods(["GET", "POST"])
def response_new(request: HttpRequest, patient_id: str, code: str) -> HttpResponse:
    user: Any = request.user
    patient = get_patient_for(user, patient_id, permission="outcome.record")
    questionnaire = get_questionnaire(code)
    setup = scoring.scoring_for(user.membership.organisation, questionnaire)
    definition = setup.instrument.questionnaire
    form, rows = build_response_form(
        definition, request.POST or None, initial={"authored_on": timezone.localdate()}
    )
    # The limbs whose site profile takes this instrument (osseo/patients/sites.py).
    taking = instrument_sites(patient)
    if questionnaire.code not in taking:
        raise Http404(f"{questionnaire.title} does not apply to this patient's sites.")
    limbs = [
        lb
        for lb in taking[questionnaire.code]
        if not questionnaire.sites or lb.site in questionnaire.sites
    ]
    blank = [] if questionnaire.sites else [("", "Not for one limb")]
    choices = blank + [(str(lb.uuid), str(lb)) for lb in limbs]
    form.fields["limb"].choices = choices  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        limb_key = form.cleaned_data["limb"]
        try:
            response = actions.record_response(
                actor=user,
                patient=patient,
                questionnaire=questionnaire,
                data={
                    "authored_on": form.cleaned_data["authored_on"],
                    "answers": answers_from(form),
                    "limb": patient.limbs.filter(uuid=limb_key).first() if limb_key else None,
                },
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key in [k for k in exc.error_dict if k.startswith("answers.")]:
                    exc.error_dict[f"item_{key.removeprefix('answers.')}"] = exc.error_dict.pop(key)
            apply_errors(form, exc)
        else:
            messages.success(request, f"{questionnaire.title}: response saved.")
            return redirect("outcomes:response", response_id=response.uuid)
    return render(
        request,
        "outcomes/response_form.html",
        {
            "form": form,
            "rows": rows,
            "patient": patient,
            "questionnaire": questionnaire,
            "definition": definition,
            "setup": setup,
            # A clinic-supplied instrument with neither wording nor rules would be a page of
            # placeholders: it says "not configured yet" instead.
            "show_items": setup.configured
            or bool(setup.item_text)
            or questionnaire.code not in scoring.CONFIGURABLE,
        },
        status=_status(form),
    )


@login_required
def response_detail(request: HttpRequest, response_id: str) -> HttpResponse:
    user: Any = request.user
    response = get_response_for(user, response_id)
    record("patients.patient.viewed", actor=user, patient=response.patient, obj=response)
    labels = {s["code"]: s["label"] for s in response.questionnaire.scales}
    scores = [(labels.get(s.scale, s.scale), s.value) for s in response.scores.all()]
    return render(
        request,
        "outcomes/response_detail.html",
        {"response": response, "patient": response.patient, "scores": scores},
    )


def _with_line(text: str, message: str) -> str:
    """An import's refusal, with the line of the file it is about when it names a field."""
    line = line_of(text, message) if text.strip() else None
    return f"Line {line}: {message}" if line else message


@login_required
@require_http_methods(["GET", "POST"])
def instrument_settings(request: HttpRequest, code: str) -> HttpResponse:
    """Clinic admins supply the Q-TFA's scoring rules and item wording."""
    user: Any = request.user
    if not has_permission(user, "settings.manage"):
        raise PermissionDenied
    questionnaire = get_questionnaire(code)
    if code not in scoring.CONFIGURABLE:
        raise PermissionDenied(f"{questionnaire.title} is scored as shipped.")
    organisation = user.membership.organisation
    config = scoring.config_for(organisation, questionnaire)

    def values() -> dict[str, Any]:
        """The import box starts empty (the rules in force are edited item by item), beside the
        fingerprints of the rules and wording in force."""
        now = scoring.config_for(organisation, questionnaire)
        return {
            "rules": "",
            "rules_seen": fingerprint(now.rules if now else None),
            "wording_seen": fingerprint(now.item_text if now else {}),
        }

    def changed_since_opened() -> list[str]:
        """What the import would replace that someone changed since the page was opened."""
        touched = []
        text = form.cleaned_data.get("rules") or ""
        try:
            imported = read_import(text, code) if text.strip() else {}
        except ValidationError:
            imported = {}  # its errors are shown when it is saved
        if imported.get("rules") is not None:
            touched.append(("rules_seen", "the scoring rules"))
        if imported.get("item_text") is not None or form.cleaned_data.get("item_text_file"):
            touched.append(("wording_seen", "the wording"))
        now = values()
        return [
            words
            for name, words in touched
            if form.cleaned_data.get(name) and form.cleaned_data[name] != now[name]
        ]

    form = InstrumentConfigForm(
        request.POST or None,
        request.FILES or None,
        initial=values(),
        record=config or InstrumentConfig(organisation=organisation, questionnaire=questionnaire),
    )

    def save(edits: dict[str, Any], if_match: str | None) -> None:
        imported = read_import(edits["rules"], questionnaire.code) if edits.get("rules") else {}
        try:
            actions.configure_instrument(
                actor=user,
                questionnaire=questionnaire,
                rules=imported.get("rules"),
                item_text=imported.get("item_text"),
                item_text_file=edits.get("item_text_file"),
                if_match=if_match,
            )
        except StaleVersion as exc:
            form.record = exc.obj  # the row a colleague saved since the form was opened
            raise

    conflict = False
    if request.method == "POST" and form.is_valid():
        before = config.version if config else 1
        if not form.edits():
            messages.info(request, "Nothing changed: the rules are as they were, and no file.")
            return redirect("outcomes:settings", code=code)
        clash = changed_since_opened()
        if clash:
            config = scoring.config_for(organisation, questionnaire)
            form.add_error(
                None,
                f"Since you opened this page, someone else changed {' and '.join(clash)}"
                f"{who_set(config)}. Nothing was imported: look at their change, then import "
                "again if it should be replaced.",
            )
            conflict = True
        else:
            try:
                saved = save_edit(
                    request,
                    form,
                    current=values,
                    save=save,
                    last_change=lambda: who_set(form.record),
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "item_text" in exc.error_dict:
                    # The wording came in the imported JSON: its error belongs to the import box.
                    exc.error_dict.setdefault("rules", []).extend(exc.error_dict.pop("item_text"))
                if hasattr(exc, "error_dict") and "rules" in exc.error_dict:
                    exc = ValidationError(
                        {
                            **exc.error_dict,
                            "rules": [
                                _with_line(form.cleaned_data.get("rules") or "", message)
                                for error in exc.error_dict["rules"]
                                for message in error.messages
                            ],
                        }
                    )
                apply_errors(form, exc)
            else:
                if saved:
                    now = scoring.config_for(organisation, questionnaire)
                    if now is not None and now.version != before:
                        messages.success(request, f"{questionnaire.title}: settings saved.")
                    else:  # the rules sent are those in force: not set again
                        messages.info(request, "Nothing changed: the rules are as they were.")
                    return redirect("outcomes:settings", code=code)
                conflict = True
    return render(
        request,
        "outcomes/settings.html",
        {
            "form": form,
            "questionnaire": questionnaire,
            "config": config,
            "setup": scoring.scoring_for(organisation, questionnaire),
            "rules_shape": json.dumps(qtfa.rules_shape(), indent=2),
            "summary": config_summary(config),
        },
        status=_status(form, conflict=conflict),
    )
