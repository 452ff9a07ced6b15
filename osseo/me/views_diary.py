"""The patient's loading diary, questionnaires and activity uploads under /me/ (issue 21, part B).

Each page is a patient's own (`patient_page`) and reads the record through `own_record`
(access-checked, audited); every write goes through the owning app's action, so the clinic's
screens and the API see the same rows: the rehab app's `log_load` and `correct_load_log`, the
outcomes app's `answer_own_questionnaire`, the connectors app's `import_own_daily_steps`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from osseo.connectors.actions import import_own_daily_steps
from osseo.connectors.api import MAX_STEPS_BYTES
from osseo.connectors.forms import StepsForm
from osseo.connectors.queries import activity_days
from osseo.connectors.stepsfile import StepsFileError, parse_steps_csv
from osseo.editing import apply_errors
from osseo.errors import Conflict
from osseo.outcomes.actions import answer_own_questionnaire
from osseo.outcomes.assigned import Assigned, definition_for
from osseo.outcomes.models import QuestionnaireResponse
from osseo.outcomes.rules import Question, questions_of
from osseo.patients.models import Patient
from osseo.rehab.actions import correct_load_log, log_load
from osseo.rehab.forms import LogCorrectionForm, LogForm
from osseo.rehab.models import LoadLog
from osseo.rehab.queries import get_plan_for

from . import diary as diaries
from .access import own_record, patient_page

# --- The loading diary ---------------------------------------------------------------------


def _patient_words(form: forms.Form, plan: Any) -> forms.Form:
    """The log's fields in the patient's words (the rehab app's form, for the clinic's staff)."""
    unit = diaries.AMOUNT_WORDS[plan.measure][1]
    words = {
        "date": "Day",
        "applied_kg": f"Load on the scale ({unit})",
        "wear_hours": "Hours you wore the prosthesis",
        "minutes": "Minutes of loading exercise",
        "pain_nrs": "Pain, from 0 (no pain) to 10 (the worst pain)",
        "walking_aid": "Walking aid",
        "reason": "What was wrong with the day's log?",
    }
    if plan.measure != "load":
        form.fields.pop("applied_kg", None)  # a programme in hours or minutes logs no load
    for name, field in form.fields.items():
        if name in words:
            field.label = words[name]
        if name == "pain_nrs":
            field.help_text = ""
    return form


@patient_page
@require_http_methods(["GET", "POST"])
def diary(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    writing = request.method == "POST"
    patient = own_record(request, audit_read=not writing)
    today = timezone.localdate()
    plans = diaries.current_plans(patient, today)
    posted = None
    status = 200
    if writing:
        posted = _own_plan(request, patient, request.POST.get("plan", ""))
    entries = []
    for plan in plans:
        bound = posted is not None and posted.pk == plan.pk
        form = _patient_words(
            LogForm(
                request.POST if bound else None,
                # Today, until today is logged: then the day is the patient's to choose.
                initial={"date": None if plan.logs.filter(date=today).exists() else today},
            ).fit(plan),
            plan,
        )
        if bound and form.is_valid():
            try:
                log = log_load(actor=user, plan=plan, data=form.cleaned_data)
            except (ValidationError, Conflict) as exc:
                status = 409 if isinstance(exc, Conflict) else 422
                apply_errors(form, exc)
            else:
                _say_feedback(request, plan, log)
                return redirect(f"{reverse('me:diary')}#plan-{plan.uuid}")
        elif bound:
            status = 422
        entries.append((diaries.diary_of(plan, today), form))
    return render(
        request,
        "me/diary.html",
        {
            "patient": patient,
            "entries": entries,
            "today": today,
            "head_only": _head_and_neck_only(patient),
        },
        status=status,
    )


def _head_and_neck_only(patient: Patient) -> bool:
    """Whether every limb of the patient's is a head or neck site: after their operation comes
    the epithesis, not a limb's rehabilitation (osseo/me/words.py, CRANIOFACIAL_PHASES)."""
    from osseo.sites import PROFILES

    sites = {limb.site for limb in patient.limbs.all()}
    return bool(sites) and all(PROFILES[s].guide_text == "craniofacial" for s in sites)


def _own_plan(request: HttpRequest, patient: Patient, plan_id: str) -> Any:
    plan = get_plan_for(request.user, plan_id, permission="rehab.log")  # type: ignore[arg-type]
    if plan.patient_id != patient.pk:
        raise Http404("No such plan.")
    return plan


def _say_feedback(request: HttpRequest, plan: Any, log: LoadLog) -> None:
    """Saved: today's log is read on the page, under today's prescription; another day's, with
    what it means, in the message."""
    from osseo.rehab.queries import prescription_on

    if log.date == timezone.localdate():
        messages.success(request, "Saved your log of today.")
        return
    said = diaries.feedback(plan, log, prescription_on(plan, log.date))
    text = f"Saved your log of {log.date:%-d %B}. " + " ".join(said.lines)
    if said.quote:
        text += f" Your programme says: “{said.quote}”"
    (messages.warning if said.warn else messages.success)(request, text)


@patient_page
@require_http_methods(["GET", "POST"])
def diary_correct(request: HttpRequest, log_id: str) -> HttpResponse:
    """The patient corrects a day they logged, saying what was wrong (`correct_load_log`: only
    the person who logged a day corrects it; the change goes into the audit)."""
    user: Any = request.user
    patient = own_record(request, audit_read=request.method == "GET")
    log = (
        LoadLog.objects.select_related("plan__limb")
        .filter(uuid=log_id, plan__patient=patient)
        .first()
    )
    if log is None:
        raise Http404("No such log.")
    if log.logged_by_id != user.pk:
        raise PermissionDenied("Only the person who logged a day corrects it.")
    plan = log.plan
    initial = {
        "applied_kg": log.applied_kg,
        "pain_nrs": log.pain_nrs,
        "walking_aid": log.walking_aid,
        "wear_hours": log.wear_hours,
        "minutes": log.minutes,
    }
    form = LogCorrectionForm(request.POST or None, initial=initial)
    LogForm.fit(form, plan)  # type: ignore[arg-type]
    _patient_words(form, plan)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = {
                k: v for k, v in form.cleaned_data.items() if k != "reason" and k in form.fields
            }
            try:
                corrected = correct_load_log(
                    actor=user, log=log, data=data, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                _say_feedback(request, plan, corrected)
                return redirect(f"{reverse('me:diary')}#plan-{plan.uuid}")
    return render(
        request,
        "me/diary_correct.html",
        {"form": form, "log": log, "plan": plan, "what": diaries.AMOUNT_WORDS[plan.measure][0]},
        status=status,
    )


# --- Questionnaires --------------------------------------------------------------------------

ALL_LIMBS = "all"  # in a URL: a questionnaire asked once, not for one limb


def _limb_key(a: Assigned) -> str:
    return str(a.limb.uuid) if a.limb is not None else ALL_LIMBS


def _assignment(patient: Patient, code: str, limb: str, today: dt.date) -> Assigned:
    from osseo.outcomes.assigned import assigned_questionnaires

    for a in assigned_questionnaires(patient, today):
        if a.questionnaire.code == code and _limb_key(a) == limb:
            return a
    raise Http404("Your clinic has not asked you to answer this questionnaire.")


@patient_page
def questionnaires(request: HttpRequest) -> HttpResponse:
    patient = own_record(request)
    today = timezone.localdate()
    from osseo.outcomes.assigned import assigned_questionnaires

    asked = [
        {
            "a": a,
            "key": _limb_key(a),
            "limb": diaries.limb_words(a.limb) if a.limb else "",
            "progress": len(a.draft.answers) if a.draft else 0,
        }
        for a in assigned_questionnaires(patient, today)
    ]
    done = list(
        QuestionnaireResponse.objects.filter(patient=patient)
        .select_related("questionnaire", "limb")
        .order_by("-authored_on", "-id")[:20]
    )
    return render(
        request, "me/questionnaires.html", {"patient": patient, "asked": asked, "done": done}
    )


class AnswerForm(forms.Form):
    """One question's answer: one of the answers it offers, or a whole number within its bounds."""

    def __init__(self, *args: Any, question: Question, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if question.options:
            self.fields["answer"] = forms.TypedChoiceField(
                label=question.text,
                choices=[(str(n), words) for n, words in question.options],
                coerce=int,
                widget=forms.RadioSelect,
                required=False,
            )
        else:
            self.fields["answer"] = forms.IntegerField(
                label=question.text,
                min_value=question.low,
                max_value=question.high,
                required=False,
            )


@patient_page
@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, code: str, limb: str) -> HttpResponse:
    """One question at a time: each answer is saved as it is given (the patient may stop and
    come back to the same question); the last step sends the whole to the clinic."""
    user: Any = request.user
    writing = request.method == "POST"
    patient = own_record(request, audit_read=not writing)
    today = timezone.localdate()
    assigned = _assignment(patient, code, limb, today)
    q = assigned.questionnaire
    organisation = user.membership.organisation
    questions = questions_of(definition_for(organisation, q))
    saved: dict[str, int] = dict(assigned.draft.answers) if assigned.draft else {}
    url = reverse("me:questionnaire", args=[code, limb])
    review = request.GET.get("n") == "review" or request.POST.get("step") == "review"
    if review:
        return _review(request, assigned, questions, saved, url, writing)
    n = _question_number(request, questions, saved)
    question = questions[n - 1]
    initial = {"answer": saved.get(question.link_id)}
    form = AnswerForm(request.POST if writing else None, question=question, initial=initial)
    status = 200
    if writing:
        go = request.POST.get("go", "next")
        if form.is_valid():
            value = form.cleaned_data["answer"]
            try:
                if (
                    go != "skip"
                    and value not in (None, "")
                    and value != saved.get(question.link_id)
                ):
                    answer_own_questionnaire(
                        actor=user,
                        patient=patient,
                        questionnaire=q,
                        limb=assigned.limb,
                        answers={question.link_id: value},
                    )
            except ValidationError as exc:
                messages_for = exc.message_dict if hasattr(exc, "error_dict") else {}
                for words in messages_for.values():
                    for w in words:
                        form.add_error("answer", w)
            else:
                if go == "back":
                    target = max(1, n - 1)
                    return redirect(f"{url}?{urlencode({'n': target})}")
                if n >= len(questions):
                    return redirect(f"{url}?n=review")
                return redirect(f"{url}?{urlencode({'n': n + 1})}")
        status = 422
    return render(
        request,
        "me/question.html",
        {
            "assigned": assigned,
            "questionnaire": q,
            "question": question,
            "form": form,
            "n": n,
            "total": len(questions),
            "answered": len(saved),
            "url": url,
        },
        status=status,
    )


def _question_number(request: HttpRequest, questions: list[Question], saved: dict[str, int]) -> int:
    """The question asked for (?n=), else the first not answered yet (resuming), else the last."""
    raw = request.POST.get("n") or request.GET.get("n") or ""
    if raw.isdigit() and 1 <= int(raw) <= len(questions):
        return int(raw)
    for i, question in enumerate(questions, start=1):
        if question.link_id not in saved:
            return i
    return len(questions)


def _review(
    request: HttpRequest,
    assigned: Assigned,
    questions: list[Question],
    saved: dict[str, int],
    url: str,
    writing: bool,
) -> HttpResponse:
    """The last step: how many questions are answered, those skipped (to go back to), and the
    button that sends the answers to the clinic. No score is shown: it is the clinic's."""
    user: Any = request.user
    error = ""
    if writing and assigned.draft is None and assigned.last_answered == timezone.localdate():
        # Sent a moment ago (a second tap on the button, the page sent again): already with the
        # clinic, nothing more to send.
        messages.info(
            request, f"Your answers to {assigned.questionnaire.title} have gone to your clinic."
        )
        return redirect("me:questionnaires")
    if writing:
        try:
            answer_own_questionnaire(
                actor=user,
                patient=user.membership.patient,
                questionnaire=assigned.questionnaire,
                limb=assigned.limb,
                answers={},
                finish=True,
            )
        except ValidationError as exc:
            error = " ".join(w for words in exc.message_dict.values() for w in words)
        else:
            messages.success(
                request,
                f"Thank you. Your answers to {assigned.questionnaire.title} have gone to your "
                "clinic.",
            )
            return redirect("me:questionnaires")
    skipped = [(i, q) for i, q in enumerate(questions, start=1) if q.link_id not in saved]
    return render(
        request,
        "me/question_review.html",
        {
            "assigned": assigned,
            "questionnaire": assigned.questionnaire,
            "total": len(questions),
            "answered": len(saved),
            "skipped": skipped,
            "url": url,
            "error": error,
        },
        status=422 if error else 200,
    )


# --- Activity --------------------------------------------------------------------------------


class MyStepsForm(StepsForm):
    """The clinic's steps file form, in the patient's words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["steps_file"].label = "Your daily steps file (CSV)"


@patient_page
@require_http_methods(["GET", "POST"])
def activity(request: HttpRequest) -> HttpResponse:
    """Upload a daily steps file: the same file and checks as the clinic's import (each bad line
    named), all or nothing; then the last weeks' steps."""
    user: Any = request.user
    writing = request.method == "POST"
    patient = own_record(request, audit_read=not writing)
    today = timezone.localdate()
    form = MyStepsForm(request.POST or None, request.FILES or None)
    status = 200
    if writing:
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["steps_file"]
            try:
                if upload.size > MAX_STEPS_BYTES:
                    raise StepsFileError(["The file is larger than 10 MB."])
                days = parse_steps_csv(upload.read(), today=today, patient=patient)
                summary = import_own_daily_steps(
                    actor=user, patient=patient, days=days, source=str(upload.name)[:100]
                )
            except StepsFileError as exc:
                for problem in exc.problems:
                    form.add_error("steps_file", problem)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                added = summary.added + summary.changed
                messages.success(
                    request,
                    f"Thank you. {added} day{'s' if added != 1 else ''} of steps saved"
                    + (f" ({summary.unchanged} we already had)." if summary.unchanged else "."),
                )
                return redirect("me:activity")
    since = today - dt.timedelta(weeks=diaries.WEEKS_SHOWN) + dt.timedelta(days=1)
    held = list(activity_days(patient, since, today))
    return render(
        request,
        "me/activity.html",
        {"patient": patient, "form": form, "days": list(reversed(held)), "since": since},
        status=status,
    )
