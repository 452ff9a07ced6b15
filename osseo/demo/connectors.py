"""Demo connector histories: a clinic dualcone policy (not validated), a replaced dualcone, a year
of synthetic daily steps and a body weight for each patient in rehabilitation or follow-up, and
one small synthetic load recording counted by the same function the worker runs. Fictional and
deterministic.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from osseo.accounts.models import User
from osseo.connectors import actions
from osseo.connectors.recordings import process_recording, submit_recording
from osseo.fatigue.synthetic import GaitProfile, gait_signal
from osseo.pathway.models import Episode, Phase
from osseo.patients.sites import profile
from osseo.surgery.models import CONNECTOR_KINDS, Device, DeviceStatus, ImplantCatalogueItem

from .surgery import gtin14

# Demo numbers only, labelled "not validated" everywhere they show: no published interval exists.
DEMO_POLICY = {
    "time_limit_months": 12,
    "activity_limit_cycles": 5_000_000,
    "reference_load_n": 800.0,
    "sn_exponent_m": 4.0,
    "steps_basis": "body_weight",
    # The demo clinic's plausibility band of a recording's cycles per step (not validated).
    "cycles_per_step_min": 0.05,
    "cycles_per_step_max": 20.0,
    "overload_threshold_n": 1500.0,
}


def _recording_csv(weight_kg: float, seed: int) -> bytes:
    force = gait_signal(
        6000, rate_hz=100.0, seed=seed, profile=GaitProfile(body_weight_n=weight_kg * 9.80665)
    )
    out = io.StringIO()
    out.write("time_s,axial_force_N\n")
    for i, value in enumerate(force):
        out.write(f"{i / 100:.2f},{value:.1f}\n")
    return out.getvalue().encode()


def seed_connectors(staff: dict[str, User], rng: random.Random) -> None:
    admin, prosthetist = staff["admin"], staff["prosthetist"]
    # One policy per kind of part the demo's implant systems place (osseo/surgery/systems.py).
    for kind in ("dualcone", "abutment"):
        actions.set_service_policy(actor=admin, kind=kind, values=DEMO_POLICY)
    dualcone = ImplantCatalogueItem.objects.filter(kind="dualcone").first()
    today = timezone.localdate()
    recorded = False
    episodes = Episode.objects.filter(
        phase__in=[Phase.REHABILITATION, Phase.FOLLOW_UP]
    ).select_related("patient", "limb")
    for n, episode in enumerate(episodes.order_by("id")):
        patient = episode.patient
        part = Device.objects.filter(
            patient=patient,
            limb=episode.limb,
            kind__in=CONNECTOR_KINDS,
            status=DeviceStatus.IN_PLACE,
        ).first()
        if part is None:
            continue
        busy = n % 3 == 0  # one in three is a heavy, very active wearer: due soon
        weight = rng.randint(95, 110) if busy else rng.randint(60, 95)
        actions.record_body_weight(
            actor=prosthetist,
            patient=patient,
            measured_on=part.placed_on,
            weight_kg=weight,
        )
        # The last replacement: most within the past year, one in four about a year ago (due
        # within the month under the demo's 12-month policy), one in four a little over (overdue).
        ago = [340, 400, 90 + (n * 37) % 200, 150 + (n * 53) % 150][n % 4]
        replaced_on = max(
            part.placed_on + dt.timedelta(days=40 + rng.randint(0, 20)),
            today - dt.timedelta(days=ago),
        )
        if replaced_on < today:
            item = dualcone if part.kind == "dualcone" else None
            actions.replace_part(
                actor=prosthetist,
                device=part,
                replaced_on=replaced_on,
                reason=["wear", "routine", "bent"][rng.randint(0, 2)],
                data={
                    "gtin": item.gtin if item else gtin14(910),
                    "lot": f"DEMO-{part.kind[:2].upper()}-R{rng.randint(10, 99)}",
                    "expiry": replaced_on + dt.timedelta(days=900),
                },
                catalogue_item=item,
            )
        if not profile(episode.limb.site).lower_limb:
            continue  # worn by time: no step counter or gait recording (site profile)
        base = rng.randint(12000, 15000) if busy else rng.randint(3500, 9500)
        days = {}
        for i in range(365):
            day = today - dt.timedelta(days=365 - i)
            weekly = 1.0 + 0.15 * math.sin(2 * math.pi * i / 7)
            days[day] = max(0, int(base * weekly * rng.uniform(0.6, 1.4)))
        actions.import_daily_steps(
            actor=prosthetist, patient=patient, days=days, source="demo-wearable.csv"
        )
        if not recorded:
            data = _recording_csv(weight, seed=rng.randint(0, 10_000))
            recording, _ = submit_recording(
                actor=prosthetist,
                patient=patient,
                upload=SimpleUploadedFile("demo-walk-100hz.csv", data, "text/csv"),
                recorded_on=today - dt.timedelta(days=3),
                steps_during=None,
            )
            process_recording(recording.pk)
            recorded = True
