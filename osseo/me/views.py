"""The patient's own pages: where they are, their plan, guide, appointments, implant, details and
the clinic's contact details. Written for the patient, in the voice of the clinic's guide; they
read the record through `own_record` (access-checked and audited) and change it only through the
patients app's actions. The loading diary, questionnaires and activity live in views_diary.py.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from osseo.editing import apply_errors
from osseo.patients.actions import update_own_contact
from osseo.portal.me_queries import (
    appointment_words,
    my_appointments,
    my_parts,
    my_questionnaires,
    next_steps,
    service_due_on,
)
from osseo.rehab.queries import clinic_of, visits_due_of
from osseo.surgery.guide import ANAESTHESIA_WORDS, guide_context
from osseo.surgery.models import RecordStatus

from . import words
from .access import own_record, patient_page
from .queries import (
    access_history,
    care_team,
    grouped,
    history_line,
    my_episode,
    my_episodes,
)


@patient_page
def home(request: HttpRequest) -> HttpResponse:
    """Where they are on the pathway (each treated limb) and what comes next."""
    patient = own_record(request)
    today = timezone.localdate()
    user: Any = request.user
    steps = next_steps(
        user,
        patient,
        today,
        appointments=my_appointments(user),
        parts=my_parts(patient),
        questionnaires=my_questionnaires(patient, today),
    )
    journeys = []
    for e in my_episodes(patient):
        explanted_on = _explanted_on(e)
        journeys.append(
            {
                "episode": e,
                "limb": words.limb_words(e.limb),
                "words": words.EXPLANTED
                if explanted_on
                else words.phase_words(e.phase, e.limb.site),
                "steps": [] if explanted_on else words.pathway_steps(e.phase),
                "explanted_on": explanted_on,
                "operation_on": _planned_operation(e, today),
                "stages_done": _stages_done(e),
            }
        )
    return render(
        request,
        "me/home.html",
        {"patient": patient, "journeys": journeys, "next_steps": steps, "today": today},
    )


def _planned_operation(episode: Any, today: Any) -> Any:
    """The date of the episode's next planned operation (the plan's date, or a stage's), while
    it is being planned or operated; None when no date is set."""
    if episode.phase not in ("planning", "surgery"):
        return None
    plan = episode.plans.prefetch_related("stages").first()
    if plan is None:
        return None
    dates = [plan.planned_date, *(s.planned_date for s in plan.stages.all())]
    ahead = sorted(d for d in dates if d is not None and d >= today)
    return ahead[0] if ahead else None


def _explanted_on(episode: Any) -> Any:
    """The day a signed explantation took the limb's implant out, when it is the episode's
    latest operation and no implant is in place on the limb since; None otherwise (and once the
    episode is declined or closed, whose own words say where it stands)."""
    if episode.phase in ("declined", "closed"):
        return None
    latest = (
        episode.procedures.filter(status=RecordStatus.SIGNED)
        .order_by("-performed_on", "-id")
        .first()
    )
    if latest is None or latest.kind != "explantation":
        return None
    if episode.limb.devices.filter(kind="implant", status="in_place").exists():
        return None
    return latest.performed_on


def _stages_done(episode: Any) -> dict[str, Any] | None:
    """How far a staged plan has got between its operations, while the episode is in surgery:
    the stages signed (`done`) and planned (`total`, None when the plan lists no stages); None
    before the first operation, once the final stage is signed, or for a single-stage plan."""
    if episode.phase != "surgery":
        return None
    plan = episode.plans.prefetch_related("stages").first()
    if plan is None or plan.strategy != "staged":
        return None
    signed = episode.procedures.filter(status=RecordStatus.SIGNED, stage_number__isnull=False)
    if signed.filter(final_stage=True).exists():
        return None
    done = signed.values("stage_number").distinct().count()
    total = len(plan.stages.all()) or None
    if done == 0 or (total is not None and done >= total):
        return None
    return {"done": done, "total": total}


@patient_page
def plan(request: HttpRequest) -> HttpResponse:
    """Each treated limb's plan: site and side, one operation or more, the anaesthetic, the
    dates, and the operations done (signed records only)."""
    patient = own_record(request)
    plans = []
    for episode in my_episodes(patient):
        plan = episode.plans.select_related("implant").prefetch_related("stages").first()
        operations = list(
            episode.procedures.filter(status=RecordStatus.SIGNED).order_by("performed_on", "id")
        )
        parts = words.parts_words(plan, episode.limb.site)
        done = {op.stage_number: op.performed_on for op in operations if op.stage_number}
        plans.append(
            {
                "episode": episode,
                "limb": words.limb_words(episode.limb),
                "where": words.EXPLANTED
                if _explanted_on(episode)
                else words.phase_words(episode.phase, episode.limb.site),
                "plan": plan,
                "stages": [{"stage": s, "done_on": done.get(s.number)} for s in plan.stages.all()]
                if plan
                else [],
                "anaesthesia": ANAESTHESIA_WORDS.get(plan.anaesthesia, "") if plan else "",
                "operations": [
                    {"on": op.performed_on, "words": words.operation_words(op.kind, parts)}
                    for op in operations
                ],
            }
        )
    return render(request, "me/plan.html", {"patient": patient, "plans": plans})


@patient_page
def guide(request: HttpRequest) -> HttpResponse:
    """The personalised guide (osseo/surgery/guide.py) for one of the patient's episodes, on
    screen or as the PDF; a patient with more than one treated limb picks which."""
    patient = own_record(request)
    episode = my_episode(patient, request.GET.get("episode"))
    context = guide_context(episode) if episode else {}
    if episode is not None and request.GET.get("format") == "pdf":
        from weasyprint import HTML

        html = render_to_string(
            "surgery/guide_document.html",
            {**context, "pdf": True, "for_patient": True},
            request=request,
        )
        pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="my-osseointegration-guide.pdf"'
        return response
    choices = [(e, words.limb_words(e.limb)) for e in my_episodes(patient)]
    return render(
        request,
        "me/guide.html",
        {
            **context,
            "patient": patient,
            "episode": episode,
            "choices": choices if len(choices) > 1 else [],
            "for_patient": True,
        },
    )


@patient_page
def appointments(request: HttpRequest) -> HttpResponse:
    """Their booked appointments (read-only) and the follow-up visits the clinic is to book."""
    patient = own_record(request)
    user: Any = request.user
    booked = my_appointments(user)
    booked_days = {a.visit_due for a in booked if a.visit_due}
    to_book = [
        {"v": v, "limb": words.limb_words(v.episode.limb)}
        for v in visits_due_of(patient, timezone.localdate(), within_days=60)
        if v.visit.due not in booked_days
    ]
    return render(
        request,
        "me/appointments.html",
        {
            "patient": patient,
            "appointments": [{"a": a, "words": appointment_words(a)} for a in booked],
            "to_book": to_book,
            "organisation": clinic_of(patient),
        },
    )


@patient_page
def implant(request: HttpRequest) -> HttpResponse:
    """The implant and connector parts in place on each limb, when each part is due for a
    service (a month, from the clinic's forecast), what to do and whom to call."""
    patient = own_record(request)
    today = timezone.localdate()
    parts = {p.pk: p for p in my_parts(patient)}
    limbs: list[dict[str, Any]] = []
    in_place = (
        patient.devices.filter(status="in_place")
        .select_related("limb")
        .order_by("limb_id", "placed_on", "id")
    )
    for device in in_place:
        due = service_due_on(parts[device.pk]) if device.pk in parts else None
        entry = {
            "device": device,
            "name": device.get_kind_display(),
            "connector": device.pk in parts,
            "due_month": words.month_words(due) if due else "",
            "overdue": bool(due and due < today),
        }
        if not limbs or limbs[-1]["limb"] != device.limb:
            limbs.append(
                {
                    "limb": device.limb,
                    "words": words.limb_words(device.limb),
                    "care": words.parts_care(device.limb.site),
                    "devices": [],
                }
            )
        limbs[-1]["devices"].append(entry)
    in_place_limbs = {d.limb_id for d in in_place if d.kind == "implant"}
    taken_out = [
        {"words": words.limb_words(d.limb), "on": d.removed_on}
        for d in patient.devices.filter(kind="implant", status="removed")
        .select_related("limb")
        .order_by("removed_on", "id")
        if d.limb_id not in in_place_limbs
    ]
    return render(
        request,
        "me/implant.html",
        {
            "patient": patient,
            "limbs": limbs,
            "taken_out": taken_out,
            "organisation": clinic_of(patient),
        },
    )


class ContactForm(forms.Form):
    """The patient's own phone, e-mail and address (the rest of the record is the clinic's)."""

    phone = forms.CharField(label="Phone", max_length=40, required=False)
    email = forms.CharField(label="E-mail", max_length=254, required=False)
    address = forms.CharField(
        label="Address", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


@patient_page
@require_http_methods(["GET", "POST"])
def details(request: HttpRequest) -> HttpResponse:
    """Their contact details (changed through patients.actions.update_own_contact), who can see
    their record (the care team) and who did (their access history, in words)."""
    patient = own_record(request, audit_read=request.method == "GET")
    initial = {"phone": patient.phone, "email": patient.email, "address": patient.address}
    form = ContactForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                update_own_contact(
                    actor=request.user,  # type: ignore[arg-type]
                    patient=patient,
                    data={k: form.cleaned_data[k] for k in form.changed_data},
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Your details are saved.")
                return redirect("me:details")
        status = 422
    page = Paginator(access_history(patient), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "me/details.html",
        {
            "patient": patient,
            "form": form,
            "team": care_team(patient),
            "page": page,
            "history": grouped([history_line(e, request.user) for e in page.object_list]),
        },
        status=status,
    )


@patient_page
def contact(request: HttpRequest) -> HttpResponse:
    """The clinic's contact details and out-of-hours line, and their rehabilitation partners'."""
    patient = own_record(request)
    partners = [
        r.organisation
        for r in patient.referrals.filter(withdrawn_at__isnull=True).select_related("organisation")
    ]
    return render(
        request,
        "me/contact.html",
        {"patient": patient, "organisation": clinic_of(patient), "partners": partners},
    )
