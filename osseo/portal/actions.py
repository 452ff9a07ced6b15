"""Every write to enquiries, each through the action contract (`osseo.contract`): the permission,
one transaction, the enquiry locked and re-read before its status is checked, the audit entry.

Audit entries about an enquiry name it by its UUID and never copy what the enquirer wrote (name,
contact details, health, notes): the audit log is never deleted, and an unconverted enquiry must be
gone, whole, after the clinic's retention period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from osseo.accounts.models import Organisation, User
from osseo.audit import context
from osseo.audit.labels import register
from osseo.audit.services import record
from osseo.contract import action, check_version, lock
from osseo.pathway.actions import open_episode
from osseo.pathway.models import Episode, Phase
from osseo.patients.actions import add_limb, create_patient
from osseo.patients.models import Patient
from osseo.patients.queries import patients_for

from .models import Enquiry, EnquiryNote, EnquirySettings, EnquirySource, EnquiryStatus
from .notify import send_receipt_emails
from .queries import expired_enquiries, possible_duplicates, retention_for
from .triage import conversion_refusal, input_problem, move_refusal
from .validation import NOTE_LIMIT, REASON_LIMIT, check_enquiry, clean_text

register(
    {
        "portal.enquiry.received": "Enquiry received",
        "portal.enquiry.viewed": "Enquiry viewed",
        "portal.enquiry.status_changed": "Enquiry status changed",
        "portal.enquiry.note_added": "Note added to an enquiry",
        "portal.enquiry.converted": "Enquiry converted into a patient and a referral",
        "portal.enquiry.purged": "Expired enquiries deleted",
        "portal.settings.changed": "Enquiry settings changed",
    }
)

RETENTION_MAX_DAYS = 3650


@action()
def receive_enquiry(
    *,
    organisation: Organisation,
    data: dict[str, Any],
    source: str = EnquirySource.WEB,
    base_url: str = "",
    notify: bool = True,
) -> Enquiry:
    """Save a public enquiry to a clinic; acknowledge it and tell the clinic once it is saved.
    From the public: no actor, so no permission; the contract gives it its one transaction."""
    if not organisation.is_clinic:
        raise ValidationError({"clinic": ["This organisation does not receive enquiries."]})
    cleaned = check_enquiry(data)
    cleaned.pop("consent")
    now = timezone.now()
    token = context.actor_label.set(f"public enquiry ({source})")
    try:
        enquiry = Enquiry.objects.create(
            organisation=organisation,
            source=source,
            received_at=now,
            status_changed_at=now,
            consented_at=now,
            retention_days=retention_for(organisation).days,
            **cleaned,
        )
        record(
            "portal.enquiry.received",
            actor=None,
            obj=enquiry,
            changes={"clinic": organisation.slug, "source": source, "site": cleaned["site"]},
        )
        if notify:
            transaction.on_commit(partial(send_receipt_emails, enquiry.pk, base_url))
    finally:
        context.actor_label.reset(token)
    return enquiry


@action(permission="enquiry.triage", locks=["enquiry"])
def set_status(
    *,
    actor: User,
    enquiry: Enquiry,
    status: str,
    reason: str = "",
    if_match: str | None = None,
) -> Enquiry:
    """Mark an enquiry contacted, or close it with a reason. A move its status forbids (it is
    closed or converted, or already contacted) is a `Conflict`, decided on the locked row."""
    errors: dict[str, list[str]] = {}
    reason = clean_text(errors, "reason", reason, REASON_LIMIT, multiline=True)
    problem = input_problem(status, reason)
    if problem and problem[0] not in errors:
        errors[problem[0]] = [problem[1]]
    if errors:
        raise ValidationError(errors)
    refusal = move_refusal(enquiry.status, status)
    if refusal is not None:
        raise refusal
    before = enquiry.status
    enquiry.status = status
    enquiry.status_changed_at = timezone.now()
    if status == EnquiryStatus.CLOSED:
        enquiry.close_reason = reason
    enquiry.save(update_fields=["status", "status_changed_at", "close_reason"])
    record(
        "portal.enquiry.status_changed",
        actor=actor,
        obj=enquiry,
        # The reason may name the enquirer: it stays on the enquiry, not in the audit log.
        changes={"status": [before, status], **({"reason_given": True} if reason else {})},
    )
    return enquiry


@action(permission="enquiry.triage", locks=["enquiry"])
def add_note(
    *, actor: User, enquiry: Enquiry, text: str, if_match: str | None = None
) -> EnquiryNote:
    """A coordinator's note; the enquiry is locked (a purge cannot delete it meanwhile) and its
    version rises, as the enquiry read lists its notes."""
    errors: dict[str, list[str]] = {}
    text = clean_text(errors, "text", text, NOTE_LIMIT, multiline=True)
    if not text and not errors:
        errors["text"] = ["Write the note."]
    if errors:
        raise ValidationError(errors)
    note = EnquiryNote.objects.create(enquiry=enquiry, author=actor, at=timezone.now(), text=text)
    enquiry.save(update_fields=[])
    record(
        "portal.enquiry.note_added",
        actor=actor,
        patient=enquiry.patient,
        obj=enquiry,
        changes={"note": [None, str(note.uuid)]},
    )
    return note


@action(permission="enquiry.triage", locks=["enquiry"])
def convert_enquiry(
    *,
    actor: User,
    enquiry: Enquiry,
    patient_data: dict[str, Any],
    limb_data: dict[str, Any],
    existing_patient: Patient | None = None,
    create_new: bool = False,
    if_match: str | None = None,
) -> Enquiry:
    """Turn an enquiry into a patient (new, or one already on record) with an episode in referral.

    The enquiry is locked before its status is checked, so converting it twice (two coordinators,
    or a double click) makes one patient and refuses the second with a `Conflict`. A new patient
    is refused while a patient in the clinic's care has the same NHS number, or the same name and
    date of birth, unless `create_new` confirms they are a different person; linking an existing
    patient reuses their limb on the same site and side, and its open episode if any. All or
    nothing: the patient, limb and episode actions run inside this one transaction.
    """
    refusal = conversion_refusal(enquiry.status)
    if refusal is not None:
        raise refusal
    reused_episode = False
    if existing_patient is not None:
        if not patients_for(actor).filter(pk=existing_patient.pk).exists():
            raise ValidationError({"patient": ["No such patient in your clinic's care."]})
        patient = existing_patient
        limb = patient.limbs.filter(site=limb_data.get("site"), side=limb_data.get("side")).first()
        if limb is None:
            limb = add_limb(actor=actor, patient=patient, data=limb_data)
    else:
        duplicates = possible_duplicates(
            actor,
            given_name=str(patient_data.get("given_name") or ""),
            family_name=str(patient_data.get("family_name") or ""),
            birth_date=patient_data.get("birth_date"),
            nhs_number=str(patient_data.get("nhs_number") or ""),
        )
        if duplicates and not create_new:
            raise ValidationError(
                {
                    "patient": [
                        "This may be a patient already on record ("
                        + "; ".join(
                            f"{p.display_name}, born {p.birth_date:%d %b %Y}, id {p.uuid}"
                            for p in duplicates
                        )
                        + "): link the enquiry to them, or confirm a new patient."
                    ]
                },
                code="duplicate",
            )
        patient = create_patient(actor=actor, data=patient_data)
        limb = add_limb(actor=actor, patient=patient, data=limb_data)
    episode = (
        Episode.objects.filter(limb=limb).exclude(phase__in=[Phase.CLOSED, Phase.DECLINED]).first()
    )
    if episode is None:
        episode = open_episode(actor=actor, limb=limb, reason=f"From public enquiry {enquiry.uuid}")
    else:
        reused_episode = True
    before = enquiry.status
    now = timezone.now()
    enquiry.status = EnquiryStatus.CONVERTED
    enquiry.status_changed_at = now
    enquiry.patient = patient
    enquiry.episode = episode
    enquiry.converted_at = now
    enquiry.converted_by = actor
    enquiry.save(
        update_fields=[
            "status",
            "status_changed_at",
            "patient",
            "episode",
            "converted_at",
            "converted_by",
        ]
    )
    record(
        "portal.enquiry.converted",
        actor=actor,
        patient=patient,
        obj=enquiry,
        changes={
            "status": [before, EnquiryStatus.CONVERTED],
            "patient": [None, str(patient.uuid)],
            "episode": [None, str(episode.uuid)],
            "linked_existing_patient": existing_patient is not None,
            "reused_open_episode": reused_episode,
        },
    )
    return enquiry


SETTINGS_FIELDS = ("retention_days", "validated", "basis", "notify_email")


@action(permission="settings.manage")
def set_enquiry_settings(
    *, actor: User, data: dict[str, Any], if_match: str | None = None
) -> EnquirySettings:
    """A clinic admin sets the clinic's retention period (and whether it is validated) and where
    notices go: the fields named in `data`, over the current settings, so a colleague's change
    to another field is kept. The row may not exist yet: the organisation is locked instead of
    it, then the row; `if_match` names the version the change was decided on (the defaults are
    version 1)."""
    organisation = actor.membership.organisation
    lock(organisation)
    row = EnquirySettings.objects.select_for_update().filter(organisation=organisation).first()
    check_version(row or EnquirySettings(organisation=organisation), if_match)
    current = retention_for(organisation)
    before = {
        "retention_days": current.days,
        "validated": current.validated,
        "basis": current.basis if row else "",
        "notify_email": row.notify_email if row else "",
    }
    values = {**before, **{k: data[k] for k in SETTINGS_FIELDS if k in data}}
    errors: dict[str, list[str]] = {}
    days = values["retention_days"]
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= RETENTION_MAX_DAYS:
        errors["retention_days"] = [f"Enter a whole number of days from 1 to {RETENTION_MAX_DAYS}."]
    basis = clean_text(errors, "basis", values["basis"], 300)
    notify_email = clean_text(errors, "notify_email", values["notify_email"], 254)
    if notify_email and "notify_email" not in errors:
        try:
            validate_email(notify_email)
        except ValidationError:
            errors["notify_email"] = ["Enter an email address like clinic@example.org."]
    validated = bool(values["validated"])
    if validated and not basis and "basis" not in errors:
        errors["basis"] = ["Say who approved the period, and when, to mark it validated."]
    if errors:
        raise ValidationError(errors)
    after = {
        "retention_days": days,
        "validated": validated,
        "basis": basis,
        "notify_email": notify_email,
    }
    changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if row is not None and not changes:
        return row
    now = timezone.now()
    if row is None:
        row = EnquirySettings(organisation=organisation, version=2, **after)
        row.set_by, row.set_at = actor, now
        row.save()
    else:
        for name in changes:
            setattr(row, name, after[name])
        row.set_by, row.set_at = actor, now
        row.save(update_fields=[*changes, "set_by", "set_at"])
    record("portal.settings.changed", actor=actor, obj=organisation, changes=changes)
    return row


@dataclass(frozen=True)
class Purged:
    clinic: str
    ids: list[str]


@action()
def purge_expired_enquiries(*, now: dt.datetime | None = None) -> list[Purged]:
    """Delete unconverted enquiries (with their notes) past retention (`expired_enquiries`).
    Run by the operator's schedule, not a person: no permission. Each enquiry is locked and
    re-read first, so one converted meanwhile is kept."""
    now = now or timezone.now()
    removed: dict[str, list[str]] = {}
    for enquiry in expired_enquiries(now):
        still = (
            Enquiry.objects.select_for_update()
            .filter(pk=enquiry.pk)
            .exclude(status=EnquiryStatus.CONVERTED)
            .exists()
        )
        if not still:
            continue
        removed.setdefault(enquiry.organisation.slug, []).append(str(enquiry.uuid))
        enquiry.delete()
    for clinic, ids in removed.items():
        record(
            "portal.enquiry.purged",
            actor=None,
            changes={"clinic": clinic, "count": len(ids), "enquiries": ids},
        )
    return [Purged(clinic, ids) for clinic, ids in removed.items()]
