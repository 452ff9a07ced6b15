"""The surgeon's screens: assessment, plan, operative record, devices, recall and the guide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from osseo.accounts.models import Organisation
from osseo.accounts.permissions import has_permission
from osseo.audit.services import record
from osseo.editing import VersionedForm, save_edit
from osseo.errors import Conflict, StaleVersion
from osseo.pathway.queries import get_episode_for
from osseo.patients import panels
from osseo.patients.forms import apply_errors
from osseo.patients.queries import record_list_read

from . import actions, guide, rules
from .forms import AmendForm, AssessmentForm, DeviceForm, PlanEditForm, PlanForm, ProcedureForm
from .models import ImplantCatalogueItem, Procedure, RecordStatus, SurgicalPlan
from .operative import record_diff
from .queries import (
    anaesthetic_history,
    get_device_for,
    get_procedure_for,
    mdt_colleagues,
    recall_search,
)
from .record_form import (
    build_record_form,
    grouped,
    record_changes,
    record_document,
    record_values,
    step_errors_to_form,
)


def fitting_items(
    organisation: Organisation,
    *,
    site: str,
    canal_diameter_mm: Any,
    usable_length_mm: Any,
    fixation: str | None = None,
) -> list[ImplantCatalogueItem]:
    items = {
        str(i.uuid): i
        for i in ImplantCatalogueItem.objects.filter(
            organisation=organisation,
            kind="implant",
            active=True,
            site=site,
            diameter_mm__isnull=False,
            length_mm__isnull=False,
        )
    }
    sizes = [
        rules.CatalogueSize(key, i.site, i.fixation, Decimal(i.diameter_mm), Decimal(i.length_mm))  # type: ignore[arg-type]
        for key, i in items.items()
    ]
    fits = rules.fitting_sizes(
        sizes,
        site=site,
        canal_diameter_mm=canal_diameter_mm,
        usable_length_mm=usable_length_mm,
        fixation=fixation,
    )
    return [items[s.key] for s in fits]


def _status(form: Any, refused: bool = False) -> int:
    """200; 409 when the action refused the move (`Conflict`, shown at the top of the form); 422
    for invalid input."""
    if refused:
        return 409
    return 422 if form.is_bound and form.errors else 200


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest, episode_id: str) -> HttpResponse:
    user: Any = request.user
    episode = get_episode_for(user, episode_id, permission="assessment.record", audit_read=True)
    form = AssessmentForm(
        request.POST or None,
        initial={"assessed_on": timezone.localdate()},
        colleagues=mdt_colleagues(episode.patient, user),
    )
    flags = actions.assessment_flags(episode, {})
    refused = False
    if request.method == "POST" and form.is_valid():
        data = form.action_data()
        flags = actions.assessment_flags(episode, data)
        try:
            actions.record_assessment(actor=user, episode=episode, data=data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            apply_errors(form, exc)
            refused = True
        else:
            messages.success(request, "Assessment recorded.")
            return redirect("patients:detail", patient_id=episode.patient.uuid)
    return render(
        request,
        "surgery/assessment_form.html",
        {"form": form, "episode": episode, "patient": episode.patient, "flags": flags},
        status=_status(form, refused),
    )


def _stage_2(plan: SurgicalPlan | None) -> tuple[Any, str]:
    stage2 = plan.stages.filter(number=2).first() if plan else None
    return (stage2.planned_date, stage2.outside_window_reason) if stage2 else (None, "")


def _plan_values(plan: SurgicalPlan) -> dict[str, Any]:
    """The plan's values as the form's fields hold them."""
    when, why = _stage_2(plan)
    return {
        "strategy": plan.strategy,
        "strategy_reason": plan.strategy_reason,
        "anaesthesia": plan.anaesthesia,
        "fixation": plan.fixation,
        "implant": str(plan.implant.uuid) if plan.implant else "",
        "planned_date": plan.planned_date,
        "stage_2_date": when,
        "stage_2_reason": why,
        "notes": plan.notes,
    }


def _plan_data(
    values: dict[str, Any], plan: SurgicalPlan | None, catalogue: list[ImplantCatalogueItem]
) -> dict[str, Any]:
    """The action's input from form fields (all of a new plan's, or the ones this user changed):
    the implant by its key, the stage-2 fields as the plan's stages, the field not changed taken
    from the plan as it is now."""
    data = dict(values)
    if "implant" in data:
        key = data.pop("implant")
        data["implant"] = next((i for i in catalogue if str(i.uuid) == key), None)
    if {"stage_2_date", "stage_2_reason", "strategy"} & data.keys():
        when, why = _stage_2(plan)
        data["stages"] = [
            {
                "planned_date": data.pop("stage_2_date", when),
                "outside_window_reason": data.pop("stage_2_reason", why),
            }
        ]
    return data


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, episode_id: str) -> HttpResponse:
    """Make the episode's plan, or change it: the edit form carries the version it was opened at
    and writes only what this user changed, keeping a colleague's change (osseo/editing.py)."""
    user: Any = request.user
    if not has_permission(user, "plan.edit"):
        return plan_read(request, episode_id)
    episode = get_episode_for(user, episode_id, permission="plan.edit", audit_read=True)
    plan = episode.plans.first()
    site = episode.limb.site
    assessment = episode.assessments.first()
    window = actions.stage_window(episode)
    preview = rules.plan_preview(site, episode.limb.side, stage_window=window)
    org = user.membership.organisation
    catalogue = list(
        ImplantCatalogueItem.objects.filter(
            organisation=org, kind="implant", active=True, site=site
        )
    )
    fitting: list[ImplantCatalogueItem] | None = None
    if assessment and assessment.canal_diameter_mm and assessment.usable_length_mm:
        fitting = fitting_items(
            org,
            site=site,
            canal_diameter_mm=assessment.canal_diameter_mm,
            usable_length_mm=assessment.usable_length_mm,
        )
    # A form opened to make the plan, sent after a colleague made one, shows theirs instead.
    made_meanwhile = request.method == "POST" and plan is not None and "version" not in request.POST
    data = None if made_meanwhile else request.POST or None
    form: PlanForm
    if plan:
        form = PlanEditForm(data, initial=_plan_values(plan), record=plan)
    else:
        initial = {"strategy": preview["strategy"], "fixation": preview["default_fixation"]}
        form = PlanForm(data, initial=initial)
    anaesthesia_field: Any = form.fields["anaesthesia"]
    anaesthesia_field.choices = [(o["code"], o["label"]) for o in preview["anaesthesia_options"]]
    listed = fitting if fitting is not None else catalogue
    implant_field: Any = form.fields["implant"]
    implant_field.choices = [("", "Not chosen yet")] + [(str(i.uuid), str(i)) for i in listed]
    status = 200
    if made_meanwhile:
        messages.error(
            request,
            "Someone else made this episode's plan since you opened the form; nothing of yours "
            "was saved. Their plan is shown: apply your changes to it.",
        )
        status = 409
    elif request.method == "POST" and form.is_valid():

        def save(values: dict[str, Any], if_match: str | None) -> None:
            if plan is None:
                actions.create_plan(
                    actor=user, episode=episode, data=_plan_data(values, None, catalogue)
                )
            else:
                actions.update_plan(
                    actor=user,
                    plan=plan,
                    data=_plan_data(values, plan, catalogue),
                    if_match=if_match,
                )

        try:
            if isinstance(form, PlanEditForm):
                assert plan is not None
                saved = save_edit(request, form, current=lambda: _plan_values(plan), save=save)
            else:
                save(form.cleaned_data, None)
                saved = True
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "stages.2" in exc.error_dict:
                exc.error_dict["stage_2_reason"] = exc.error_dict.pop("stages.2")
            apply_errors(form, exc)
        except Conflict as exc:
            apply_errors(form, exc)
            status = 409
        else:
            if saved:
                messages.success(request, "Plan saved.")
                return redirect("surgery:plan", episode_id=episode.uuid)
            status = 409
    if status == 200:
        status = _status(form)
    return render(
        request,
        "surgery/plan_form.html",
        {
            "form": form,
            "episode": episode,
            "patient": episode.patient,
            "plan": plan,
            "preview": preview,
            "window": window,
            "fitting": fitting,
            "assessment": assessment,
        },
        status=status,
    )


def plan_read(request: HttpRequest, episode_id: str) -> HttpResponse:
    """The plan as the rest of the team reads it (issue 22): the anaesthetist sees the
    anaesthesia chosen, the patient's relevant history and the stage dates before agreeing."""
    user: Any = request.user
    if request.method != "GET":
        raise PermissionDenied("Your role may not change the plan.")
    if user.membership.role == "patient":
        raise PermissionDenied
    episode = get_episode_for(user, episode_id, permission="patient.view", audit_read=True)
    plan = episode.plans.select_related("implant", "created_by", "anaesthesia_agreed_by").first()
    assessment = episode.assessments.first()
    return render(
        request,
        "surgery/plan_read.html",
        {
            "episode": episode,
            "patient": episode.patient,
            "plan": plan,
            "assessment": assessment,
            "history": anaesthetic_history(assessment),
            "anaesthesia": rules.ANAESTHESIA_LABELS.get(plan.anaesthesia, plan.anaesthesia)
            if plan
            else "",
            "stages": list(plan.stages.all()) if plan else [],
            "can_agree": plan is not None
            and plan.anaesthesia_agreed_by_id is None
            and has_permission(user, "plan.anaesthesia"),
        },
    )


@login_required
@require_POST
def plan_agree(request: HttpRequest, episode_id: str) -> HttpResponse:
    """The anaesthetist agrees the plan as the page showed it (its `version`): a plan changed
    since is not agreed unseen."""
    user: Any = request.user
    episode = get_episode_for(user, episode_id, permission="plan.anaesthesia")
    plan = episode.plans.first()
    if plan is None:
        raise PermissionDenied("There is no plan to agree yet.")
    try:
        actions.agree_anaesthesia(
            actor=user, plan=plan, if_match=request.POST.get("version", "").strip()[:20] or None
        )
    except StaleVersion:
        messages.error(
            request,
            "The plan was changed since you opened the page; nothing was agreed. "
            "Read it again and agree it if it suits.",
        )
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Anaesthesia plan agreed.")
    if request.POST.get("next") == "plan":
        return redirect("surgery:plan", episode_id=episode.uuid)
    return redirect("patients:detail", patient_id=episode.patient.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def procedure_new(request: HttpRequest, episode_id: str) -> HttpResponse:
    user: Any = request.user
    episode = get_episode_for(user, episode_id, permission="procedure.record", audit_read=True)
    plan = episode.plans.first()
    default_kind = "single_stage" if not plan or plan.strategy == "single_stage" else "stage_1"
    if plan and plan.strategy == "staged" and episode.procedures.filter(kind="stage_1").exists():
        default_kind = "stage_2"
    form = ProcedureForm(
        request.POST or None, initial={"kind": default_kind, "performed_on": timezone.localdate()}
    )
    refused = False
    if request.method == "POST" and form.is_valid():
        try:
            procedure = actions.start_procedure(actor=user, episode=episode, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            apply_errors(form, exc)
            refused = True
        else:
            return redirect("surgery:procedure", procedure_id=procedure.uuid)
    return render(
        request,
        "surgery/procedure_new.html",
        {"form": form, "episode": episode, "patient": episode.patient},
        status=_status(form, refused),
    )


def _procedure_context(
    procedure: Procedure, record_form: Any, device_form: Any, amend_form: Any
) -> dict[str, Any]:
    procedure = (
        Procedure.objects.select_related("patient", "limb", "episode", "surgeon", "signed_by")
        .prefetch_related("versions__author", "devices_placed")
        .get(pk=procedure.pk)
    )
    return {
        "procedure": procedure,
        "patient": procedure.patient,
        "steps": grouped(record_form),
        "record_form": record_form,
        "device_form": device_form,
        "amend_form": amend_form,
        "missing": [m.label for m in actions.sign_problems(procedure)]
        if procedure.status == RecordStatus.DRAFT
        else [],
        "versions": _history(list(procedure.versions.all())),
        "devices": list(procedure.devices_placed.all()),
        "signed": procedure.status == RecordStatus.SIGNED,
        "document": record_document(
            procedure.limb.site, procedure.current.data if procedure.current else {}
        ),
    }


def _history(versions: list[Any]) -> list[Any]:
    """The record's versions, newest first, each amendment with its field-by-field difference
    from the version before it."""
    previous: dict[str, Any] = {}
    for version in versions:
        version.diff = (
            record_diff(previous, version.data) + list(version.device_changes)
            if version.number > 1
            else []
        )
        previous = version.data
    return versions[::-1]


def _refusal(exc: Conflict) -> str:
    """A state refusal in one sentence, with what is missing."""
    if not exc.missing:
        return str(exc)
    return str(exc).rstrip(".") + ": " + " ".join(m.label for m in exc.missing)


@login_required
@require_http_methods(["GET", "POST"])
def procedure_detail(request: HttpRequest, procedure_id: str) -> HttpResponse:
    """The operative record. Its form carries the procedure's version and writes only what this
    user changed (a colleague's change is kept, or shown when it is to the same field); the
    sign-off carries the version too, so a record changed since it was read is not signed."""
    user: Any = request.user
    writing = request.method == "POST"
    procedure = get_procedure_for(
        user,
        procedure_id,
        permission="procedure.record" if writing else "patient.view",
        audit_read=not writing,
    )
    current = procedure.current
    site = procedure.limb.site
    signed = procedure.status == RecordStatus.SIGNED
    amending = writing and "amend" in request.POST
    signing = writing and "sign" in request.POST and not signed
    editing = writing and ("save_record" in request.POST or amending)
    record_form = build_record_form(
        site,
        data=request.POST if editing or signing else None,
        initial=current.data if current else {},
        record=procedure,
    )
    device_form = DeviceForm(request.POST if writing and "add_device" in request.POST else None)
    amend_form = AmendForm(request.POST if amending else None)
    status = 200

    def record_now() -> dict[str, Any]:
        latest = procedure.current
        return record_values(latest.data if latest else {})

    def save(edits: dict[str, Any], if_match: str | None) -> None:
        if amending:
            actions.amend_operative_record(
                actor=user,
                procedure=procedure,
                data=record_changes(edits),
                reason=amend_form.cleaned_data["reason"],
                if_match=if_match,
            )
        else:
            actions.save_operative_record(
                actor=user,
                procedure=procedure,
                data=record_changes(edits),
                merge=True,
                if_match=if_match,
            )

    if editing and record_form.is_valid() and (not amending or amend_form.is_valid()):
        assert isinstance(record_form, VersionedForm)
        try:
            saved = save_edit(request, record_form, current=record_now, save=save)
        except ValidationError as exc:
            step_errors_to_form(
                record_form, exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            )
        except Conflict as exc:
            apply_errors(record_form, exc)
            status = 409
        else:
            if saved:
                messages.success(
                    request, "Amendment saved as a new version." if amending else "Draft saved."
                )
                return redirect("surgery:procedure", procedure_id=procedure.uuid)
            status = 409
    elif writing and "add_device" in request.POST and device_form.is_valid():
        try:
            actions.place_device(
                actor=user,
                procedure=procedure,
                kind=device_form.cleaned_data["kind"],
                data=device_form.cleaned_data,
                confirm_expired=device_form.cleaned_data["confirm_expired"],
            )
            messages.success(request, "Device recorded.")
            return redirect("surgery:procedure", procedure_id=procedure.uuid)
        except ValidationError as exc:
            apply_errors(device_form, exc)
        except Conflict as exc:  # e.g. signed meanwhile: the device form is gone from the page
            messages.error(request, _refusal(exc))
            status = 409
    elif signing and record_form.is_valid():
        # One form: what is on the screen is validated and saved first, then signed as saved.
        assert isinstance(record_form, VersionedForm)
        edits = record_form.edits()
        opened = record_form.cleaned_data.get("version")
        saved = False
        try:
            if edits:
                actions.save_operative_record(
                    actor=user,
                    procedure=procedure,
                    data=record_changes(edits),
                    merge=True,
                    if_match=str(opened) if opened else None,
                )
                saved = True
                procedure.refresh_from_db()
            actions.sign_operative_record(
                actor=user,
                procedure=procedure,
                if_match=str(procedure.version) if saved else (str(opened) if opened else None),
            )
            messages.success(request, "Operative record signed.")
            return redirect("surgery:procedure", procedure_id=procedure.uuid)
        except StaleVersion:
            messages.error(
                request,
                "The record was changed by someone else since you opened it; nothing was "
                + ("saved or signed" if edits and not saved else "signed")
                + ". Read it again below and sign it if it is right.",
            )
            procedure.refresh_from_db()
            latest = procedure.current
            fresh = request.POST.copy() if edits and not saved else None
            if fresh is not None:  # what was typed stays on the screen, at the current version
                fresh["version"] = str(procedure.version)
            record_form = build_record_form(
                site, data=fresh, initial=latest.data if latest else {}, record=procedure
            )
            if fresh is not None:
                record_form.is_valid()
        except ValidationError as exc:
            step_errors_to_form(
                record_form, exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            )
            status = 422
        except Conflict as exc:
            messages.error(request, _refusal(exc))
            if saved:  # what was typed is kept: the page shows the saved draft
                messages.info(request, "Your changes were saved as the draft.")
                return redirect("surgery:procedure", procedure_id=procedure.uuid)
        if status == 200:
            status = 409
    if writing and status == 200:
        status = 422
    context = _procedure_context(procedure, record_form, device_form, amend_form)
    context["can_write"] = has_permission(user, "procedure.record")
    context["signed"] = signed or context["signed"]
    return render(request, "surgery/procedure.html", context, status=status)


RECALL_COLUMNS = (
    "patient",
    "record_number",
    "nhs_number",
    "email",
    "phone",
    "address",
    "part",
    "limb",
    "device_identifier",
    "lot",
    "serial",
    "placed_on",
    "state",
    "removed_on",
    "removal_reason",
)


def _recall_row(d: Any) -> dict[str, Any]:
    p = d.patient
    return {
        "patient": p.display_name,
        "record_number": getattr(p, "record_number", ""),
        "nhs_number": p.nhs_number,
        "email": p.email,
        "phone": p.phone,
        "address": " ".join(p.address.split()),
        "part": d.get_kind_display(),
        "limb": str(d.limb),
        "device_identifier": d.gtin or d.udi_di,
        "lot": d.lot,
        "serial": d.serial,
        "placed_on": d.placed_on.isoformat(),
        "state": d.get_status_display(),
        "removed_on": d.removed_on.isoformat() if d.removed_on else "",
        "removal_reason": d.get_removal_reason_display() if d.removal_reason else "",
    }


@login_required
def recall(request: HttpRequest) -> HttpResponse:
    """Which of my patients carry (or carried) a device of this identifier and/or lot: each with
    their contact details and the device's state; `?format=csv` exports the list for the clinic's
    letters, an audited read of every patient named."""
    user: Any = request.user
    if not has_permission(user, "patient.view") or user.membership.role == "patient":
        raise PermissionDenied
    gtin, lot = request.GET.get("gtin", "").strip()[:30], request.GET.get("lot", "").strip()[:20]
    devices = list(recall_search(user, gtin=gtin, lot=lot)[:500]) if (gtin or lot) else []
    export = request.GET.get("format") == "csv" and bool(gtin or lot)
    named = sorted({str(d.patient.uuid) for d in devices})
    if export:
        import csv

        record_list_read(user, named, recall={"gtin": gtin, "lot": lot}, export="csv")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="osseo-recall-{stamp}.csv"'
        writer = csv.DictWriter(response, fieldnames=RECALL_COLUMNS)
        writer.writeheader()
        for d in devices:
            writer.writerow(
                {  # a spreadsheet must not run a cell as a formula (CSV injection)
                    k: f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v
                    for k, v in _recall_row(d).items()
                }
            )
        return response
    record_list_read(user, named, recall={"gtin": gtin, "lot": lot})
    return render(
        request,
        "surgery/recall.html",
        {
            "gtin": gtin,
            "lot": lot,
            "devices": devices,
            "searched": bool(gtin or lot),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def device_detail(request: HttpRequest, device_id: str) -> HttpResponse:
    """One device: its UDI, where and when it was placed and removed, and the recall search for
    its lot."""
    user: Any = request.user
    device = get_device_for(user, device_id)
    record("patients.patient.viewed", actor=user, patient=device.patient, obj=device)
    # The device's own slot of the patient page's panels (e.g. the connectors' due date).
    page = panels.Page(user=user, patient=device.patient, today=timezone.localdate())
    return render(
        request,
        "surgery/device.html",
        {"device": device, "patient": device.patient, "page": page},
    )


@login_required
def patient_guide(request: HttpRequest, episode_id: str) -> HttpResponse:
    user: Any = request.user
    episode = get_episode_for(user, episode_id, audit_read=False)
    record("surgery.guide.viewed", actor=user, patient=episode.patient, obj=episode)
    context = guide.guide_context(episode)
    if request.GET.get("format") == "pdf":
        from weasyprint import HTML

        html = render_to_string(
            "surgery/guide_document.html", {**context, "pdf": True}, request=request
        )
        pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="osseo-guide-{episode.uuid}.pdf"'
        return response
    return render(request, "surgery/guide.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def catalogue(request: HttpRequest) -> HttpResponse:
    """The clinic's implant and connector catalogue; clinic admins add and retire items."""
    from .forms import CatalogueForm

    user: Any = request.user
    if user.membership.role == "patient" or not user.membership.organisation.is_clinic:
        raise PermissionDenied
    can_manage = has_permission(user, "catalogue.manage")
    form = CatalogueForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        assert form is not None
        if "retire" in request.POST:
            item = ImplantCatalogueItem.objects.filter(
                uuid=request.POST.get("retire", ""), organisation=user.membership.organisation
            ).first()
            if item is not None:
                try:
                    actions.retire_catalogue_item(actor=user, item=item)
                except Conflict as exc:
                    messages.error(request, str(exc))
                else:
                    messages.success(request, f"{item} retired from the catalogue.")
            return redirect("surgery:catalogue")
        if form.is_valid():
            try:
                actions.add_catalogue_item(actor=user, data=form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Catalogue item added.")
                return redirect("surgery:catalogue")
    items = ImplantCatalogueItem.objects.filter(
        organisation=user.membership.organisation, active=True
    )
    status = 422 if form is not None and form.is_bound and form.errors else 200
    return render(
        request,
        "surgery/catalogue.html",
        {"items": items, "form": form, "can_manage": can_manage},
        status=status,
    )
