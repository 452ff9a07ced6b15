"""Rehabilitation screens: referral and letter, plans with the load chart, follow-up, settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from osseo.accounts.clinic_settings import resolve
from osseo.accounts.models import ClinicSetting
from osseo.accounts.permissions import has_permission
from osseo.accounts.setting_words import in_words
from osseo.audit.services import record
from osseo.errors import Conflict
from osseo.pathway.queries import get_episode_for
from osseo.patients.forms import apply_errors
from osseo.patients.queries import get_patient_for, record_list_read
from osseo.patients.sites import PROFILES

from . import actions, charts, rules
from .forms import (
    SETTING_FIELDS,
    FollowUpForm,
    FunctionTestForm,
    LogCorrectionForm,
    LogForm,
    PlanForm,
    ReferralForm,
    SettingsForm,
    SheetForm,
    WithdrawForm,
)
from .letter import letter_context
from .models import FunctionTestKind, InformationSheet, LoadLog
from .queries import (
    follow_up_list,
    function_tests_of,
    get_plan_for,
    get_referral_for,
    partner_organisations,
    plan_progress,
    plans_of,
    prescription_on,
    protocols_for,
    referrals_of,
    sheets_for,
    tests_for,
    thresholds_for,
    visits_due_of,
)

# The follow-up visits named on the patient's pages: due within this many days, or overdue
# (the follow-up list's default window).
VISITS_WITHIN_DAYS = 30


def _status(*forms: Any) -> int:
    return 422 if any(f.is_bound and f.errors for f in forms) else 200


def trend_charts(patient: Any) -> list[dict[str, Any]]:
    """One small chart per function test that has results, with its rows for the table."""
    by_kind: dict[str, list[Any]] = {}
    for test in function_tests_of(patient):
        by_kind.setdefault(test.kind, []).append(test)
    out = []
    for kind, tests in by_kind.items():
        spec = rules.FUNCTION_TESTS[kind]
        label = FunctionTestKind(kind).label
        unit = spec.shown_unit
        out.append(
            {
                "kind": kind,
                "label": label,
                "unit": unit,
                "tests": tests,
                "svg": charts.trend_chart(
                    [(t.performed_on, t.value) for t in tests],
                    title=f"{label} over time" + (f" ({unit})" if unit else ""),
                    unit=unit,
                    chart_id=f"trend-{kind}",
                ),
            }
        )
    return out


def _rehab_forms(
    request: HttpRequest, protocols: list[Any], patient: Any
) -> tuple[ReferralForm, PlanForm, FunctionTestForm]:
    """The page's three forms, bound to the POST that named each. A plan offers only the
    protocols that apply to one of the patient's limbs' sites, and the tests those sites take."""
    protocol_choices = [(str(p.uuid), p.name) for p in protocols]
    limbs = list(patient.limbs.all())
    sites = {limb.site for limb in limbs}

    def named(p: Any) -> str:
        covered = ", ".join(PROFILES[s].label for s in p.sites if s in PROFILES)
        return f"{p.name} ({covered or 'no site named'})"

    plan_choices = [(str(p.uuid), named(p)) for p in protocols if sites & set(p.sites)]
    referral_form = ReferralForm(request.POST if "refer" in request.POST else None)
    referral_form.fields["organisation"].choices = [  # type: ignore[attr-defined]
        (str(o.uuid), o.name)
        for o in partner_organisations(request.user)  # type: ignore[arg-type]
    ]
    referral_form.fields["protocol"].choices = [("", "Not chosen"), *protocol_choices]  # type: ignore[attr-defined]
    plan_form = PlanForm(
        request.POST if "plan" in request.POST else None,
        initial={"start_date": timezone.localdate()},
    )
    plan_form.fields["protocol"].choices = plan_choices  # type: ignore[attr-defined]
    plan_form.fields["limb"].choices = [(str(limb.uuid), str(limb)) for limb in limbs]  # type: ignore[attr-defined]
    test_form = FunctionTestForm(
        request.POST if "test" in request.POST else None,
        initial={"performed_on": timezone.localdate()},
    )
    offered = tests_for(patient)
    test_form.fields["kind"].choices = [  # type: ignore[attr-defined]
        (code, label) for code, label in FunctionTestKind.choices if code in offered
    ]
    return referral_form, plan_form, test_form


def _rehab_page(
    request: HttpRequest, patient: Any, forms: tuple[Any, Any, Any], status: int
) -> HttpResponse:
    referral_form, plan_form, test_form = forms
    context = {
        "patient": patient,
        "referrals": list(referrals_of(patient)),
        "plans": list(plans_of(patient)),
        "referral_form": referral_form,
        "plan_form": plan_form,
        "test_form": test_form,
        "trends": trend_charts(patient),
        "sites": sorted({limb.get_site_display() for limb in patient.limbs.all()}),
        "withdraw_form": WithdrawForm(),
        "visits_due": visits_due_of(patient, timezone.localdate(), VISITS_WITHIN_DAYS),
        "visits_within": VISITS_WITHIN_DAYS,
        "visits_held": list(
            patient.follow_ups.select_related("episode__limb", "recorded_by").order_by(
                "-done_on", "-id"
            )
        ),
    }
    return render(request, "rehab/patient.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def patient_rehab(request: HttpRequest, patient_id: str) -> HttpResponse:
    user: Any = request.user
    writing = request.method == "POST"
    patient = get_patient_for(user, patient_id, audit_read=not writing)
    protocols = list(protocols_for(user))
    forms = referral_form, plan_form, test_form = _rehab_forms(request, protocols, patient)
    refused = False
    if writing:
        try:
            if "refer" in request.POST and referral_form.is_valid():
                get_patient_for(user, patient.uuid, permission="referral.manage", audit_read=False)
                data = referral_form.cleaned_data
                org = partner_organisations(user).get(uuid=data["organisation"])
                protocol = next((p for p in protocols if str(p.uuid) == data["protocol"]), None)
                actions.refer_patient(
                    actor=user,
                    patient=patient,
                    organisation=org,
                    protocol=protocol,
                    note=data["note"],
                )
                messages.success(request, f"Referred to {org.name}.")
                return redirect("rehab:patient", patient_id=patient.uuid)
            if "plan" in request.POST and plan_form.is_valid():
                get_patient_for(user, patient.uuid, permission="rehab.write", audit_read=False)
                data = plan_form.cleaned_data
                plan = actions.create_plan(
                    actor=user,
                    patient=patient,
                    protocol=next(p for p in protocols if str(p.uuid) == data["protocol"]),
                    start_date=data["start_date"],
                    body_weight_kg=data["body_weight_kg"],
                    limb=next(lb for lb in patient.limbs.all() if str(lb.uuid) == data["limb"]),
                )
                messages.success(request, "Plan made.")
                return redirect("rehab:plan", plan_id=plan.uuid)
            if "test" in request.POST and test_form.is_valid():
                get_patient_for(user, patient.uuid, permission="rehab.write", audit_read=False)
                actions.record_function_test(
                    actor=user, patient=patient, data=test_form.cleaned_data
                )
                messages.success(request, "Function test recorded.")
                return redirect("rehab:patient", patient_id=patient.uuid)
        except (ValidationError, Conflict) as exc:
            refused = isinstance(exc, Conflict)
            failed: Any = referral_form if "refer" in request.POST else plan_form
            apply_errors(test_form if "test" in request.POST else failed, exc)
    status = 409 if refused else _status(referral_form, plan_form, test_form)
    return _rehab_page(request, patient, forms, status)


@login_required
@require_POST
def referral_withdraw(request: HttpRequest, referral_id: str) -> HttpResponse:
    user: Any = request.user
    referral = get_referral_for(user, referral_id, permission="referral.manage")
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the referral is withdrawn.")
        return redirect("rehab:patient", patient_id=referral.patient.uuid)
    try:
        actions.withdraw_referral(actor=user, referral=referral, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except Conflict as exc:  # e.g. a colleague withdrew it a moment ago: show the page as it is
        messages.error(request, _refusal(exc))
        forms = _rehab_forms(request, list(protocols_for(user)), referral.patient)
        return _rehab_page(request, referral.patient, forms, 409)
    else:
        messages.success(request, f"Referral to {referral.organisation.name} withdrawn.")
    return redirect("rehab:patient", patient_id=referral.patient.uuid)


def _refusal(exc: Conflict) -> str:
    """A state refusal in one sentence for the messages: why, and what the move needs."""
    needs = "; ".join(m.label for m in exc.missing)
    return f"{exc} It needs: {needs}." if needs else str(exc)


@login_required
def referral_letter(request: HttpRequest, referral_id: str) -> HttpResponse:
    user: Any = request.user
    referral = get_referral_for(user, referral_id)
    record("rehab.letter.viewed", actor=user, patient=referral.patient, obj=referral)
    context = letter_context(referral, user)
    if request.GET.get("format") == "pdf":
        from weasyprint import HTML

        html = render_to_string(
            "rehab/letter_document.html", {**context, "pdf": True}, request=request
        )
        pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="osseo-referral-{referral.uuid}.pdf"'
        )
        return response
    return render(request, "rehab/letter.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan_detail(request: HttpRequest, plan_id: str) -> HttpResponse:
    user: Any = request.user
    writing = request.method == "POST"
    plan = get_plan_for(user, plan_id, permission="rehab.log" if writing else "patient.view")
    if not writing:
        record("patients.patient.viewed", actor=user, patient=plan.patient, obj=plan)
    today = timezone.localdate()
    form = LogForm(request.POST or None, initial={"date": today}).fit(plan)
    refused = False
    if writing and form.is_valid():
        try:
            log = actions.log_load(actor=user, plan=plan, data=form.cleaned_data)
        except (ValidationError, Conflict) as exc:
            refused = isinstance(exc, Conflict)
            apply_errors(form, exc)
        else:
            labels = ", ".join(rules.flag_label(f, plan.measure) for f in log.flags)
            messages.success(
                request, f"Logged {log.date:%d %b %Y}." + (f" Flags: {labels}." if labels else "")
            )
            return redirect("rehab:plan", plan_id=plan.uuid)
    progress = plan_progress(plan, today)
    rx = prescription_on(plan, today)
    # The walking aid is a lower-limb matter (the site profile, osseo/patients/sites.py).
    lower_limb = plan.limb is None or PROFILES[plan.limb.site].lower_limb
    context = {
        "plan": plan,
        "patient": plan.patient,
        "progress": progress,
        "rows": list(reversed(progress.days)),
        "chart": charts.load_chart(progress) if progress.days else None,
        "rx": rx,
        "form": form,
        "phases": plan.phases,
        "can_log": has_permission(user, "rehab.log"),
        "thresholds": thresholds_for(plan.patient),
        "flag_labels": {f: rules.flag_label(f, plan.measure) for f in rules.FLAG_LABELS},
        "unit_words": rules.MEASURE_WORDS[plan.measure],
        "what": charts.WHAT[plan.measure],
        "lower_limb": lower_limb,
        "columns": 6 + lower_limb + (plan.measure != "wear_hours"),
    }
    return render(request, "rehab/plan.html", context, status=409 if refused else _status(form))


@login_required
@require_http_methods(["GET", "POST"])
def correct_log(request: HttpRequest, log_id: str) -> HttpResponse:
    """Its author corrects a logged day, saying why (`actions.correct_load_log`): the flags are
    worked out again and the change, before and after, goes into the audit."""
    user: Any = request.user
    log = LoadLog.objects.select_related("plan").filter(uuid=log_id).first()
    if log is None:
        raise Http404("No such log.")
    plan = get_plan_for(user, log.plan.uuid, permission="rehab.log")
    if log.logged_by_id != user.pk:
        raise PermissionDenied("Only the person who logged a day corrects it.")
    initial = {
        "applied_kg": log.applied_kg,
        "pain_nrs": log.pain_nrs,
        "walking_aid": log.walking_aid,
        "wear_hours": log.wear_hours,
        "minutes": log.minutes,
    }
    form = LogCorrectionForm(request.POST or None, initial=initial)
    LogForm.fit(form, plan)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        data = {k: v for k, v in data.items() if k in form.fields}
        try:
            actions.correct_load_log(
                actor=user, log=log, data=data, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Corrected the log of {log.date:%d %b %Y}.")
            return redirect("rehab:plan", plan_id=plan.uuid)
    return render(
        request,
        "rehab/correct_log.html",
        {"form": form, "log": log, "plan": plan, "patient": plan.patient},
        status=_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_ups(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not has_permission(user, "followup.view"):
        raise PermissionDenied
    if request.method == "POST":
        episode = get_episode_for(
            user, request.POST.get("episode", ""), permission="followup.record"
        )
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                actions.record_follow_up(actor=user, episode=episode, **form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            except Conflict as exc:  # e.g. a colleague recorded the visit a moment ago
                messages.error(request, _refusal(exc))
                return _follow_up_page(request, status=409)
            else:
                messages.success(
                    request, f"Follow-up visit recorded for {episode.patient.display_name}."
                )
        else:
            messages.error(request, "Enter the date the patient was seen.")
        return redirect("rehab:follow_ups")
    return _follow_up_page(request)


def _follow_up_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    try:
        within = max(0, min(int(request.GET.get("within", VISITS_WITHIN_DAYS)), 366))
    except ValueError:
        within = VISITS_WITHIN_DAYS
    rows = follow_up_list(user, today, within)
    record_list_read(user, (str(r.patient.uuid) for r in rows), follow_up="all")
    schedule = resolve(user.membership.organisation, "follow_up_schedule")
    return render(
        request,
        "rehab/follow_ups.html",
        {
            "overdue": [r for r in rows if r.status == "overdue"],
            "due": [r for r in rows if r.status == "due"],
            "within": within,
            "today": today,
            "schedule": schedule,
            "can_record": has_permission(user, "followup.record"),
        },
        status=status,
    )


@login_required
def protocol_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not has_permission(user, "patient.view") or user.membership.role == "patient":
        raise PermissionDenied
    protocols = list(protocols_for(user))
    for p in protocols:
        p.site_labels = [PROFILES[s].label for s in p.sites if s in PROFILES]  # type: ignore[attr-defined]
    return render(request, "rehab/protocols.html", {"protocols": protocols})


@login_required
@require_http_methods(["GET", "POST"])
def rehab_settings(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not has_permission(user, "settings.manage"):
        raise PermissionDenied
    org = user.membership.organisation
    current = {key: resolve(org, key) for key in actions.REHAB_SETTINGS}
    under, over = current["rehab_under_loading_percent"], current["rehab_over_loading_percent"]
    schedule = current["follow_up_schedule"]
    initial = {
        "under_loading_percent": under.value,
        "over_loading_percent": over.value,
        "thresholds_source": under.source,
        "thresholds_validated": under.validated and not under.is_default,
        "schedule_months": ", ".join(str(m) for m in schedule.value.get("months", [])),
        "schedule_every": schedule.value.get("then_every_months", 0),
        "schedule_source": schedule.source,
        "schedule_validated": schedule.validated,
        "stoma_care_instructions": current["stoma_care_instructions"].value,
    }
    form = SettingsForm(request.POST if "save_settings" in request.POST else None, initial=initial)
    sheet_form = SheetForm(
        request.POST if "upload" in request.POST else None,
        request.FILES if "upload" in request.POST else None,
    )
    status = 200
    if request.method == "POST":
        try:
            if "save_settings" in request.POST and form.is_valid():
                theirs = form.changed_since_opened(initial)
                clash = [name for name in theirs if name in form.changed_data]
                if clash:  # a colleague changed what this user changed: show theirs, save nothing
                    form.show_colleague_changes(initial, theirs, clash, _last_set(org, clash))
                    status = 409
                else:
                    _save_settings(request, form, initial, theirs)
                    return redirect("rehab:settings")
            if "upload" in request.POST and sheet_form.is_valid():
                actions.upload_information_sheet(
                    actor=user,
                    title=sheet_form.cleaned_data["title"],
                    upload=sheet_form.cleaned_data["file"],
                )
                messages.success(request, "Information sheet uploaded.")
                return redirect("rehab:settings")
            if "retire" in request.POST:
                sheet = InformationSheet.objects.filter(
                    organisation=org, uuid=request.POST["retire"]
                ).first()
                if sheet is None:
                    raise Http404
                actions.retire_information_sheet(actor=user, sheet=sheet)
                messages.success(request, f"{sheet.title} removed.")
                return redirect("rehab:settings")
        except Conflict as exc:  # e.g. a colleague removed the sheet a moment ago
            messages.error(request, _refusal(exc))
            status = 409
        except ValidationError as exc:
            if "upload" in request.POST:
                apply_errors(sheet_form, exc)
            else:
                if hasattr(exc, "error_dict"):
                    exc = ValidationError(
                        {
                            {
                                "rehab_under_loading_percent": "under_loading_percent",
                                "rehab_over_loading_percent": "over_loading_percent",
                                "follow_up_schedule": "schedule_months",
                                "source": "thresholds_source",
                            }.get(k, k): v
                            for k, v in exc.error_dict.items()
                        }
                    )
                apply_errors(form, exc)
    return render(
        request,
        "rehab/settings.html",
        {
            "form": form,
            "sheet_form": sheet_form,
            "current": current,
            # Each setting in force, in words, with its source or "not validated".
            "now": {
                key: {
                    "words": in_words(key, setting.value, setting.spec.unit),
                    "source": setting.source if setting.validated else "",
                }
                for key, setting in current.items()
            },
            "sheets": InformationSheet.objects.filter(organisation=org, active=True),
        },
        status=status if status != 200 else _status(form, sheet_form),
    )


def _save_settings(
    request: HttpRequest, form: SettingsForm, now: dict[str, Any], theirs: list[str]
) -> None:
    """Write the settings this user changed, over the settings as they are now, so that a
    colleague's change to another field since the form was opened is kept."""
    merged = form.over(now)
    if not merged.is_valid():  # a value held now that the form refuses: shown beside its field
        raise ValidationError(dict(merged.errors.items()))
    d = merged.cleaned_data
    values = {
        "rehab_under_loading_percent": (
            d["under_loading_percent"],
            d["thresholds_source"],
            d["thresholds_validated"],
        ),
        "rehab_over_loading_percent": (
            d["over_loading_percent"],
            d["thresholds_source"],
            d["thresholds_validated"],
        ),
        "follow_up_schedule": (
            {"months": d["schedule_months"], "then_every_months": d["schedule_every"]},
            d["schedule_source"],
            d["schedule_validated"],
        ),
        "stoma_care_instructions": (d["stoma_care_instructions"], "", True),
    }
    actions.set_rehab_settings(
        actor=request.user,  # type: ignore[arg-type]
        settings={key: values[key] for key in form.settings_changed()},
    )
    if theirs:
        labels = ", ".join(str(form.fields[n].label) for n in theirs)
        messages.info(
            request,
            f"Saved. Since you opened the form, someone else changed {labels}; "
            "their changes were kept.",
        )
    messages.success(request, "Rehabilitation settings saved.")


def _last_set(org: Any, fields: list[str]) -> str:
    """Who set the clashing settings last and when: " (name, 4 Dec 2026 10:31)"."""
    keys = [k for k, names in SETTING_FIELDS.items() if set(names) & set(fields)]
    row = (
        ClinicSetting.objects.filter(organisation=org, key__in=keys)
        .select_related("set_by")
        .order_by("-set_at")
        .first()
    )
    if row is None:
        return ""
    return f" ({row.set_by.get_username()}, {timezone.localtime(row.set_at):%-d %b %Y %H:%M})"


@login_required
def sheet_download(request: HttpRequest, sheet_id: str) -> FileResponse:
    user: Any = request.user
    sheet = sheets_for(user).filter(uuid=sheet_id).first()
    if sheet is None:
        raise Http404("No such information sheet.")
    response = FileResponse(sheet.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="information-sheet-{sheet.uuid}.pdf"'
    return response
