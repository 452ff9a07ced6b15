"""Every write of the connectors app, each through the action contract (`osseo.contract.action`):
the permission, one transaction, the rows it checks locked and re-read before their state is
checked, the audit entry. Invalid input is a ValidationError (422); a move the current state
forbids is a `Conflict` (409) naming what it is missing.

The actions that recompute a patient's forecasts lock the patient first, so that two of them for
the same patient (a replacement and a steps import, say) write its forecasts one after the other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from osseo.accounts.models import Organisation, User
from osseo.audit.labels import register
from osseo.audit.services import record
from osseo.contract import action, check_version, lock
from osseo.errors import Conflict, Missing, StaleVersion
from osseo.patients.models import Patient, ResidualLimb
from osseo.plausible import After, check_date
from osseo.surgery.actions import device_values
from osseo.surgery.lifecycle import mark_removed
from osseo.surgery.models import (
    CONNECTOR_KINDS,
    Device,
    DeviceStatus,
    ImplantCatalogueItem,
    RemovalReason,
)

from .models import (
    ActivityDay,
    BodyWeight,
    MaintenanceKind,
    MaintenanceOutcome,
    MaintenanceRecord,
    ServicePolicy,
    StepsBasis,
)

register(
    {
        "connectors.part.replaced": "Connector part replaced",
        "connectors.part.fitted": "Connector part fitted",
        "connectors.maintenance.recorded": "Connector maintenance recorded",
        "connectors.steps.imported": "Daily steps imported",
        "connectors.weight.recorded": "Body weight recorded",
        "connectors.policy.set": "Service policy set",
        "connectors.recording.submitted": "Load recording submitted",
        "connectors.recording.processed": "Load recording processed",
        "connectors.recording.refused": "Load recording refused",
        "connectors.recording.failed": "Load recording processing failed",
        "connectors.recording.requeued": "Load recording queued again",
    }
)

# A connector part comes off for one of these reasons (docs/sources.md#connector-parts);
# explantation is the implant's, recorded through a procedure.
REPLACEMENT_REASONS = [r for r in RemovalReason if r != RemovalReason.EXPLANTATION]
CONNECTOR_NOTES = "docs/sources.md#connector-parts"


def _fit(
    *,
    patient: Patient,
    limb: Any,
    kind: str,
    on: dt.date,
    data: dict[str, Any],
    confirm_expired: bool,
    catalogue_item: ImplantCatalogueItem | None,
) -> Device:
    values = device_values(data, used_on=on)  # expired on the day it was fitted, not today
    expired = values.pop("_expired")
    if expired and not confirm_expired:
        raise ValidationError(
            {
                "confirm_expired": [
                    f"This part expired on {values['expiry']:%d %b %Y}. "
                    "Confirm to record it anyway."
                ]
            }
        )
    return Device.objects.create(
        patient=patient,
        limb=limb,
        kind=kind,
        catalogue_item=catalogue_item,
        description=str(data.get("description") or (str(catalogue_item) if catalogue_item else ""))[
            :200
        ],
        size=str(data.get("size") or "")[:60],
        placed_on=on,
        placed_by=None,
        expired_use_confirmed=bool(expired and confirm_expired),
        **values,
    )


def _check_date(
    errors: dict[str, list[str]], name: str, on: Any, after: dt.date | None, patient: Patient
) -> None:
    """Inside the window of osseo/plausible.py; a replacement not before the old part's fitting."""
    check_date(errors, name, on, patient=patient, after=[After(after, "the old part's fitting")])


@action(permission="connector.replace", locks=["device"])
def replace_part(
    *,
    actor: User,
    device: Device,
    replaced_on: dt.date,
    reason: str,
    data: dict[str, Any],
    confirm_expired: bool = False,
    catalogue_item: ImplantCatalogueItem | None = None,
) -> Device:
    """Remove a connector part and fit its successor in one step (scanned or typed). The part is
    locked, so the same part replaced twice at once is replaced once; the second is refused."""
    errors: dict[str, list[str]] = {}
    if reason not in REPLACEMENT_REASONS:
        errors["reason"] = [f"Choose one of: {', '.join(REPLACEMENT_REASONS)}."]
    _check_date(errors, "replaced_on", replaced_on, device.placed_on, device.patient)
    if errors:
        raise ValidationError(errors)
    if device.kind not in CONNECTOR_KINDS:
        raise Conflict(
            "Only connector parts are replaced here; the implant is not.",
            missing=[
                Missing(
                    "connector_part",
                    "A connector part: dualcone, abutment, abutment screw, safety device or "
                    "adaptor",
                    CONNECTOR_NOTES,
                )
            ],
        )
    if device.status != DeviceStatus.IN_PLACE:
        when = f" on {device.removed_on:%-d %b %Y}" if device.removed_on else ""
        raise Conflict(
            f"This {device.get_kind_display().lower()} was already removed{when}.",
            missing=[
                Missing(
                    "part_in_place",
                    f"A {device.get_kind_display().lower()} in place, to be replaced",
                    CONNECTOR_NOTES,
                )
            ],
        )
    lock(device.patient)
    new = _fit(
        patient=device.patient,
        limb=device.limb,
        kind=device.kind,
        on=replaced_on,
        data=data,
        confirm_expired=confirm_expired,
        catalogue_item=catalogue_item,
    )
    mark_removed(device, on=replaced_on, reason=reason, replaced_by=new)
    record(
        "connectors.part.replaced",
        actor=actor,
        patient=device.patient,
        obj=new,
        changes={
            "kind": [None, device.kind],
            "replaces": [None, str(device.uuid)],
            "reason": [None, reason],
            "on": [None, replaced_on],
            "gtin": [device.gtin, new.gtin],
            "lot": [device.lot, new.lot],
            "serial": [device.serial, new.serial],
        },
    )
    from .forecasts import refresh_forecasts

    refresh_forecasts(device.patient)
    return new


@action(permission="connector.replace")
def fit_part(
    *,
    actor: User,
    limb: Any,
    kind: str,
    fitted_on: dt.date,
    data: dict[str, Any],
    confirm_expired: bool = False,
    catalogue_item: ImplantCatalogueItem | None = None,
) -> Device:
    """Fit a connector part that replaces none (e.g. a first safety device)."""
    errors: dict[str, list[str]] = {}
    if kind not in CONNECTOR_KINDS:
        errors["kind"] = [f"Choose one of: {', '.join(sorted(CONNECTOR_KINDS))}."]
    _check_date(errors, "fitted_on", fitted_on, limb.amputation_date, limb.patient)
    if errors:
        raise ValidationError(errors)
    lock(limb.patient)
    new = _fit(
        patient=limb.patient,
        limb=limb,
        kind=kind,
        on=fitted_on,
        data=data,
        confirm_expired=confirm_expired,
        catalogue_item=catalogue_item,
    )
    record(
        "connectors.part.fitted",
        actor=actor,
        patient=limb.patient,
        obj=new,
        changes={"kind": [None, kind], "gtin": [None, new.gtin], "lot": [None, new.lot]},
    )
    from .forecasts import refresh_forecasts

    refresh_forecasts(limb.patient)
    return new


@dataclass(frozen=True)
class ImportSummary:
    added: int
    changed: int
    unchanged: int
    first: dt.date | None
    last: dt.date | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "first_day": self.first,
            "last_day": self.last,
        }


def _insert_days(
    patient: Patient, rows: list[tuple[dt.date, int]], source: str, now: dt.datetime
) -> None:
    """Insert new days with one parameterised statement: the ORM's bulk_create spends most of a
    large import preparing values field by field (benchmarks/activity.py: 1,000 patients' years
    in under 10 s needs this)."""
    if not rows:
        return
    ops = connection.ops
    at = ops.adapt_datetimefield_value(now)
    table = ops.quote_name(ActivityDay._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (patient_id, date, steps, source, imported_at) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s)",
            [(patient.pk, ops.adapt_datefield_value(d), n, source, at) for d, n in rows],
        )


@action(permission="activity.import", locks=["patient"])
def import_daily_steps(
    *, actor: User, patient: Patient, days: dict[dt.date, int], source: str
) -> ImportSummary:
    """Save checked days (stepsfile.parse_steps_csv / check_days): all or nothing, idempotent.

    A day already held with the same count is left as it is; with another count, the new count
    replaces it (a wearable re-syncs a day it had only partly counted). The patient is locked,
    so two imports of the same days at once add each day once.
    """
    return _import_days(actor=actor, patient=patient, days=days, source=source)


@action(permission="activity.own", locks=["patient"])
def import_own_daily_steps(
    *, actor: User, patient: Patient, days: dict[dt.date, int], source: str
) -> ImportSummary:
    """The patient sends their own daily steps: the same checks, all or nothing, and the same
    forecasts as the clinic's import (import_daily_steps); audited with the patient as actor."""
    return _import_days(actor=actor, patient=patient, days=days, source=source)


@action(locks=["patient"])
def import_daily_steps_from_command_line(
    *, patient: Patient, days: dict[dt.date, int], source: str
) -> ImportSummary:
    """`osseo import-steps` without a user: the operator at the server is trusted, and the entry
    is audited with the command line as the actor (`acting_as`)."""
    return _import_days(actor=None, patient=patient, days=days, source=source)


def _import_days(
    *, actor: User | None, patient: Patient, days: dict[dt.date, int], source: str
) -> ImportSummary:
    if not days:
        raise ValidationError({"days": ["There are no days to import."]})
    first, last = min(days), max(days)
    problems: list[str] = []
    for day in sorted({first, last}):  # the window (osseo/plausible.py) holds all if these two
        found: dict[str, list[str]] = {}
        check_date(found, "days", day, patient=patient)
        problems += [f"{day.isoformat()}: {message}" for message in found.get("days", [])]
    if problems:
        raise ValidationError({"days": problems})
    now = timezone.now()
    held = dict(
        ActivityDay.objects.filter(patient=patient, date__gte=first, date__lte=last).values_list(
            "date", "steps"
        )
    )
    new = sorted((day, steps) for day, steps in days.items() if day not in held)
    differs = {day: steps for day, steps in days.items() if day in held and held[day] != steps}
    changed = list(ActivityDay.objects.filter(patient=patient, date__in=list(differs)))
    for row in changed:
        row.steps, row.source, row.imported_at = differs[row.date], source[:100], now
    _insert_days(patient, new, source[:100], now)
    ActivityDay.objects.bulk_update(changed, ["steps", "source", "imported_at"], batch_size=1000)
    summary = ImportSummary(len(new), len(changed), len(days) - len(new) - len(changed),
                            first, last)  # fmt: skip
    record(
        "connectors.steps.imported",
        actor=actor,
        patient=patient,
        obj=patient,
        changes={"steps": [None, {**summary.as_dict(), "source": source[:100]}]},
    )
    if new or changed:
        from .forecasts import refresh_forecasts

        refresh_forecasts(patient)
    return summary


@action(permission="activity.import", locks=["patient"])
def record_body_weight(
    *, actor: User, patient: Patient, measured_on: dt.date, weight_kg: Any
) -> BodyWeight:
    """A body-weight observation (LOINC 29463-7); the same day again replaces the value."""
    errors: dict[str, list[str]] = {}
    try:
        weight = Decimal(str(weight_kg)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        weight = None
    if weight is None or not Decimal("10") <= weight <= Decimal("400"):
        errors["weight_kg"] = ["Enter a body weight between 10 and 400 kg."]
    _check_date(errors, "measured_on", measured_on, None, patient)
    if errors:
        raise ValidationError(errors)
    assert weight is not None
    held = BodyWeight.objects.filter(patient=patient, measured_on=measured_on).first()
    before = held.weight_kg if held else None
    if held is None:
        held = BodyWeight.objects.create(
            patient=patient, measured_on=measured_on, weight_kg=weight, recorded_by=actor
        )
    else:
        held.weight_kg, held.recorded_by = weight, actor
        held.save(update_fields=["weight_kg", "recorded_by"])
    record(
        "connectors.weight.recorded",
        actor=actor,
        patient=patient,
        obj=held,
        changes={"weight_kg": [before, weight], "measured_on": [None, measured_on]},
    )
    from .forecasts import refresh_forecasts

    refresh_forecasts(patient)
    return held


POLICY_FIELDS = (
    "time_limit_months",
    "activity_limit_cycles",
    "reference_load_n",
    "sn_exponent_m",
    "steps_basis",
    "cycles_per_step",
    "cycles_per_step_min",
    "cycles_per_step_max",
    "overload_threshold_n",
)


def _positive(errors: dict[str, list[str]], name: str, value: Any, top: float) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors[name] = ["Enter a number."]
        return None
    if not 0 < number <= top:
        errors[name] = [f"Enter a number above 0 and at most {top:g}."]
        return None
    return number


def clean_policy(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    months = _positive(errors, "time_limit_months", values.get("time_limit_months"), 240)
    if months is not None and months != int(months):
        errors["time_limit_months"] = ["Enter a whole number of months."]
    clean: dict[str, Any] = {
        "time_limit_months": int(months) if months is not None else None,
        "activity_limit_cycles": _positive(
            errors, "activity_limit_cycles", values.get("activity_limit_cycles"), 1e12
        ),
        "reference_load_n": _positive(
            errors, "reference_load_n", values.get("reference_load_n"), 1e6
        ),
        "sn_exponent_m": _positive(errors, "sn_exponent_m", values.get("sn_exponent_m"), 30),
        "cycles_per_step": _positive(errors, "cycles_per_step", values.get("cycles_per_step"), 1e6),
        "cycles_per_step_min": _positive(
            errors, "cycles_per_step_min", values.get("cycles_per_step_min"), 1e6
        ),
        "cycles_per_step_max": _positive(
            errors, "cycles_per_step_max", values.get("cycles_per_step_max"), 1e6
        ),
        "overload_threshold_n": _positive(
            errors, "overload_threshold_n", values.get("overload_threshold_n"), 1e6
        ),
        "steps_basis": values.get("steps_basis") or StepsBasis.BODY_WEIGHT,
    }
    low, high = clean["cycles_per_step_min"], clean["cycles_per_step_max"]
    if (low is None) != (high is None):
        errors["cycles_per_step_max"] = ["Give the plausibility band's both ends, or neither."]
    elif low is not None and high is not None and low > high:
        errors["cycles_per_step_max"] = ["The band's upper end is at or above its lower end."]
    if clean["steps_basis"] not in StepsBasis.values:
        errors["steps_basis"] = [f"Choose one of: {', '.join(StepsBasis.values)}."]
    if clean["activity_limit_cycles"] is not None and not errors:
        for name in ("reference_load_n", "sn_exponent_m"):
            if clean[name] is None:
                errors[name] = ["An activity limit needs the reference load and the S-N exponent."]
        if clean["steps_basis"] == StepsBasis.PER_STEP and clean["cycles_per_step"] is None:
            errors["cycles_per_step"] = ["Give the equivalent cycles per step."]
    if errors:
        raise ValidationError(errors)
    return clean


class NoPolicyYet(StaleVersion):
    """If-Match names a version of a policy that is not set yet (RFC 9110 §13.1.1: 412)."""

    def __init__(self, kind: str, *, expected: str) -> None:
        Exception.__init__(
            self,
            f"No {kind} policy is set yet, so it has no version {expected}: send it without "
            "If-Match to set it.",
        )
        self.obj, self.expected, self.current = None, expected, ""


@action(permission="settings.manage")
def set_service_policy(
    *,
    actor: User,
    kind: str,
    values: dict[str, Any],
    source: str | None = None,
    validated: bool | None = None,
    organisation: Organisation | None = None,
    if_match: str | None = None,
) -> ServicePolicy:
    """The clinic's policy for one kind of connector part (clinic admins). No value is
    published (docs/sources.md#connector-parts): the policy reads "not validated" until validated
    with a source.

    The values named in `values` (the API's PUT names them all; the policies form, those its
    user changed), and the source and validation when given, are written over the current
    policy, locked and re-read; `if_match` refuses the change (412) once the policy is at another
    version (or, for a kind with no policy yet, always: there is no version to match)."""
    org = organisation or actor.membership.organisation
    if kind not in CONNECTOR_KINDS:
        raise ValidationError({"kind": [f"Choose one of: {', '.join(sorted(CONNECTOR_KINDS))}."]})
    policy = ServicePolicy.objects.select_for_update().filter(organisation=org, kind=kind).first()
    if policy is not None:
        check_version(policy, if_match)
    elif if_match:
        raise NoPolicyYet(kind, expected=if_match.strip())
    before: dict[str, Any] = (
        {f: getattr(policy, f) for f in (*POLICY_FIELDS, "source", "validated")} if policy else {}
    )
    source = before.get("source", "") if source is None else source.strip()[:300]
    validated = before.get("validated", False) if validated is None else validated
    errors: dict[str, list[str]] = {}
    if validated and not source:
        errors["source"] = ["Name the source that validates this policy."]
    try:
        clean = clean_policy(
            {
                **{f: before.get(f) for f in POLICY_FIELDS},
                **{k: v for k, v in values.items() if k in POLICY_FIELDS},
            }
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    clean.update(source=source, validated=validated)
    changes = {k: [before.get(k), v] for k, v in clean.items() if before.get(k) != v}
    if policy is not None and not changes:
        return policy
    created = policy is None
    if policy is None:
        policy = ServicePolicy(organisation=org, kind=kind)
    for name, value in clean.items():
        setattr(policy, name, value)
    policy.set_by, policy.set_at = actor, timezone.now()
    if created:
        try:
            with transaction.atomic():
                policy.save()
        except IntegrityError as exc:  # another admin set this kind's first policy just now
            raise Conflict(
                f"Someone else set the {kind} policy a moment ago: reload it and make your "
                "change again."
            ) from exc
    else:
        policy.save(update_fields=[*changes, "set_by", "set_at"])
    record(
        "connectors.policy.set",
        actor=actor,
        obj=policy,
        changes={**changes, "kind": [None, kind]},
    )
    from .forecasts import refresh_policy_forecasts

    refresh_policy_forecasts(policy)
    return policy


# Prosthesis components a limb's record lists (the component chain of
# docs/sources.md#implant-fixation: connector/adaptor, fail-safe (safety) device, external
# prosthesis: knee/foot or elbow/hand).
COMPONENT_KINDS = ("knee", "foot", "elbow", "hand", "wrist", "safety_device", "adaptor", "other")
MAX_TORQUE_NM = Decimal(200)  # plausibility bound of a torque wrench reading, not clinical


@action(permission="connector.replace", locks=["limb"])
def record_maintenance(
    *, actor: User, limb: ResidualLimb, data: dict[str, Any]
) -> MaintenanceRecord:
    """An inspection, cleaning, torque check (with its value and outcome), the prosthesis
    components fitted, or a fall or overload event, on one limb's connector parts. A fall or
    overload asks for an inspection of the limb's parts until an inspection or torque check in
    order (or adjusted) after it clears it; the forecasts are recomputed."""
    errors: dict[str, list[str]] = {}
    kind = data.get("kind") or ""
    if kind not in MaintenanceKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(MaintenanceKind.values)}."]
    on = data.get("performed_on")
    _check_date(errors, "performed_on", on, None, limb.patient)
    outcome = data.get("outcome") or ""
    if outcome and outcome not in MaintenanceOutcome.values:
        errors["outcome"] = [f"Choose one of: {', '.join(MaintenanceOutcome.values)}."]
    elif not outcome and kind in (MaintenanceKind.INSPECTION, MaintenanceKind.TORQUE_CHECK):
        errors["outcome"] = ["Record what the check found."]
    torque = None
    if kind == MaintenanceKind.TORQUE_CHECK:
        try:
            torque = Decimal(str(data.get("torque_nm")))
        except (InvalidOperation, ValueError):
            torque = None
        if torque is None or not torque.is_finite() or not 0 < torque <= MAX_TORQUE_NM:
            errors["torque_nm"] = ["Enter the torque applied, in N·m (above 0, at most 200)."]
    elif data.get("torque_nm") not in (None, ""):
        errors["torque_nm"] = ["A torque is recorded with a torque check only."]
    components: list[dict[str, str]] = []
    raw = data.get("components") or []
    if kind == MaintenanceKind.COMPONENTS:
        if not isinstance(raw, list) or not raw:
            errors["components"] = ["List the components fitted."]
        else:
            for n, item in enumerate(raw, start=1):
                ck = item.get("kind") if isinstance(item, dict) else None
                text = str(item.get("description") or "").strip() if isinstance(item, dict) else ""
                if ck not in COMPONENT_KINDS or not text or len(text) > 200:
                    errors[f"components.{n}"] = [
                        f"Give a kind ({', '.join(COMPONENT_KINDS)}) and a description "
                        "(at most 200 characters)."
                    ]
                else:
                    components.append({"kind": ck, "description": text})
    elif raw:
        errors["components"] = ["Components are recorded with 'components fitted' only."]
    device = data.get("device")
    if device is not None and (device.limb_id != limb.pk or device.kind not in CONNECTOR_KINDS):
        errors["device"] = ["Choose a connector part of this limb."]
    notes = str(data.get("notes") or "").strip()
    if len(notes) > 5000:
        errors["notes"] = ["At most 5000 characters."]
    if errors:
        raise ValidationError(errors)
    assert isinstance(on, dt.date)
    lock(limb.patient)
    entry = MaintenanceRecord.objects.create(
        patient=limb.patient,
        limb=limb,
        device=device,
        kind=kind,
        performed_on=on,
        torque_nm=torque,
        outcome=outcome,
        components=components,
        notes=notes,
        recorded_by=actor,
    )
    record(
        "connectors.maintenance.recorded",
        actor=actor,
        patient=limb.patient,
        obj=entry,
        changes={
            "kind": [None, kind],
            "performed_on": [None, on],
            **({"torque_nm": [None, str(torque)]} if torque is not None else {}),
            **({"outcome": [None, outcome]} if outcome else {}),
        },
    )
    from .forecasts import refresh_forecasts

    refresh_forecasts(limb.patient)
    return entry
