"""The public enquiry page (no account) and the coordinator's triage screens.

Which clinic receives a public enquiry: the one named in the URL, `/enquire/<clinic-slug>/`, so
several OI clinics can share one Osseo; `/enquire/` sends a visitor to the only clinic, or lets
them choose when there are several.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from osseo.accounts.clinic_settings import who_set
from osseo.accounts.models import Organisation
from osseo.accounts.permissions import has_permission
from osseo.editing import save_edit
from osseo.errors import Conflict, StaleVersion
from osseo.patients.forms import apply_errors
from osseo.patients.queries import get_patient_for

from . import actions, throttle
from .forms import (
    PUBLIC_SITES,
    ConversionForm,
    EnquiryForm,
    NoteForm,
    SettingsForm,
    StatusForm,
)
from .models import Enquiry, EnquirySettings, EnquirySource, EnquiryStatus
from .queries import (
    enquiry_page,
    get_enquiry_for,
    possible_duplicates,
    receiving_clinic,
    receiving_clinics,
    retention_for,
    triage_queue,
)
from .triage import MANUAL, conversion_refusal, next_statuses

log = logging.getLogger(__name__)


def _clinic(slug: str) -> Organisation:
    clinic = receiving_clinic(slug)
    if clinic is None:
        raise Http404("No clinic receives enquiries at this address.")
    return clinic


def _status(form: Any, *, conflict: bool = False) -> int:
    """409 when the enquiry's state refused the move, 422 for invalid input, else 200."""
    if conflict:
        return 409
    return 422 if form.is_bound and form.errors else 200


# The public side ------------------------------------------------------------------------------


def choose_clinic(request: HttpRequest) -> HttpResponse:
    clinics = list(receiving_clinics())
    if len(clinics) == 1:
        return redirect("portal:enquire", clinic_slug=clinics[0].slug)
    return render(request, "portal/choose_clinic.html", {"clinics": clinics})


@require_http_methods(["GET", "POST"])
def enquire(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    clinic = _clinic(clinic_slug)
    retention = retention_for(clinic)
    bound = request.POST if request.method == "POST" else None
    form = EnquiryForm(bound, retention_days=retention.days)
    context = {"form": form, "clinic": clinic, "retention": retention}
    if request.method == "POST":
        wait = throttle.refused(request)
        if wait is not None:
            response = render(request, "portal/too_many.html", {"clinic": clinic}, status=429)
            response["Retry-After"] = str(wait)
            return response
        if form.is_trapped():
            throttle.count_sent(request)
            log.info("Enquiry form honeypot filled in; nothing saved.")
            return redirect("portal:thanks", clinic_slug=clinic.slug)
        if form.is_valid():
            try:
                actions.receive_enquiry(
                    organisation=clinic,
                    data=form.cleaned_data,
                    source=EnquirySource.WEB,
                    base_url=request.build_absolute_uri("/"),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                throttle.count_sent(request)
                return redirect("portal:thanks", clinic_slug=clinic.slug)
    return render(request, "portal/enquire.html", context, status=_status(form))


def thanks(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    clinic = _clinic(clinic_slug)
    return render(
        request, "portal/thanks.html", {"clinic": clinic, "retention": retention_for(clinic)}
    )


# Triage ---------------------------------------------------------------------------------------


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    status = request.GET.get("status", "")
    if status not in EnquiryStatus.values:
        status = ""
    qs = triage_queue(user, status)  # type: ignore[arg-type]
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    counts = {s: triage_queue(user, s).count() for s in EnquiryStatus.values}  # type: ignore[arg-type]
    organisation = user.membership.organisation  # type: ignore[union-attr]
    return render(
        request,
        "portal/queue.html",
        {
            "page": page,
            "status": status,
            "tabs": [(s, EnquiryStatus(s).label, counts[s]) for s in EnquiryStatus.values],
            "retention": retention_for(organisation),
            "sites": dict(PUBLIC_SITES),
        },
    )


def _detail_context(request: HttpRequest, enquiry: Enquiry, **forms: Any) -> dict[str, Any]:
    choices = [(s, EnquiryStatus(s).label) for s in next_statuses(enquiry.status)]
    return {
        "enquiry": enquiry_page(enquiry),
        "note_form": forms.get("note_form") or NoteForm(),
        "status_form": forms.get("status_form") or StatusForm(choices=choices),
        "can_change_status": bool(choices),
        "retention": retention_for(enquiry.organisation),
        "public_site": dict(PUBLIC_SITES).get(enquiry.site, ""),
    }


@login_required
def detail(request: HttpRequest, enquiry_id: str) -> HttpResponse:
    enquiry = get_enquiry_for(request.user, enquiry_id)  # type: ignore[arg-type]
    return render(request, "portal/detail.html", _detail_context(request, enquiry))


@login_required
@require_POST
def add_note(request: HttpRequest, enquiry_id: str) -> HttpResponse:
    enquiry = get_enquiry_for(request.user, enquiry_id, audit_read=False)  # type: ignore[arg-type]
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            actions.add_note(actor=request.user, enquiry=enquiry, text=form.cleaned_data["text"])  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("portal:detail", enquiry_id=enquiry.uuid)
    context = _detail_context(request, enquiry, note_form=form)
    return render(request, "portal/detail.html", context, status=422)


@login_required
@require_POST
def change_status(request: HttpRequest, enquiry_id: str) -> HttpResponse:
    enquiry = get_enquiry_for(request.user, enquiry_id, audit_read=False)  # type: ignore[arg-type]
    # Any manual move is accepted here: the action decides on the locked enquiry whether its
    # status (perhaps changed by a colleague since the page was opened) allows it.
    form = StatusForm(request.POST, choices=[(s, EnquiryStatus(s).label) for s in MANUAL])
    if form.is_valid():
        try:
            actions.set_status(
                actor=request.user,  # type: ignore[arg-type]
                enquiry=enquiry,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except Conflict as exc:
            messages.error(request, str(exc))
            return render(
                request, "portal/detail.html", _detail_context(request, enquiry), status=409
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("portal:detail", enquiry_id=enquiry.uuid)
    choices = [(s, EnquiryStatus(s).label) for s in next_statuses(enquiry.status)]
    form.fields["status"].choices = choices  # type: ignore[attr-defined]
    context = _detail_context(request, enquiry, status_form=form)
    return render(request, "portal/detail.html", context, status=422)


def _initial(enquiry: Enquiry) -> dict[str, Any]:
    given, _, family = enquiry.name.rpartition(" ")
    return {
        "given_name": given or enquiry.name,
        "family_name": family if given else "",
        "email": enquiry.email,
        "phone": enquiry.phone,
        "site": enquiry.site,
        "side": enquiry.side,
        "cause": enquiry.cause,
    }


@login_required
@require_http_methods(["GET", "POST"])
def convert(request: HttpRequest, enquiry_id: str) -> HttpResponse:
    user = request.user
    enquiry = get_enquiry_for(user, enquiry_id, audit_read=request.method == "GET")  # type: ignore[arg-type]
    if not has_permission(user, "patient.create"):  # type: ignore[arg-type]
        raise PermissionDenied
    if request.method == "GET" and not enquiry.is_open:
        messages.error(request, f"This enquiry is {enquiry.get_status_display().lower()} already.")
        return redirect("portal:detail", enquiry_id=enquiry.uuid)
    initial = _initial(enquiry)
    form = ConversionForm(request.POST or None, initial=initial)
    conflict = False
    refusal = conversion_refusal(enquiry.status) if request.method == "POST" else None
    if refusal is not None:  # converted or closed since the form was opened (or a second click)
        apply_errors(form, refusal)
        conflict = True
    elif request.method == "POST" and form.is_valid():
        duplicates = possible_duplicates(
            user,  # type: ignore[arg-type]
            given_name=form.cleaned_data["given_name"],
            family_name=form.cleaned_data["family_name"],
            birth_date=form.cleaned_data["birth_date"],
            nhs_number=form.cleaned_data["nhs_number"],
        )
        if duplicates:
            form = ConversionForm(request.POST, initial=initial, duplicates=duplicates)
        if form.is_valid():
            choice = form.cleaned_data.get("link_to") or ""
            existing = (
                get_patient_for(user, choice, permission="limb.create", audit_read=False)  # type: ignore[arg-type]
                if choice not in ("", "new")
                else None
            )
            try:
                converted = actions.convert_enquiry(
                    actor=user,  # type: ignore[arg-type]
                    enquiry=enquiry,
                    patient_data=form.patient_data(),
                    limb_data=form.limb_data(),
                    existing_patient=existing,
                    create_new=choice == "new",
                )
            except Conflict as exc:  # converted or closed by a colleague at the same moment
                apply_errors(form, exc)
                conflict = True
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, "Enquiry converted: the patient is in the referral phase."
                )
                return redirect("patients:detail", patient_id=converted.patient.uuid)  # type: ignore[union-attr]
    return render(
        request,
        "portal/convert.html",
        {"form": form, "enquiry": enquiry, "public_site": dict(PUBLIC_SITES).get(enquiry.site)},
        status=_status(form, conflict=conflict),
    )


@login_required
@require_http_methods(["GET", "POST"])
def clinic_settings(request: HttpRequest) -> HttpResponse:
    """The clinic's enquiry settings. The form carries the version it was opened at: a colleague's
    change since is kept, or shown where both changed the same field."""
    user = request.user
    if not has_permission(user, "settings.manage"):  # type: ignore[arg-type]
        raise PermissionDenied
    organisation = user.membership.organisation  # type: ignore[union-attr]
    retention = retention_for(organisation)
    row = EnquirySettings.objects.select_related("set_by").filter(organisation=organisation).first()

    def values() -> dict[str, Any]:
        now = retention_for(organisation)
        current = EnquirySettings.objects.filter(organisation=organisation).first()
        return {
            "retention_days": now.days,
            "validated": now.validated,
            "basis": current.basis if current else "",
            "notify_email": current.notify_email if current else "",
        }

    form = SettingsForm(
        request.POST or None,
        initial=values(),
        record=row or EnquirySettings(organisation=organisation),
    )

    def save(edits: dict[str, Any], if_match: str | None) -> None:
        try:
            actions.set_enquiry_settings(actor=user, data=edits, if_match=if_match)  # type: ignore[arg-type]
        except StaleVersion as exc:
            form.record = exc.obj  # the row a colleague saved since the form was opened
            raise

    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_edit(
                request, form, current=values, save=save, last_change=lambda: who_set(form.record)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if saved:
                messages.success(request, "Enquiry settings saved.")
                return redirect("portal:settings")
            conflict = True
    return render(
        request,
        "portal/settings.html",
        {"form": form, "retention": retention},
        status=_status(form, conflict=conflict),
    )
