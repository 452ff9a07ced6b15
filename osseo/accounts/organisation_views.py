"""The organisation screens: a clinic administrator keeps their organisation's contact details
and (at a clinic) its rehabilitation partners; the installation's administrator lists and adds
organisations."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from osseo.editing import apply_errors, save_edit
from osseo.errors import Conflict

from .actions import create_user
from .contact import CONTACT_FIELDS
from .models import Organisation, OrganisationKind, Partnership, Role
from .organisation_actions import (
    add_organisation,
    add_partner,
    end_partnership,
    is_installation_admin,
    update_organisation_contact,
)
from .organisation_forms import ContactForm, OrganisationForm, PartnerForm
from .permissions import has_permission
from .queries import partnerships_of


@login_required
@require_http_methods(["GET", "POST"])
def organisation(request: HttpRequest) -> HttpResponse:
    """The organisation's contact details, as the guides, letters and patient pages show them."""
    user: Any = request.user
    if not has_permission(user, "organisation.contact"):
        raise PermissionDenied
    org = user.membership.organisation

    def values() -> dict[str, Any]:
        return {name: getattr(org, name) for name in CONTACT_FIELDS}

    def save(edits: dict[str, Any], if_match: str | None) -> None:
        update_organisation_contact(actor=user, organisation=org, data=edits, if_match=if_match)

    form = ContactForm(request.POST or None, initial=values(), record=org)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_edit(request, form, current=values, save=save)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if saved:
                messages.success(request, "Contact details saved.")
                return redirect("accounts:organisation")
            conflict = True
    status = 409 if conflict else 422 if form.is_bound and form.errors else 200
    return render(
        request, "accounts/organisation.html", {"organisation": org, "form": form}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def partners(request: HttpRequest) -> HttpResponse:
    """The rehabilitation partners the clinic refers patients to: referrals go only to these."""
    user: Any = request.user
    if not has_permission(user, "partners.manage"):
        raise PermissionDenied
    clinic = user.membership.organisation
    listed = list(partnerships_of(clinic))
    candidates = Organisation.objects.filter(
        kind=OrganisationKind.REHAB_PARTNER, demonstration=False
    ).exclude(pk__in=[p.partner_id for p in listed])
    form = PartnerForm(request.POST if "add" in request.POST else None)
    choices = [("", "Choose a partner"), *((str(o.uuid), o.name) for o in candidates)]
    form.fields["partner"].choices = choices  # type: ignore[attr-defined]
    conflict = False
    if request.method == "POST" and "end" in request.POST:
        partnership = (
            Partnership.objects.filter(uuid=request.POST.get("end", ""), clinic=clinic)
            .select_related("partner")
            .first()
        )
        if partnership is None:
            raise PermissionDenied
        try:
            end_partnership(actor=user, partnership=partnership)
        except Conflict as exc:
            messages.error(request, str(exc))
            conflict = True
        else:
            messages.success(
                request, f"{clinic.name} no longer refers to {partnership.partner.name}."
            )
            return redirect("accounts:partners")
    if request.method == "POST" and "add" in request.POST and form.is_valid():
        partner = candidates.get(uuid=form.cleaned_data["partner"])
        try:
            add_partner(actor=user, partner=partner)
        except (ValidationError, Conflict) as exc:
            apply_errors(form, exc)
            conflict = isinstance(exc, Conflict)
        else:
            messages.success(request, f"{partner.name} added: you can now refer patients to it.")
            return redirect("accounts:partners")
    status = 409 if conflict else 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "accounts/partners.html",
        {"clinic": clinic, "partnerships": listed, "form": form},
        status=status,
    )


ADMIN_FIELDS = {"username": "admin_username", "email": "admin_email"}


@login_required
@require_http_methods(["GET", "POST"])
def organisations(request: HttpRequest) -> HttpResponse:
    """The installation's administrator lists the organisations and adds clinics and partners."""
    user: Any = request.user
    if not is_installation_admin(user):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None)
    issued: dict[str, str] | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # the organisation and its administrator, or neither
                org = add_organisation(
                    actor=user, name=data["name"], slug=data["slug"], kind=data["kind"]
                )
                if data["admin_username"]:
                    password = secrets.token_urlsafe(12)
                    create_user(
                        actor=user,
                        username=data["admin_username"],
                        password=password,
                        role=Role.CLINIC_ADMIN,
                        organisation=org,
                        email=data["admin_email"],
                        must_change_password=True,
                    )
                    issued = {"username": data["admin_username"], "password": password}
        except ValidationError as exc:
            # The administrator's account fields carry the admin_ prefix on this form.
            renamed = {ADMIN_FIELDS.get(k, k): v for k, v in exc.message_dict.items()}
            apply_errors(form, ValidationError(renamed))
        else:
            messages.success(request, f"{org.name} added.")
            if issued is None:
                return redirect("accounts:organisations")
            form = OrganisationForm()
    listed = Organisation.objects.order_by("demonstration", "kind", "name")
    return render(
        request,
        "accounts/organisations.html",
        {"organisations": listed, "form": form, "issued": issued},
        status=422 if form.is_bound and form.errors else 200,
    )
