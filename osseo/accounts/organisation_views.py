"""The organisation screens: a clinic administrator keeps their organisation's contact details
and (at a clinic) its rehabilitation partners; the installation's administrator lists and adds
organisations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from osseo.editing import save_edit
from osseo.patients.forms import apply_errors

from .contact import CONTACT_FIELDS
from .organisation_actions import update_organisation_contact
from .organisation_forms import ContactForm
from .permissions import has_permission


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
