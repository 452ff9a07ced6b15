"""The screens: a patient's connector parts and activity, a part's replacement, a recording, the
clinic's list of parts due and its service policies."""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from osseo import charts
from osseo.accounts.permissions import has_permission
from osseo.audit.services import record
from osseo.editing import save_edit
from osseo.errors import Conflict
from osseo.patients.forms import apply_errors
from osseo.patients.queries import get_patient_for, record_list_read
from osseo.surgery.models import CONNECTOR_KINDS, DeviceKind

from . import actions
from .forecasts import parts_overview
from .forms import (
    MaintenanceForm,
    PolicyEditForm,
    PolicyForm,
    RecordingForm,
    ReplaceForm,
    StepsForm,
    WeightForm,
)
from .models import BodyWeight, ServicePolicy
from .queries import (
    activity_days,
    connector_history,
    due_parts,
    get_part_for,
    get_recording_for,
    maintenance_of,
    recordings_of,
)
from .recordings import submit_recording
from .requeue import retry_recording, retry_refusal
from .stepsfile import StepsFileError, parse_steps_csv

MAX_STEPS_BYTES = 10 * 1024 * 1024


def _status(*forms: Any) -> int:
    return 422 if any(f is not None and f.is_bound and f.errors for f in forms) else 200


@login_required
@require_http_methods(["GET", "POST"])
def patient_connectors(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Parts in place with their due dates, part histories, activity and recordings."""
    user: Any = request.user
    writing = request.method == "POST"
    patient = get_patient_for(
        user,
        patient_id,
        permission="activity.import" if writing else "patient.view",
        audit_read=not writing,
    )
    today = timezone.localdate()
    steps_form = StepsForm(request.POST, request.FILES) if "steps" in request.POST else StepsForm()
    weight_form = (
        WeightForm(request.POST)
        if "weight" in request.POST
        else WeightForm(initial={"measured_on": today})
    )
    recording_form = (
        RecordingForm(request.POST, request.FILES)
        if "recording" in request.POST
        else RecordingForm(initial={"recorded_on": today})
    )
    maintenance_form = (
        MaintenanceForm(request.POST)
        if "maintenance" in request.POST
        else MaintenanceForm(initial={"performed_on": today})
    )
    limbs = list(patient.limbs.all())
    maintenance_form.fields["limb"].choices = [(str(lb.uuid), str(lb)) for lb in limbs]  # type: ignore[attr-defined]
    recording_form.fields["limb"].choices = (  # type: ignore[attr-defined]
        [] if len(limbs) == 1 else [("", "Choose the limb")]
    ) + [(str(lb.uuid), str(lb)) for lb in limbs]
    refused = False
    if (
        writing
        and "maintenance" in request.POST
        and has_permission(user, "connector.replace")
        and maintenance_form.is_valid()
    ):
        data = dict(maintenance_form.cleaned_data)
        limb = next(lb for lb in limbs if str(lb.uuid) == data.pop("limb"))
        try:
            actions.record_maintenance(actor=user, limb=limb, data=data)
        except (ValidationError, Conflict) as exc:
            refused = isinstance(exc, Conflict)
            apply_errors(maintenance_form, exc)
        else:
            messages.success(request, "Maintenance recorded.")
            return redirect("connectors:patient", patient_id=patient.uuid)
    if writing and "steps" in request.POST and steps_form.is_valid():
        upload = steps_form.cleaned_data["steps_file"]
        try:
            if upload.size > MAX_STEPS_BYTES:
                raise StepsFileError(["The file is larger than 10 MB."])
            days = parse_steps_csv(upload.read(), today=today, patient=patient)
            summary = actions.import_daily_steps(
                actor=user, patient=patient, days=days, source=str(upload.name)[:100]
            )
        except StepsFileError as exc:
            for problem in exc.problems:
                steps_form.add_error("steps_file", problem)
        else:
            messages.success(
                request,
                f"Steps imported: {summary.added} day{'s' if summary.added != 1 else ''} added, "
                f"{summary.changed} changed, {summary.unchanged} already held.",
            )
            return redirect("connectors:patient", patient_id=patient.uuid)
    elif writing and "weight" in request.POST and weight_form.is_valid():
        try:
            actions.record_body_weight(actor=user, patient=patient, **weight_form.cleaned_data)
        except (ValidationError, Conflict) as exc:
            refused = isinstance(exc, Conflict)
            apply_errors(weight_form, exc)
        else:
            messages.success(request, "Body weight recorded.")
            return redirect("connectors:patient", patient_id=patient.uuid)
    elif writing and "recording" in request.POST and recording_form.is_valid():
        data = recording_form.cleaned_data
        try:
            recording, created = submit_recording(
                actor=user,
                patient=patient,
                upload=data["recording_file"],
                recorded_on=data["recorded_on"],
                channel=data["channel"] or "",
                rate_hz=data["rate_hz"],
                unit=data["unit"] or "",
                steps_during=data["steps_during"],
                limb=next(
                    (lb for lb in limbs if data.get("limb") and str(lb.uuid) == str(data["limb"])),
                    None,
                ),
            )
        except Conflict as exc:  # e.g. the clinic has no service policy to count it with
            refused = True
            apply_errors(recording_form, exc)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "file" in exc.error_dict:
                exc.error_dict["recording_file"] = exc.error_dict.pop("file")
            apply_errors(recording_form, exc)
        else:
            messages.success(
                request,
                "Recording queued for processing."
                if created
                else "This recording was already imported; nothing added.",
            )
            return redirect("connectors:recording", recording_id=recording.uuid)
    context = {
        "patient": patient,
        "parts": parts_overview(patient),
        "today": today,
        "history": connector_history(patient),
        "recent_days": list(activity_days(patient).reverse()[:14]),
        "day_count": activity_days(patient).count(),
        "weight": BodyWeight.objects.filter(patient=patient).order_by("-measured_on").first(),
        "recordings": list(recordings_of(patient)[:20]),
        "steps_form": steps_form,
        "weight_form": weight_form,
        "recording_form": recording_form,
        "maintenance": list(maintenance_of(patient)),
        "maintenance_form": maintenance_form,
        "can_import": has_permission(user, "activity.import"),
        "can_replace": has_permission(user, "connector.replace"),
    }
    status = _status(steps_form, weight_form, recording_form, maintenance_form) if writing else 200
    if refused:
        status = 409
    return render(request, "connectors/patient.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def replace(request: HttpRequest, device_id: str) -> HttpResponse:
    user: Any = request.user
    device = get_part_for(user, device_id, permission="connector.replace")
    if request.method == "GET":  # the form shows the part and its patient: a read
        record("patients.patient.viewed", actor=user, patient=device.patient, obj=device)
    form = ReplaceForm(request.POST or None, initial={"replaced_on": timezone.localdate()})
    refused = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.replace_part(
                actor=user,
                device=device,
                replaced_on=data["replaced_on"],
                reason=data["reason"],
                data=data,
                confirm_expired=data["confirm_expired"],
            )
        except (ValidationError, Conflict) as exc:  # Conflict: e.g. replaced a moment ago
            refused = isinstance(exc, Conflict)
            apply_errors(form, exc)
        else:
            messages.success(request, f"{device.get_kind_display()} replaced.")
            return redirect("connectors:patient", patient_id=device.patient.uuid)
    return render(
        request,
        "connectors/replace.html",
        {"form": form, "device": device, "patient": device.patient},
        status=409 if refused else _status(form),
    )


@login_required
def recording(request: HttpRequest, recording_id: str) -> HttpResponse:
    user: Any = request.user
    rec = get_recording_for(user, recording_id)
    partial = bool(getattr(request, "htmx", False))
    if not partial:
        record("patients.patient.viewed", actor=user, patient=rec.patient, obj=rec)
    return _recording_page(request, rec, partial=partial)


def _recording_page(
    request: HttpRequest, rec: Any, *, partial: bool = False, status: int = 200
) -> HttpResponse:
    user: Any = request.user
    rec = recordings_of(rec.patient).select_related("patient").get(pk=rec.pk)
    result = getattr(rec, "result", None)
    retryable = retry_refusal(rec) is None  # failed, or stale: the worker stopped
    context = {
        "recording": rec,
        "patient": rec.patient,
        "result": result,
        "matrix": matrix_chart(result.matrix) if result else None,
        "retryable": retryable,
        "can_retry": retryable and has_permission(user, "activity.import"),
    }
    template = "connectors/_recording_status.html" if partial else "connectors/recording.html"
    return render(request, template, context, status=status)


@login_required
@require_POST
def recording_retry(request: HttpRequest, recording_id: str) -> HttpResponse:
    """Queue a failed or stale recording again ("Retry processing")."""
    user: Any = request.user
    rec = get_recording_for(user, recording_id, permission="activity.import")
    try:
        retry_recording(actor=user, recording=rec)
    except Conflict as exc:  # processed, waiting, or still showing progress: the page says why
        messages.error(request, str(exc))
        return _recording_page(request, rec, status=409)
    messages.success(request, "Recording queued again for processing.")
    return redirect("connectors:recording", recording_id=rec.uuid)


@login_required
def due(request: HttpRequest) -> HttpResponse:
    """The clinic's connector parts due in the next N days, or overdue."""
    user: Any = request.user
    if not has_permission(user, "connectors.due_list") or user.membership.role == "patient":
        raise PermissionDenied
    try:
        within = max(0, min(int(request.GET.get("within_days", 30)), 3650))
    except ValueError:
        within = 30
    today = timezone.localdate()
    page = Paginator(due_parts(user, within_days=within, today=today), 50).get_page(
        request.GET.get("page")
    )
    record_list_read(
        user,
        sorted({str(f.device.patient.uuid) for f in page.object_list}),
        connectors_due=within,
    )
    return render(
        request, "connectors/due.html", {"page": page, "within_days": within, "today": today}
    )


POLICY_FORM_FIELDS = (*actions.POLICY_FIELDS, "source", "validated")


@login_required
@require_http_methods(["GET", "POST"])
def policies(request: HttpRequest) -> HttpResponse:
    """The clinic's service policy per connector kind (clinic admins set them). A policy already
    set is edited as opened (osseo/editing.py): a colleague's change since is kept, or shown when
    it is to a field this user changed too."""
    user: Any = request.user
    if user.membership.role == "patient" or not user.membership.organisation.is_clinic:
        raise PermissionDenied
    can_manage = has_permission(user, "settings.manage")
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    org = user.membership.organisation
    kind = request.POST.get("kind") or request.GET.get("kind") or "dualcone"
    if kind not in CONNECTOR_KINDS:
        kind = "dualcone"
    current = ServicePolicy.objects.filter(organisation=org, kind=kind).first()

    def values() -> dict[str, Any]:
        assert current is not None
        return {f: getattr(current, f) for f in POLICY_FORM_FIELDS}

    def save(edits: dict[str, Any], if_match: str | None) -> None:
        edits = dict(edits)
        source, validated = edits.pop("source", None), edits.pop("validated", None)
        actions.set_service_policy(
            actor=user,
            kind=kind,
            values=edits,
            source=source,
            validated=validated,
            if_match=if_match,
        )

    form: PolicyForm | None = None
    status = 200
    data = request.POST if request.method == "POST" else None
    if current is not None and can_manage:
        if data is not None and "unset" in data:  # opened before a colleague set it
            data = _as_opened(PolicyEditForm(record=current, initial=values()), data)
            messages.error(
                request,
                "Someone else set this policy since you opened the form: their values are "
                "beside yours. Save again to replace them with yours.",
            )
            form = PolicyEditForm(data, initial=values(), record=current)
            form.is_valid()
            status = 409
        else:
            form = PolicyEditForm(data, initial=values(), record=current)
    elif can_manage:
        form = PolicyForm(data, initial={"steps_basis": "body_weight"})
    if request.method == "POST" and status == 200 and form is not None and form.is_valid():
        try:
            if isinstance(form, PolicyEditForm):
                saved = save_edit(request, form, current=values, save=save)
            else:
                save(dict(form.cleaned_data), None)
                saved = True
        except (ValidationError, Conflict) as exc:
            status = 409 if isinstance(exc, Conflict) else 422
            apply_errors(form, exc)
        else:
            if saved:
                messages.success(request, "Service policy saved.")
                return redirect(f"{request.path}?kind={kind}")
            status = 409  # a colleague changed what this user changed: theirs is shown
    held = {
        p.kind: p for p in ServicePolicy.objects.filter(organisation=org).select_related("set_by")
    }
    rows = [
        (k, DeviceKind(k).label, held.get(k)) for k in DeviceKind.values if k in CONNECTOR_KINDS
    ]
    return render(
        request,
        "connectors/policies.html",
        {
            "rows": rows,
            "form": form,
            "kind": kind,
            "kind_label": DeviceKind(kind).label,
            "can_manage": can_manage,
            "unset": current is None,
        },
        status=status if status != 200 else _status(form),
    )


def _as_opened(opened: PolicyEditForm, sent: Any) -> Any:
    """What this user sent, as if they had opened the form at the policy as it is now."""
    data = sent.copy()
    data["version"] = str(opened.record.version)
    for name in opened.fields:
        if name != "version":
            bound = opened[name]
            data[opened.add_initial_prefix(name)] = bound.field.hidden_widget().format_value(
                bound.field.prepare_value(bound.initial)
            )
    return data


def matrix_chart(matrix: dict[str, Any]) -> dict[str, Any] | None:
    """The rainflow matrix as a grid of cells (range across, mean up), shaded by log count, on
    the shared chart frame; with the cycles by range for the table after it."""
    counts = matrix.get("counts") or []
    ranges, means = matrix.get("range_edges") or [], matrix.get("mean_edges") or []
    if not counts:
        return None
    nr, nm = len(counts), len(counts[0])
    biggest = max((c for row in counts for c in row), default=0.0)
    if biggest <= 0:
        return None

    def edge(values: list[float], k: int) -> str:
        v = values[k]
        return "∞" if abs(v) >= 1e14 else f"{v:,.0f}"

    x_axis = charts.Axis(
        0, nr, [0, nr - 1], [edge(ranges, 0), f"{edge(ranges, nr - 1)} and more"], "Range (N)"
    )
    y_axis = charts.Axis(0, nm, [1, nm - 1], [edge(means, 1), edge(means, nm - 1)], "Mean (N)")
    plot = charts.Plot(x_axis, y_axis, width=640, height=280)
    cw, ch = plot.inner_width / nr, plot.inner_height / nm
    for i, row in enumerate(counts):
        for j, c in enumerate(row):
            if c > 0:
                shade = 0.15 + 0.85 * math.log1p(c) / math.log1p(biggest)
                plot.raw(
                    f'<rect x="{plot.x(i):.1f}" y="{plot.y(j + 1):.1f}" width="{cw:.1f}" '
                    f'height="{ch:.1f}" fill="{charts.colour(0)}" fill-opacity="{shade:.2f}"/>'
                )
    desc = (
        f"Load cycles by range (across, {edge(ranges, 0)} N to {edge(ranges, nr - 1)} N and more) "
        f"and mean (up, {edge(means, 1)} to {edge(means, nm - 1)} N); darker cells hold more "
        "cycles. The table below gives the cycles by range."
    )
    return {
        "svg": plot.svg(chart_id="matrix", title="Rainflow matrix of the recording", desc=desc),
        "table": [
            (f"{edge(ranges, i)} to {edge(ranges, i + 1)}", f"{sum(row):,.1f}")
            for i, row in enumerate(counts)
            if sum(row) > 0
        ],
    }
