"""Load recordings: checked before anything is stored, then counted by the wear engine in a
background task (`tasks.process_load_recording`, run by `osseo worker`).

Files go through Django's storage API. A recording is refused whole when malformed: nothing of
it is kept but the reasons (`line N: reason`, each bad line up to a limit).

Its status: queued → processing → processed, refused, or failed (an unexpected error). A worker
that is killed leaves it processing with no more progress: after OSSEO_RECORDING_STALE_MINUTES it
is stale and is queued again (`requeue.py`), as a failed one may be.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from typing import IO, Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage
from django.db import models, transaction
from django.utils import timezone

from osseo.accounts.models import User
from osseo.accounts.permissions import require_permission
from osseo.audit.context import acting_as
from osseo.audit.services import record
from osseo.contract import action
from osseo.errors import Conflict, Missing
from osseo.fatigue import FatigueInputError, analyse_recording, open_recording
from osseo.fatigue.steps import count_recording_steps
from osseo.patients.models import Patient, ResidualLimb
from osseo.plausible import check_date

from .forecasts import clinic_of, refresh_forecasts
from .models import LoadRecording, RecordingResult, RecordingStatus, ServicePolicy
from .recordcheck import csv_problems

logger = logging.getLogger(__name__)

# CSV files up to this size are checked line by line before they are stored, so every bad line
# is named at once; larger ones are checked by the worker as it streams them.
SYNC_CHECK_BYTES = 16 * 1024 * 1024
RANGE_BINS = 30  # rainflow matrix: range bins of a tenth of the reference load, up to 3x
# While counting, progress is written at least this often even when it moves by under 1%, so a
# live run is never mistaken for a stale one (the threshold is at least a minute).
HEARTBEAT_SECONDS = 10.0


def max_bytes() -> int:
    return int(getattr(settings, "OSSEO_RECORDING_MAX_MB", 4096)) * 1024 * 1024


def recording_policy(patient: Patient) -> ServicePolicy | None:
    """The policy whose reference load and exponent count the patient's recordings: the clinic's
    dualcone policy, else its first policy that sets both."""
    clinic = clinic_of(patient)
    if clinic is None:
        return None
    policies = [
        p
        for p in ServicePolicy.objects.filter(organisation=clinic).order_by("kind")
        if p.reference_load_n is not None and p.sn_exponent_m is not None
    ]
    return next((p for p in policies if p.kind == "dualcone"), policies[0] if policies else None)


def _format(name: str, handle: IO[bytes]) -> str:
    lower = name.lower()
    if lower.endswith((".parquet", ".pq")):
        return "parquet"
    if lower.endswith((".csv", ".txt", ".tsv")):
        return "csv"
    head = handle.read(4)
    handle.seek(0)
    return "parquet" if head == b"PAR1" else "csv"


def _sha256(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    handle.seek(0)
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def _pick_channel(rec: Any, channel: str) -> str:
    """The channel to count: as named, else the recording's only force channel (unit N)."""
    if channel:
        return str(rec.channel(channel).header)
    forces = [c for c in rec.channels if c.unit == "N"]
    if len(rec.channels) == 1:
        return str(rec.channels[0].header)
    if len(forces) == 1:
        return str(forces[0].header)
    known = ", ".join(c.header for c in rec.channels) or "none"
    raise FatigueInputError(f"name the axial force channel to count; the channels are: {known}")


def _file_field() -> models.FileField:
    return LoadRecording._meta.get_field("file")  # type: ignore[return-value]


def _file_storage() -> Storage:
    """Where recordings are kept (Django's storage API, under the field's upload_to)."""
    return _file_field().storage


def _policy_for(patient: Patient) -> ServicePolicy:
    """The policy a recording is counted with; refused (409) while the clinic has none."""
    policy = recording_policy(patient)
    if policy is None:
        raise Conflict(
            "Set the clinic's dualcone service policy (reference load and S-N exponent) first: "
            "they are the parameters a recording is counted with.",
            missing=[
                Missing(
                    "service_policy",
                    "The clinic's dualcone service policy, with its reference load and S-N "
                    "exponent",
                    "docs/sources.md#connector-parts",
                )
            ],
        )
    return policy


def recording_limb(
    errors: dict[str, list[str]], patient: Patient, limb: ResidualLimb | None
) -> ResidualLimb | None:
    """The limb a recording is of: the one named (of this patient), else the patient's only
    limb; an error on `limb` when they have several and none is named."""
    if limb is not None:
        if limb.patient_id != patient.pk:
            errors["limb"] = ["Choose one of this patient's limbs."]
            return None
        return limb
    limbs = list(patient.limbs.all())
    if len(limbs) == 1:
        return limbs[0]
    errors["limb"] = [
        f"The patient has {len(limbs)} limbs: name the limb the load cell was fitted to."
        if limbs
        else "Record the patient's limb first."
    ]
    return None


def submit_recording(
    *,
    actor: User,
    patient: Patient,
    upload: File,
    recorded_on: dt.date,
    channel: str = "",
    rate_hz: float | None = None,
    unit: str = "",
    steps_during: int | None = None,
    limb: ResidualLimb | None = None,
) -> tuple[LoadRecording, bool]:
    """Check and store a recording and queue it for the worker: (recording, created).

    The recording belongs to one limb (`limb`; required when the patient has several, else
    their only limb): it counts towards that limb's parts only.

    The same file (same content and channel) for the same patient again adds nothing: the
    recording already held is returned. The file is read and checked before the write, outside
    any transaction (a large file must not hold the database's write lock while it is read);
    the write itself is the action `store_recording`.
    """
    require_permission(actor, "activity.import")  # before reading anything; checked again below
    errors: dict[str, list[str]] = {}
    check_date(errors, "recorded_on", recorded_on, patient=patient)
    if rate_hz is not None and not (np.isfinite(rate_hz) and 0 < rate_hz <= 100_000):
        errors["rate_hz"] = ["Enter a sample rate above 0 and at most 100000 Hz."]
    if steps_during is not None and not 0 < steps_during <= 10_000_000:
        errors["steps_during"] = ["Enter the number of steps taken during the recording."]
    limb = recording_limb(errors, patient, limb)
    size = upload.size or 0
    if size <= 0:
        errors["file"] = ["The file is empty."]
    elif size > max_bytes():
        errors["file"] = [f"The file is larger than {max_bytes() // (1024 * 1024)} MB."]
    if errors:
        raise ValidationError(errors)
    _policy_for(patient)
    handle: IO[bytes] = upload.file if hasattr(upload, "file") else upload  # type: ignore[assignment]
    name = str(getattr(upload, "name", "") or "recording").replace("\\", "/").rsplit("/", 1)[-1]
    handle.seek(0)
    fmt = _format(name, handle)
    units = {channel: unit} if channel and unit else None
    try:
        with open_recording(handle, rate_hz=rate_hz, units=units, format=fmt) as rec:
            header = _pick_channel(rec, channel)
            if unit and not channel:
                units = {header: unit}
            problems = (
                csv_problems(handle, rec, header)
                if fmt == "csv" and size <= SYNC_CHECK_BYTES
                else []
            )
    except FatigueInputError as exc:
        raise ValidationError({"file": [str(exc)]}) from exc
    if problems:
        raise ValidationError({"file": problems})
    digest = _sha256(handle)
    held = LoadRecording.objects.filter(patient=patient, sha256=digest, channel=header).first()
    if held is not None:
        return held, False
    handle.seek(0)
    stored = _file_storage().save(
        _file_field().generate_filename(LoadRecording(), f"{patient.uuid}/{digest[:16]}.{fmt}"),
        File(handle),
        max_length=_file_field().max_length,
    )
    try:
        return store_recording(
            actor=actor,
            patient=patient,
            stored=stored,
            values={
                "recorded_on": recorded_on,
                "original_name": name[:200],
                "format": fmt,
                "size_bytes": size,
                "sha256": digest,
                "channel": header,
                "rate_hz": rate_hz,
                "unit": unit[:20],
                "steps_during": steps_during,
                "limb": limb,
            },
        )
    except BaseException:
        _file_storage().delete(stored)
        raise


@action(permission="activity.import", locks=["patient"])
def store_recording(
    *, actor: User, patient: Patient, stored: str, values: dict[str, Any]
) -> tuple[LoadRecording, bool]:
    """Save a checked recording whose file is `stored` and queue it: (recording, created). The
    patient is locked, so the same file sent twice at once is saved once (the second returns the
    first, and its copy of the file is deleted); the parameters are the clinic's policy's now."""
    held = LoadRecording.objects.filter(
        patient=patient, sha256=values["sha256"], channel=values["channel"]
    ).first()
    if held is not None:
        transaction.on_commit(lambda: _file_storage().delete(stored))
        return held, False
    policy = _policy_for(patient)
    recording = LoadRecording(
        patient=patient,
        file=stored,
        parameters={
            "kind": policy.kind,
            "reference_load_n": policy.reference_load_n,
            "sn_exponent_m": policy.sn_exponent_m,
            "activity_limit_cycles": policy.activity_limit_cycles,
            "validated": policy.validated,
        },
        submitted_by=actor,
        **values,
    )
    recording.save()
    record(
        "connectors.recording.submitted",
        actor=actor,
        patient=patient,
        obj=recording,
        changes={
            "file": [None, recording.original_name],
            "channel": [None, recording.channel],
            "sha256": [None, recording.sha256],
        },
    )
    transaction.on_commit(lambda: enqueue(recording))
    return recording, True


def enqueue(recording: LoadRecording) -> None:
    from .tasks import process_load_recording

    result = process_load_recording.enqueue(recording_id=recording.pk)
    LoadRecording.objects.filter(pk=recording.pk).update(task_id=str(result.id)[:64])


def _edges(reference: float) -> tuple[np.ndarray, np.ndarray]:
    """Range bins of a tenth of the reference up to 3x, then one open bin; mean bins likewise."""
    ranges = np.concatenate([np.linspace(0.0, 3 * reference, RANGE_BINS + 1), [1e15]])
    means = np.concatenate([[-1e15], np.linspace(-reference, 3 * reference, 17), [1e15]])
    return ranges, means


def process_recording(recording_id: int) -> str:
    """Count a stored recording (the task's body). Idempotent: it takes a recording only while
    it is queued, so a processed, refused, failed or running one is left as it is (a second task
    for the same recording does nothing), and its results, saved at the end, are one row per
    recording (a one-to-one). A recording queued again after an interrupted run is counted
    afresh. An unexpected error marks it failed, for staff to retry, and fails the task."""
    rec = LoadRecording.objects.select_related("patient").get(pk=recording_id)
    taken = LoadRecording.objects.filter(pk=rec.pk, status=RecordingStatus.QUEUED).update(
        status=RecordingStatus.RUNNING, progress=0.0, progress_updated_at=timezone.now()
    )
    if not taken:
        return str(LoadRecording.objects.values_list("status", flat=True).get(pk=rec.pk))
    try:
        return _count(rec)
    except Exception as exc:
        _fail(rec, exc)
        raise


def _count(rec: LoadRecording) -> str:
    params = rec.parameters
    reference, m = float(params["reference_load_n"]), float(params["sn_exponent_m"])
    limit = params.get("activity_limit_cycles")
    ranges, means = _edges(reference)
    last = [0.0, time.monotonic()]  # fraction and moment last written

    def progress(fraction: float) -> None:
        moment = time.monotonic()
        if fraction - last[0] >= 0.01 or moment - last[1] >= HEARTBEAT_SECONDS:
            last[0], last[1] = fraction, moment
            LoadRecording.objects.filter(pk=rec.pk).update(
                progress=min(fraction, 0.99), progress_updated_at=timezone.now()
            )

    units = {rec.channel: rec.unit} if rec.unit else None
    try:
        with rec.file.open("rb") as stored:
            wear = analyse_recording(
                stored.file,
                channels=[rec.channel],
                m=m,
                reference_range=reference,
                cycles_at_reference=float(limit) if limit else 1.0,
                rate_hz=rec.rate_hz,
                units=units,
                format=rec.format,
                range_bins=ranges,
                mean_bins=means,
                progress=progress,
            )
    except FatigueInputError as exc:
        return _refuse(rec, _problems(rec, exc, units))
    channel = wear.channels[rec.channel]
    data = channel.to_dict()
    matrix = data["matrix"]
    largest = data["largest"]
    if rec.steps_during:
        steps, estimated = float(rec.steps_during), False
    else:
        # The gait-event detector (osseo/fatigue/steps.py): a spike is not a step.
        with rec.file.open("rb") as stored:
            steps = float(
                count_recording_steps(
                    stored.file,
                    channel=rec.channel,
                    rate_hz=rec.rate_hz,
                    units=units,
                    format=rec.format,
                ).steps
            )
        estimated = True
    with transaction.atomic(), acting_as(label="osseo worker"):
        RecordingResult.objects.update_or_create(
            recording=rec,
            defaults={
                "samples": wear.samples,
                "duration_s": wear.duration_s,
                "cycles": channel.cycles,
                "equivalent_cycles": channel.equivalent_cycles,
                "damage": channel.equivalent_cycles / float(limit) if limit else None,
                "peak_n": channel.peak.value if channel.peak else None,
                "peak_time_s": channel.peak.time_s if channel.peak else None,
                "largest": largest,
                "matrix": matrix,
                "steps": steps,
                "steps_estimated": estimated,
                "cycles_per_step": channel.equivalent_cycles / steps if steps > 0 else None,
                "caveat": wear.caveat,
            },
        )
        LoadRecording.objects.filter(pk=rec.pk).update(
            status=RecordingStatus.DONE, progress=1.0, finished_at=timezone.now()
        )
        record(
            "connectors.recording.processed",
            actor=None,
            patient=rec.patient,
            obj=rec,
            changes={
                "equivalent_cycles": [None, round(channel.equivalent_cycles, 3)],
                "peak_n": [None, channel.peak.value if channel.peak else None],
            },
        )
        refresh_forecasts(rec.patient)
    return str(RecordingStatus.DONE)


def _problems(rec: LoadRecording, exc: FatigueInputError, units: Any) -> list[str]:
    if rec.format == "csv" and exc.line is not None:
        try:
            with (
                rec.file.open("rb") as stored,
                open_recording(
                    stored.file, rate_hz=rec.rate_hz, units=units, format="csv"
                ) as opened,
            ):
                found = csv_problems(stored.file, opened, rec.channel)
            if found:
                return found
        except FatigueInputError:
            pass
    return [str(exc)]


def _refuse(rec: LoadRecording, problems: list[str]) -> str:
    with transaction.atomic(), acting_as(label="osseo worker"):
        LoadRecording.objects.filter(pk=rec.pk).update(
            status=RecordingStatus.REFUSED, problems=problems, finished_at=timezone.now()
        )
        record(
            "connectors.recording.refused",
            actor=None,
            patient=rec.patient,
            obj=rec,
            changes={"problems": [None, problems[:5]]},
        )
    rec.file.delete(save=False)  # a refused file keeps nothing but its reasons
    LoadRecording.objects.filter(pk=rec.pk).update(file="")
    return str(RecordingStatus.REFUSED)


def _fail(rec: LoadRecording, exc: Exception) -> None:
    """Mark a run stopped by an unexpected error (storage, database, memory) failed, so that
    staff can retry it; the task's result keeps the traceback. Never hides the error itself."""
    logger.warning("load recording %s: processing failed: %r", rec.uuid, exc)
    problem = (
        f"Processing stopped on an unexpected error ({type(exc).__name__}). Retry it; if it "
        "fails again, tell the administrator."
    )
    try:
        with transaction.atomic(), acting_as(label="osseo worker"):
            failed = LoadRecording.objects.filter(pk=rec.pk, status=RecordingStatus.RUNNING).update(
                status=RecordingStatus.FAILED, problems=[problem], finished_at=timezone.now()
            )
            if failed:
                record(
                    "connectors.recording.failed",
                    actor=None,
                    patient=rec.patient,
                    obj=rec,
                    changes={"error": [None, type(exc).__name__]},
                )
    except Exception:
        logger.exception("load recording %s: could not mark it failed", rec.uuid)
