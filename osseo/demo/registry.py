"""A synthetic multi-centre registry cohort (`osseo demo --registry N`), kept apart.

The clinic's own registry of a dozen demo implants cannot show what a registry is for: every
curve says "too few patients to say" and no site has a comparator. This seeder adds N synthetic
implants in three clearly labelled demonstration centres (`Organisation.demonstration`): nobody
signs in there, no clinic cares for their patients, so they never reach a clinic's own counts,
patient lists or exports. The clinic's registry shows them only as the comparator, labelled
"demonstration (synthetic)".

Rates (the time to each event is drawn from a constant hazard that reproduces the figure):
- explantation: 5-year fixture survival 92 % [V] (OPRA, Brånemark et al., JAAOS 2019;27(16):
  e743-e751; docs/sources.md#complication-outcomes);
- revision (any, explantation included): revision-free survival 45 % at 5 years [V] (same);
- superficial (soft-tissue) infection 38 % after one-stage, 52 % after two-stage surgery;
  osteomyelitis (deep) 0 % and 10 %; fracture 13 % and 12 % [V] (Banducci et al., Bone Jt
  Open 2023;4(7):539-550; the registry's claims panel cites the same table). The review gives
  proportions, not their timing: the onset is drawn uniformly over the first three years,
  which is ILLUSTRATIVE;
- death: 1 % a year, ILLUSTRATIVE (no source gives a rate);
- the mix of sites, fixations, strategies, ages and implantation years: ILLUSTRATIVE;
  fixation has no effect on any rate (no head-to-head comparison was
  found, docs/sources.md#one-or-two-stages).

Built with bulk_create, not through the actions: a few thousand implants in seconds, and no
audit entries, because no person did anything. Deterministic for a given N and day.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from osseo.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from osseo.complications.models import AdverseEvent, Death, EventKind, Outcome
from osseo.pathway.models import Episode, Phase
from osseo.patients.models import CareTeam, Cause, Patient, ResidualLimb, Sex, Side, Site
from osseo.surgery.models import (
    Device,
    DeviceKind,
    DeviceStatus,
    Fixation,
    Procedure,
    ProcedureKind,
    RecordStatus,
    RemovalReason,
    Strategy,
    SurgicalPlan,
)

SEED = 20261204
YEARS = 8  # implantation years spread over the last eight (illustrative)
CENTRES = [
    ("demonstration-registry-north", "Demonstration centre North (synthetic registry data)"),
    ("demonstration-registry-south", "Demonstration centre South (synthetic registry data)"),
    ("demonstration-registry-west", "Demonstration centre West (synthetic registry data)"),
]
# Illustrative site mix: mostly lower limb, every site present.
SITE_WEIGHTS = {
    Site.FEMUR: 50,
    Site.TIBIA: 20,
    Site.HUMERUS: 10,
    Site.RADIUS_ULNA: 8,
    Site.HAND: 6,
    Site.CRANIOFACIAL: 6,
}
# [V] OPRA 5-year: fixture survival 92 %, revision-free survival 45 % (JAAOS 2019).
EXPLANTATION_HAZARD = -math.log(0.92) / 5
REVISION_HAZARD = -math.log(0.45) / 5 - EXPLANTATION_HAZARD
# [V] Banducci 2023: one-stage against two-stage proportions.
INFECTION: dict[str, float] = {Strategy.SINGLE_STAGE: 0.38, Strategy.STAGED: 0.52}
OSTEOMYELITIS: dict[str, float] = {Strategy.SINGLE_STAGE: 0.0, Strategy.STAGED: 0.10}
FRACTURE: dict[str, float] = {Strategy.SINGLE_STAGE: 0.13, Strategy.STAGED: 0.12}
ONSET_YEARS = 3  # ILLUSTRATIVE: when a published proportion's events happen
DEATH_HAZARD = 0.01  # ILLUSTRATIVE


@dataclass(frozen=True)
class RegistryDemo:
    created: bool
    implants: int
    centres: int


@dataclass
class Draw:
    """One synthetic implant's draws; `fate` is its explantation or revision, if any."""

    i: int
    centre: Organisation
    site: str
    side: str
    strategy: str
    fixation: str
    placed: dt.date
    birth: dt.date
    sex: str
    fate: tuple[str, dt.date] | None = None


def demonstration_centres() -> list[Organisation]:
    return list(Organisation.objects.filter(demonstration=True).order_by("slug"))


@transaction.atomic
def seed_registry_demo(n: int, *, today: dt.date | None = None) -> RegistryDemo:
    """Add `n` synthetic implants in the demonstration centres (once: nothing when they exist)."""
    existing = Device.objects.filter(
        kind=DeviceKind.IMPLANT,
        patient__care_teams__organisation__demonstration=True,
        placed_by__kind__in=[ProcedureKind.SINGLE_STAGE, ProcedureKind.STAGE_1],
    ).count()
    if existing:
        return RegistryDemo(False, existing, len(demonstration_centres()))
    today = today or timezone.localdate()
    rng = random.Random(f"{SEED}-{n}-{today.isoformat()}")  # noqa: S311  synthetic data, not secrets
    centres = [
        Organisation.objects.create(
            name=name, slug=slug, kind=OrganisationKind.OI_CLINIC, demonstration=True
        )
        for slug, name in CENTRES
    ]
    surgeon = User.objects.create(
        username="demonstration-registry",
        first_name="Demonstration",
        last_name="surgeon (synthetic)",
        is_active=False,  # nobody signs in at a demonstration centre
    )
    surgeon.set_unusable_password()
    surgeon.save(update_fields=["password"])
    Membership.objects.create(user=surgeon, organisation=centres[0], role=Role.SURGEON)
    now = timezone.now()
    sites, weights = list(SITE_WEIGHTS), list(SITE_WEIGHTS.values())
    draws: list[Draw] = []
    for i in range(n):
        site = rng.choices(sites, weights)[0]
        placed = today - dt.timedelta(days=rng.randrange(30, YEARS * 365))
        age = rng.randint(25, 70)
        draws.append(
            Draw(
                i=i,
                centre=centres[i % len(centres)],
                site=site,
                side=Side.NOT_APPLICABLE
                if site == Site.CRANIOFACIAL
                else rng.choice([Side.LEFT, Side.RIGHT]),
                strategy=rng.choice([Strategy.SINGLE_STAGE, Strategy.STAGED]),
                fixation=rng.choice([Fixation.PRESS_FIT, Fixation.THREADED]),
                placed=placed,
                birth=placed - dt.timedelta(days=int(age * 365.25) + rng.randrange(365)),
                sex=rng.choice([Sex.FEMALE, Sex.MALE]),
            )
        )
    patients = Patient.objects.bulk_create(
        [
            Patient(
                given_name="Synthetic",
                family_name=f"Registry {d.i + 1:05d}",
                birth_date=d.birth,
                sex=d.sex,
            )
            for d in draws
        ]
    )
    limbs = ResidualLimb.objects.bulk_create(
        [
            ResidualLimb(
                patient=p,
                site=d.site,
                side=d.side,
                amputation_date=d.placed - dt.timedelta(days=3 * 365),
                cause=Cause.TRAUMA,
            )
            for p, d in zip(patients, draws, strict=True)
        ]
    )
    CareTeam.objects.bulk_create(
        [
            CareTeam(patient=p, organisation=d.centre, since=_at(d.placed))
            for p, d in zip(patients, draws, strict=True)
        ]
    )
    episodes = Episode.objects.bulk_create(
        [
            Episode(patient=p, limb=limb, phase=Phase.FOLLOW_UP, opened_at=_at(d.placed))
            for p, limb, d in zip(patients, limbs, draws, strict=True)
        ]
    )
    SurgicalPlan.objects.bulk_create(
        [
            SurgicalPlan(
                episode=e,
                strategy=d.strategy,
                anaesthesia="general",
                fixation=d.fixation,
                created_by=surgeon,
            )
            for e, d in zip(episodes, draws, strict=True)
        ]
    )

    def operation(e: Episode, kind: str, on: dt.date) -> Procedure:
        return Procedure(
            episode=e,
            patient_id=e.patient_id,
            limb_id=e.limb_id,
            kind=kind,
            performed_on=on,
            surgeon=surgeon,
            status=RecordStatus.SIGNED,
            signed_by=surgeon,
            signed_at=now,
        )

    first = Procedure.objects.bulk_create(
        [
            operation(
                e,
                ProcedureKind.SINGLE_STAGE
                if d.strategy == Strategy.SINGLE_STAGE
                else ProcedureKind.STAGE_1,
                d.placed,
            )
            for e, d in zip(episodes, draws, strict=True)
        ]
    )
    # The fates: the first of explantation, revision and death (each a constant hazard).
    later_ops: list[Procedure] = []
    deaths: list[tuple[Draw, dt.date]] = []
    events: list[tuple[Draw, Episode, str, dt.date]] = []
    for d, e in zip(draws, episodes, strict=True):
        placed = d.placed
        died = placed + _after(rng, DEATH_HAZARD)
        explanted = placed + _after(rng, EXPLANTATION_HAZARD)
        revised = placed + _after(rng, REVISION_HAZARD)
        end = min(today, died)
        if min(explanted, revised) <= end:
            fate = ProcedureKind.EXPLANTATION if explanted < revised else ProcedureKind.REVISION
            d.fate = (fate, min(explanted, revised))
            later_ops.append(operation(e, *d.fate))
        if died <= today:
            deaths.append((d, died))
        rates: tuple[tuple[str, dict[str, float]], ...] = (
            (EventKind.INFECTION_SOFT_TISSUE, INFECTION),
            (EventKind.INFECTION_BONE, OSTEOMYELITIS),
            (EventKind.PERIPROSTHETIC_FRACTURE, FRACTURE),
        )
        for kind, table in rates:
            if rng.random() < table[d.strategy]:
                onset = placed + dt.timedelta(days=rng.randrange(1, ONSET_YEARS * 365))
                out = d.fate[1] if d.fate else dt.date.max
                if onset <= end and onset <= out:
                    events.append((d, e, kind, onset))
    later = iter(Procedure.objects.bulk_create(later_ops))
    removals: dict[int, Procedure] = {}
    for d in draws:
        if d.fate:
            removals[d.i] = next(later)
    implant: dict[str, Any] = {
        "kind": DeviceKind.IMPLANT,
        "description": "Synthetic demonstration implant",
    }
    new_implants = Device.objects.bulk_create(
        [
            Device(
                patient_id=proc.patient_id,
                limb_id=proc.limb_id,
                fixation=draws[i].fixation,
                status=DeviceStatus.IN_PLACE,
                placed_on=proc.performed_on,
                placed_by=proc,
                **implant,
            )
            for i, proc in removals.items()
            if proc.kind == ProcedureKind.REVISION
        ]
    )
    replacement = iter(new_implants)
    originals = []
    for d, e, proc in zip(draws, episodes, first, strict=True):
        removal = removals.get(d.i)
        exchanged = removal is not None and removal.kind == ProcedureKind.REVISION
        originals.append(
            Device(
                patient_id=e.patient_id,
                limb_id=e.limb_id,
                fixation=d.fixation,
                status=DeviceStatus.REMOVED if removal else DeviceStatus.IN_PLACE,
                placed_on=d.placed,
                placed_by=proc,
                removed_on=removal.performed_on if removal else None,
                removed_by=removal,
                removal_reason=(
                    rng.choice([RemovalReason.LOOSENING, RemovalReason.INFECTION])
                    if removal
                    else ""
                ),
                replaced_by=next(replacement) if exchanged else None,
                **implant,
            )
        )
    Device.objects.bulk_create(originals)
    AdverseEvent.objects.bulk_create(
        [
            AdverseEvent(
                patient_id=e.patient_id,
                limb_id=e.limb_id,
                episode=e,
                kind=kind,
                description="Synthetic demonstration event",
                onset_on=onset,
                resolved_on=min(onset + dt.timedelta(days=42), today),
                outcome=Outcome.RESOLVED,
                recorded_by=surgeon,
            )
            for d, e, kind, onset in events
        ]
    )
    Death.objects.bulk_create(
        [
            Death(
                patient=patients[d.i],
                died_on=died,
                cause="Synthetic demonstration record",
                recorded_by=surgeon,
            )
            for d, died in deaths
        ]
    )
    return RegistryDemo(True, n, len(centres))


def _after(rng: random.Random, hazard: float) -> dt.timedelta:
    """An exponential waiting time (days, capped at 100 years) for a yearly hazard."""
    years = rng.expovariate(hazard) if hazard > 0 else 100.0
    return dt.timedelta(days=int(min(years, 100.0) * 365.25))


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
