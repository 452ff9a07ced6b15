"""The clinic's screens for patients: dashboard, list, record, and the forms that change them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page as DjangoPage
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from osseo.accounts.permissions import has_permission
from osseo.audit.labels import label_for
from osseo.audit.models import AuditEntry
from osseo.audit.services import record
from osseo.editing import save_edit

from . import actions, panels, worklist
from .due import next_due
from .forms import LimbForm, PatientEditForm, PatientForm, apply_errors
from .models import Patient, Site
from .queries import (
    LIST_SORTS,
    by_next_due,
    get_patient_for,
    patient_list_rows,
    phase_labels,
    record_list_read,
    search_patients,
)
from .validation import PATIENT_FIELDS


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    membership = getattr(request.user, "membership", None)
    if membership is not None and membership.role == "patient":
        return redirect("me:home")  # the patient's own pages (osseo/me)
    panels = worklist.panels_for(request.user, timezone.localdate())
    record_list_read(
        request.user,  # type: ignore[arg-type]
        (str(p.uuid) for panel in panels for p in panel.patients),
        list="dashboard worklist",
    )
    sections = [
        render_to_string(template, own, request)
        for template, own in worklist.sections_for(request.user)
    ]
    return render(request, "patients/dashboard.html", {"panels": panels, "sections": sections})


@login_required
def patient_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_permission(user, "patient.view"):  # type: ignore[arg-type]
        raise PermissionDenied
    query = request.GET.get("q", "")[:100]
    phase = request.GET.get("phase", "")
    qs = search_patients(user, query)  # type: ignore[arg-type]
    if phase:
        qs = qs.filter(episodes__phase=phase).distinct()
    sort = request.GET.get("sort", "name")
    sort = sort if sort.lstrip("-") in LIST_SORTS else "name"
    today = timezone.localdate()
    page: DjangoPage[Any]  # of patients, or of their ids when sorted by what is due
    rows: list[Any]
    if sort.lstrip("-") == "due":
        order, dues = by_next_due(user, qs, today, descending=sort.startswith("-"))  # type: ignore[arg-type]
        page = Paginator(order, 25).get_page(request.GET.get("page"))
        place = {pk: i for i, pk in enumerate(page.object_list)}
        loaded = patient_list_rows(Patient.objects.filter(pk__in=place), "name")
        rows = sorted(loaded, key=lambda p: place[p.pk])
    else:
        page = Paginator(patient_list_rows(qs, sort), 25).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        dues = next_due(user, Patient.objects.filter(pk__in=[p.pk for p in rows]), today)
    record_list_read(user, (str(p.uuid) for p in rows), search=query)  # type: ignore[arg-type]
    phases = phase_labels()
    sites = dict(Site.choices)
    for p in rows:
        p.phase_label = phases.get(p.current_phase or "", "—")
        p.site_label = sites.get(p.current_site or "", "—")
        p.due = dues.get(p.pk)
        p.overdue = p.due is not None and p.due.overdue(today)
    columns = [
        {
            "key": key,
            "label": label,
            "sort": ("ascending" if sort == key else "descending")
            if sort.lstrip("-") == key
            else "",
            "next": f"-{key}" if sort == key else key,
        }
        for key, label in [
            ("name", "Name"),
            ("birth_date", "Date of birth"),
            ("phase", "Phase"),
            ("site", "Site"),
            ("due", "Next due"),
        ]
    ]
    context = {
        "page": page,
        "rows": rows,
        "q": query,
        "phase": phase,
        "phase_label": phases.get(phase, phase),
        "sort": sort,
        "columns": columns,
    }
    template = "patients/_patient_rows.html" if request.htmx else "patients/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def patient_create(request: HttpRequest) -> HttpResponse:
    if not has_permission(request.user, "patient.create"):  # type: ignore[arg-type]
        raise PermissionDenied
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient = actions.create_patient(actor=request.user, data=form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("patients:detail", patient_id=patient.uuid)
    return render(
        request, "patients/form.html", {"form": form, "title": "New patient"}, status=_status(form)
    )


def _status(form: PatientForm | LimbForm) -> int:
    return 422 if form.is_bound and form.errors else 200


@login_required
def patient_detail(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The patient page: the panels the apps registered (osseo/patients/panels.py)."""
    patient = panels.patient_page(get_patient_for(request.user, patient_id))  # type: ignore[arg-type]
    page = panels.Page(user=request.user, patient=patient, today=timezone.localdate())  # type: ignore[arg-type]
    return render(request, "patients/detail.html", {"patient": patient, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id, permission="patient.edit")  # type: ignore[arg-type]

    def values() -> dict[str, Any]:
        return {name: getattr(patient, name) for name in PATIENT_FIELDS}

    def save(edits: dict[str, Any], if_match: str | None) -> None:
        actions.update_patient(
            actor=request.user,  # type: ignore[arg-type]
            patient=patient,
            data=edits,
            if_match=if_match,
        )

    form = PatientEditForm(request.POST or None, initial=values(), record=patient)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_edit(request, form, current=values, save=save)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if saved:
                return redirect("patients:detail", patient_id=patient.uuid)
            return render(
                request,
                "patients/form.html",
                {"form": form, "title": f"Edit {patient.display_name}", "patient": patient},
                status=409,
            )
    return render(
        request,
        "patients/form.html",
        {"form": form, "title": f"Edit {patient.display_name}", "patient": patient},
        status=_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def limb_create(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id, permission="limb.create")  # type: ignore[arg-type]
    form = LimbForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_limb(actor=request.user, patient=patient, data=form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("patients:detail", patient_id=patient.uuid)
    return render(
        request,
        "patients/limb_form.html",
        {
            "form": form,
            "patient": patient,
            "title": f"Add a residual limb for {patient.display_name}",
        },
        status=_status(form),
    )


@login_required
def access_history(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Who read or changed this patient's record (clinic admins)."""
    patient = get_patient_for(request.user, patient_id, permission="audit.view", audit_read=False)  # type: ignore[arg-type]
    record("audit.trail.viewed", actor=request.user, patient=patient, obj=patient)  # type: ignore[arg-type]
    entries = (
        AuditEntry.objects.filter(patient=patient)
        .select_related("actor", "organisation")
        .order_by("-seq")
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    rows = [{"entry": e, "label": label_for(e.action)} for e in page.object_list]
    return render(
        request, "patients/access_history.html", {"patient": patient, "page": page, "rows": rows}
    )
