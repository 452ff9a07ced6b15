"""Reads for the registry: the implant cohort as flat arrays, in a handful of queries."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    DateField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from osseo.accounts.models import User
from osseo.pathway.models import GateOverride
from osseo.patients.queries import patients_for
from osseo.surgery.models import (
    Device,
    DeviceKind,
    Procedure,
    ProcedureKind,
    RecordStatus,
    SurgicalPlan,
)

from .cohort import NO_DAY, ImplantCohort

# Deep infection = bone or implant (the survival analysis); any infection adds the soft-tissue
# (superficial) kind, as the published staging table counts it (registry views, claims panel).
DEEP_INFECTION = ("infection_bone", "infection_implant")
INFECTION = ("infection_soft_tissue", *DEEP_INFECTION)

EPOCH = dt.date(1970, 1, 1)


def day(value: dt.date | None) -> int:
    return NO_DAY if value is None else (value - EPOCH).days


@dataclass(frozen=True)
class Filters:
    placed_from: dt.date | None = None
    placed_to: dt.date | None = None
    surgeon: int | None = None
    organisation: int | None = None


class EpochDay(Func):
    """A date as its day number since 1970-01-01, computed by the database (no per-row
    conversion in Python); NULL stays NULL."""

    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="(%(expressions)s - DATE '1970-01-01')", **extra
        )


def _day(expression: Any) -> Coalesce:
    return Coalesce(EpochDay(expression), Value(NO_DAY), output_field=IntegerField())


def _first(events: Any, kinds: Any = None) -> Coalesce:
    """The first onset (day number) on the implant's limb while it was in: on or after its
    placement and, once it is out, not after its removal (the limb-kind-onset index serves it)."""
    qs = events.filter(
        limb_id=OuterRef("limb_id"),
        onset_on__gte=OuterRef("placed_on"),
        onset_on__lte=OuterRef("open_end"),
    )
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    first = qs.order_by("onset_on").annotate(day=EpochDay("onset_on")).values("day")[:1]
    return Coalesce(Subquery(first), Value(NO_DAY), output_field=IntegerField())


# Audit entries of reads: they leave the facts as they were (`facts_stamp`).
READ_SUFFIXES = (".viewed", ".exported")


def facts_stamp() -> tuple[Any, ...]:
    """Where the facts the cohort derives from stand now, in a few index look-ups: the sequence
    number of the latest audited write (every write is an action that records its entry in its
    own transaction, docs/sources.md#design-rules) with its chained hash, and the highest key of
    each table the cohort reads (rows loaded in bulk, outside the actions, move it too). Equal
    stamps, equal facts."""
    from osseo.accounts.models import Organisation
    from osseo.audit.models import AuditEntry
    from osseo.complications.models import AdverseEvent, Death
    from osseo.patients.models import CareTeam, Patient, ResidualLimb

    reads = Q()
    for suffix in READ_SUFFIXES:
        reads |= Q(action__endswith=suffix)
    writes = AuditEntry.objects.exclude(reads)
    # Its chained hash too: a sequence number taken by a write that was rolled back and then
    # by another (SQLite reuses it) names different facts, and the hash tells them apart.
    latest: list[Any] = [writes.order_by("-seq").values_list("seq", "hash").first()]
    for model in (
        Device,
        Procedure,
        SurgicalPlan,
        AdverseEvent,
        Death,
        Patient,
        ResidualLimb,
        CareTeam,
        GateOverride,
        Organisation,
    ):
        latest.append(model._default_manager.order_by("-pk").values_list("pk", flat=True).first())
    return tuple(latest)


def _scope_key(user: User) -> str:
    """Whose patients the cohort covers: a staff member's organisation, or a patient's own."""
    membership = getattr(user, "membership", None)
    if membership is None or not user.is_active:
        return "none"
    if membership.patient_id is not None:
        return f"patient:{membership.patient_id}"
    return f"organisation:{membership.organisation_id}"


def _cached(name: str, scope: str, parts: Any, compute: Any) -> Any:
    """`compute()`, or its value from the cache when the facts (`facts_stamp`), the scope
    (`_scope_key`) and the `parts` it depends on are what they were: a change to any fact makes
    a new key, so a cached value is never stale; an unchanged registry is not loaded again at
    every view."""
    stamp = facts_stamp()
    raw = repr((name, scope, parts, stamp)).encode()
    key = "registry:" + hashlib.blake2b(raw, digest_size=16).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=COHORT_CACHE_SECONDS)
    return value


# How long an unchanged cohort stays cached (a change of facts makes a new key at once).
COHORT_CACHE_SECONDS = 3600


def implant_cohort(
    user: User, filters: Filters = Filters(), *, personal: bool = False
) -> ImplantCohort:
    """The implant cohort (`load_implant_cohort`), from the cache while the facts it derives
    from are unchanged (`_cached`). The de-identified export (`personal`) is always loaded."""
    if personal:
        return load_implant_cohort(user, filters, personal=True)
    cohort: ImplantCohort = _cached(
        "cohort", _scope_key(user), filters, lambda: load_implant_cohort(user, filters)
    )
    return cohort


def load_implant_cohort(
    user: User, filters: Filters = Filters(), *, personal: bool = False
) -> ImplantCohort:
    """Every implant placed by a signed operation, among the patients the user may see, in one
    query read straight into arrays: the database computes every date as a day number, and the
    rows are read without model instances or per-value converters, column by column.

    Signed facts only (docs/sources.md#design-rules): the implant counts once its operation is
    signed, and its end comes from its own removal by a signed operation: a revision when a new
    implant took its place (`replaced_by`, set by the operation that placed it), an explantation
    when none did, each with its reason. Strategy comes from the episode's plan (single-stage or
    staged); an implant placed in a revision is "revision". `personal` adds what only the
    de-identified export needs (sex, age, a keyed pseudonym).
    """
    return _read_cohort(patients_for(user), filters, personal=personal)


def demonstration_cohort(filters: Filters = Filters()) -> ImplantCohort:
    """The synthetic implants of the demonstration centres (`osseo demo --registry N`): the
    labelled comparator beside a clinic's own registry, never part of it. The clinic's own
    filters by surgeon and organisation do not apply to it; the implantation dates do. From the
    cache while its facts are unchanged, as the clinic's own (`_cached`)."""
    dates = Filters(filters.placed_from, filters.placed_to)
    cohort: ImplantCohort = _cached(
        "demonstration", "demonstration", dates, lambda: _load_demonstration_cohort(dates)
    )
    return cohort


def _load_demonstration_cohort(filters: Filters) -> ImplantCohort:
    from osseo.patients.models import Patient

    scope = Patient.objects.filter(
        care_teams__organisation__demonstration=True, care_teams__until__isnull=True
    )
    return _read_cohort(scope, Filters(filters.placed_from, filters.placed_to), personal=False)


def _read_cohort(scope: Any, filters: Filters, *, personal: bool) -> ImplantCohort:
    from osseo.complications.models import AdverseEvent, Death

    if filters.organisation is not None:
        scope = scope.filter(
            care_teams__organisation_id=filters.organisation, care_teams__until__isnull=True
        )
    qs = Device.objects.filter(
        kind=DeviceKind.IMPLANT,
        placed_by__status=RecordStatus.SIGNED,
        patient_id__in=scope.values("pk"),
    )
    if filters.placed_from:
        qs = qs.filter(placed_on__gte=filters.placed_from)
    if filters.placed_to:
        qs = qs.filter(placed_on__lte=filters.placed_to)
    if filters.surgeon:
        qs = qs.filter(placed_by__surgeon_id=filters.surgeon)
    plan = SurgicalPlan.objects.filter(episode_id=OuterRef("placed_by__episode_id")).order_by(
        "-created_at", "-id"
    )
    events = AdverseEvent.objects.all()
    qs = qs.annotate(
        # Events count until the implant came out; one still in is followed to the last day.
        open_end=Case(
            When(removed_on__isnull=True, then=Value(dt.date.max)),
            default=F("removed_on"),
            output_field=DateField(),
        ),
        placed_day=_day("placed_on"),
        removed_day=Case(
            When(removed_by__status=RecordStatus.SIGNED, then=_day("removed_on")),
            default=Value(NO_DAY),
            output_field=IntegerField(),
        ),
        exchanged=Case(
            When(replaced_by__isnull=False, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        deep=_first(events, DEEP_INFECTION),
        any_infection=_first(events, INFECTION),
        any_event=_first(events),
        died_day=Coalesce(
            Subquery(
                Death.objects.filter(patient_id=OuterRef("patient_id"))
                .annotate(day=EpochDay("died_on"))
                .values("day")[:1]
            ),
            Value(NO_DAY),
            output_field=IntegerField(),
        ),
        plan_strategy=Subquery(plan.values("strategy")[:1]),
    )
    numbers = [
        "id",
        "placed_day",
        "removed_day",
        "exchanged",
        "placed_by__surgeon_id",
        "deep",
        "any_infection",
        "any_event",
        "died_day",
    ]
    texts = [
        "removal_reason",
        "limb__site",
        "limb__side",
        "fixation",
        "placed_by__kind",
        "plan_strategy",
    ]
    columns = numbers + texts
    if personal:
        qs = qs.annotate(birth_day=_day("patient__birth_date"))
        columns += ["patient__sex", "birth_day"]
    sql, params = qs.order_by().values_list(*columns).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    n = len(rows)
    if n == 0:
        return _empty()
    data = list(zip(*rows, strict=True))
    ints = {name: np.fromiter(data[i], dtype=np.int64, count=n) for i, name in enumerate(numbers)}
    text = {
        name: np.asarray([v or "" for v in data[len(numbers) + i]], dtype="U40")
        for i, name in enumerate(texts)
    }
    removed, exchanged = ints["removed_day"], ints["exchanged"] == 1
    revised = np.where(exchanged & (removed != NO_DAY), removed, NO_DAY)
    explanted = np.where(exchanged, NO_DAY, removed)
    reasons = text["removal_reason"].astype("U20")
    reasons[removed == NO_DAY] = ""
    kinds, plans = text["placed_by__kind"], text["plan_strategy"].astype("U20")
    # Strategy from the plan; without one, from the operation that placed the implant.
    fallback = np.where(kinds == ProcedureKind.SINGLE_STAGE.value, "single_stage", "staged")
    strategy = np.where(plans != "", plans, fallback).astype("U20")
    strategy[kinds == ProcedureKind.REVISION.value] = "revision"
    fixation = text["fixation"].astype("U20")
    fixation[fixation == ""] = "unknown"
    cohort = ImplantCohort(
        key=ints["id"],
        placed=ints["placed_day"],
        site=text["limb__site"].astype("U20"),
        fixation=fixation,
        strategy=strategy,
        surgeon=ints["placed_by__surgeon_id"],
        explanted=explanted,
        revised=revised,
        infected=ints["deep"],
        complication=ints["any_event"],
        died=ints["died_day"],
        side=text["limb__side"].astype("U20"),
        any_infection=ints["any_infection"],
        removal_reason=reasons,
    )
    if personal:
        secret = settings.SECRET_KEY.encode()[:64]
        cohort.key = np.fromiter(
            (
                int.from_bytes(hashlib.blake2b(str(i).encode(), key=secret, digest_size=6).digest())
                for i in data[0]
            ),
            dtype=np.int64,
            count=n,
        )
        cohort.sex = np.asarray(data[len(numbers) + len(texts)], dtype=object)
        birth = np.fromiter(data[len(numbers) + len(texts) + 1], dtype=np.int64, count=n)
        cohort.age_at_placement = (cohort.placed - birth) / 365.25
        cohort.gate_overrides = _gate_overrides([int(i) for i in ints["id"]])
    return cohort


def _gate_overrides(implant_ids: list[int]) -> np.ndarray:
    """Per implant, the pathway gates its episode passed on a surgeon's override (issue 17), as
    "code;code" ("" when every gate was met): the registry's data flags them."""
    episodes = dict(
        Device.objects.filter(pk__in=implant_ids).values_list("pk", "placed_by__episode_id")
    )
    used: dict[int, set[str]] = {}
    for episode, code in GateOverride.objects.filter(
        episode_id__in=set(episodes.values()), used_at__isnull=False
    ).values_list("episode_id", "requirement"):
        used.setdefault(episode, set()).add(code)
    return np.asarray(
        [";".join(sorted(used.get(episodes.get(i, 0), ()))) for i in implant_ids], dtype=object
    )


def _empty() -> ImplantCohort:
    empty_int = np.array([], dtype=np.int64)
    empty_obj = np.array([], dtype=object)
    return ImplantCohort(
        key=empty_int,
        placed=empty_int,
        site=empty_obj,
        fixation=empty_obj,
        strategy=empty_obj,
        surgeon=empty_int,
        explanted=empty_int,
        revised=empty_int,
        infected=empty_int,
        complication=empty_int,
        died=empty_int,
        sex=empty_obj,
        age_at_placement=np.array([], dtype=float),
        side=empty_obj,
        any_infection=empty_int,
        removal_reason=empty_obj,
    )


def surgeons_in(user: User) -> list[tuple[int, str]]:
    """The surgeons of the user's patients' signed operations (the registry's filter)."""
    found: list[tuple[int, str]] = _cached(
        "surgeons", _scope_key(user), (), lambda: _surgeons_in(user)
    )
    return found


def _surgeons_in(user: User) -> list[tuple[int, str]]:
    rows = (
        Procedure.objects.filter(patient__in=patients_for(user), status=RecordStatus.SIGNED)
        .order_by()  # no default ordering, or DISTINCT would keep every procedure
        .values_list("surgeon_id", "surgeon__username", "surgeon__first_name", "surgeon__last_name")
        .distinct()
    )
    return sorted({(r[0], f"{r[2]} {r[3]}".strip() or r[1]) for r in rows}, key=lambda x: x[1])


def organisations_in(user: User) -> list[tuple[int, str]]:
    """The organisations caring for the user's patients (the clinic and its rehab partners)."""
    found: list[tuple[int, str]] = _cached(
        "organisations", _scope_key(user), (), lambda: _organisations_in(user)
    )
    return found


def _organisations_in(user: User) -> list[tuple[int, str]]:
    from osseo.patients.models import CareTeam

    rows = (
        CareTeam.objects.filter(patient__in=patients_for(user), until__isnull=True)
        .order_by()
        .values_list("organisation_id", "organisation__name")
        .distinct()
    )
    return sorted(set(rows), key=lambda x: x[1])


SUPPRESSED = "suppressed"
# The columns that, together, could single a patient out (quasi-identifiers).
QUASI_IDENTIFIERS = ("year_implanted", "side", "sex", "age_band")


def minimum_dataset(cohort: ImplantCohort, today: int, *, threshold: int) -> list[dict[str, Any]]:
    """De-identified rows: no name, NHS number or exact date; a keyed pseudonym per implant.

    Small-cell suppression at the clinic's registry threshold (`registry_min_at_risk`, a clinic
    setting): where fewer than `threshold` implants share a site and the quasi-identifiers
    (year, side, sex, age band), those values read "suppressed"; a site itself shared by fewer
    than `threshold` implants is suppressed too. Counts of events and days stay."""
    rows = []
    for i in range(len(cohort)):
        start = int(cohort.placed[i])

        def since(value: int, start: int = start) -> str:
            return "" if value == NO_DAY or value < start else str(value - start)

        age = float(cohort.age_at_placement[i])
        band = f"{int(age // 10) * 10}-{int(age // 10) * 10 + 9}"
        revised, explanted = int(cohort.revised[i]), int(cohort.explanted[i])
        reason = str(cohort.removal_reason[i]) if cohort.removal_reason.size else ""
        rows.append(
            {
                "implant": f"{int(cohort.key[i]):012x}",
                "year_implanted": str((EPOCH + dt.timedelta(days=start)).year),
                "site": str(cohort.site[i]),
                "side": str(cohort.side[i]),
                "fixation": cohort.fixation[i],
                "strategy": cohort.strategy[i],
                "sex": str(cohort.sex[i]),
                "age_band": band,
                "days_followed": max(
                    (int(cohort.died[i]) if cohort.died[i] != NO_DAY else today) - start, 0
                ),
                "days_to_explantation": since(explanted),
                "explantation_reason": reason if explanted != NO_DAY else "",
                "days_to_revision": since(revised),
                "revision_reason": reason if revised != NO_DAY else "",
                "days_to_deep_infection": since(int(cohort.infected[i])),
                "days_to_any_infection": since(int(cohort.any_infection[i]))
                if cohort.any_infection.size
                else "",
                "days_to_first_complication": since(int(cohort.complication[i])),
                "days_to_death": since(int(cohort.died[i])),
                "gate_overrides": cohort.gate_overrides[i]
                if cohort.gate_overrides.size == len(cohort)
                else "",
            }
        )
    return suppress_small_cells(rows, threshold)


def suppress_small_cells(rows: list[dict[str, Any]], threshold: int) -> list[dict[str, Any]]:
    from collections import Counter

    cells = Counter(tuple(r[k] for k in ("site", *QUASI_IDENTIFIERS)) for r in rows)
    sites = Counter(r["site"] for r in rows)
    out = []
    for r in rows:
        r = dict(r)
        if cells[tuple(r[k] for k in ("site", *QUASI_IDENTIFIERS))] < threshold:
            r.update(dict.fromkeys(QUASI_IDENTIFIERS, SUPPRESSED))
        if sites[r["site"]] < threshold:
            r["site"] = SUPPRESSED
        out.append(r)
    return out
