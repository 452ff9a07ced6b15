"""Access-checked getters and reads for rehabilitation (through the patients getters)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from osseo.accounts.clinic_settings import resolve
from osseo.accounts.models import Organisation, OrganisationKind, Partnership, User
from osseo.pathway.models import Episode, Phase
from osseo.patients.models import Patient, Referral
from osseo.patients.queries import get_by_uuid as _get
from osseo.patients.queries import get_patient_for, patients_for
from osseo.patients.sites import for_clinic_sites
from osseo.surgery.models import IMPLANTATION_KINDS, Procedure, RecordStatus

from . import rules
from .models import FunctionTest, InformationSheet, LoadingProtocol, LoadLog, RehabPlan


def _org(user: User) -> Organisation | None:
    membership = getattr(user, "membership", None)
    return membership.organisation if membership else None


# --- Protocols -------------------------------------------------------------------------------


def protocols_for(user: User) -> QuerySet[LoadingProtocol]:
    """The shipped references, the user's organisation's own, and those named on referrals to it."""
    org = _org(user)
    if org is None:
        return LoadingProtocol.objects.none()
    referred = Referral.objects.filter(organisation=org, withdrawn_at__isnull=True).values(
        "protocol_id"
    )
    return (
        LoadingProtocol.objects.filter(
            Q(organisation__isnull=True) | Q(organisation=org) | Q(pk__in=referred)
        )
        .prefetch_related("phases")
        .order_by("organisation_id", "name", "id")
    )


def get_protocol_for(user: User, protocol_id: Any) -> LoadingProtocol:
    return _get(protocols_for(user), protocol_id, "protocol")


def phases_of(protocol: LoadingProtocol) -> list[rules.Phase]:
    return [
        rules.Phase(
            start_day=p.start_day,
            end_day=p.end_day,
            target_percent_body_weight=p.target_percent_body_weight,
            target_kg=p.target_kg,
            sessions_per_day=p.sessions_per_day,
            minutes_per_session=p.minutes_per_session,
            walking_aid=p.walking_aid,
            pain_gate_nrs=p.pain_gate_nrs,
            description=p.description,
            validated=p.validated,
            ramp=p.ramp,
            floor_percent_body_weight=p.floor_percent_body_weight,
            floor_kg=p.floor_kg,
            target_amount=p.target_amount,
            floor_amount=p.floor_amount,
        )
        for p in protocol.phases.all()
    ]


def protocol_values(protocol: LoadingProtocol) -> dict[str, Any]:
    """A protocol's editable values: name, source, notes and its phases (as `Phase.as_dict()`)."""
    return {
        "name": protocol.name,
        "source": protocol.source,
        "notes": protocol.notes,
        "sites": list(protocol.sites),
        "measure": protocol.measure,
        "phases": [p.as_dict() for p in phases_of(protocol)],
    }


# --- Plans and logs --------------------------------------------------------------------------


def get_plan_for(user: User, plan_id: Any, *, permission: str = "patient.view") -> RehabPlan:
    plan = _get(
        RehabPlan.objects.select_related("patient", "protocol", "created_by"), plan_id, "plan"
    )
    get_patient_for(user, plan.patient.uuid, permission=permission, audit_read=False)
    return plan


def plans_of(patient: Patient) -> QuerySet[RehabPlan]:
    return patient.rehab_plans.select_related("protocol", "created_by", "limb").prefetch_related(
        "logs"
    )


def plan_phases(plan: RehabPlan) -> list[rules.Phase]:
    return [rules.Phase.from_dict(d) for d in plan.phases]


def clinic_of(patient: Patient) -> Organisation | None:
    """The OI clinic currently caring for the patient (its settings apply to their rehab)."""
    team = (
        patient.care_teams.filter(organisation__kind=OrganisationKind.OI_CLINIC, until__isnull=True)
        .select_related("organisation")
        .order_by("since", "id")
        .first()
    )
    return team.organisation if team else None


@dataclass(frozen=True)
class Thresholds:
    under_share: Decimal
    over_share: Decimal
    validated: bool

    @property
    def under_percent(self) -> Decimal:
        return self.under_share * 100

    @property
    def over_percent(self) -> Decimal:
        return self.over_share * 100


def thresholds_for(patient: Patient) -> Thresholds:
    clinic = clinic_of(patient)
    under = resolve(clinic, "rehab_under_loading_percent")
    over = resolve(clinic, "rehab_over_loading_percent")
    return Thresholds(
        Decimal(str(under.value)) / 100,
        Decimal(str(over.value)) / 100,
        under.validated and over.validated,
    )


def prescription_on(plan: RehabPlan, on: dt.date, logs: list[LoadLog] | None = None) -> Any:
    phases = plan_phases(plan)
    logs = list(plan.logs.all()) if logs is None else logs
    held = rules.hold_phase(phases, plan.start_date, [(g.date, g.pain_nrs) for g in logs], on)
    return rules.prescription(
        phases, plan.start_date, plan.body_weight_kg, on, held_at_phase=held, measure=plan.measure
    )


@dataclass
class DayRow:
    date: dt.date
    day: int
    prescribed: Decimal | None  # in the plan's unit (kg, hours or minutes)
    log: LoadLog | None
    missing: bool
    flags: list[str] = field(default_factory=list)


@dataclass
class Progress:
    plan: RehabPlan
    days: list[DayRow]
    missing: list[dt.date]
    end_date: dt.date

    @property
    def flagged(self) -> list[DayRow]:
        return [d for d in self.days if d.flags]


def plan_progress(plan: RehabPlan, today: dt.date) -> Progress:
    """Every day of the plan up to today (or its last day): prescribed, applied, flags, gaps."""
    phases = plan_phases(plan)
    logs = list(plan.logs.all())
    by_date = {g.date: g for g in logs}
    end = rules.plan_end(plan.start_date, phases)
    last = max([min(end, today), *by_date.keys()]) if by_date else min(end, today)
    missing = rules.missing_days(phases, plan.start_date, set(by_date), today)
    gaps = set(missing)
    days: list[DayRow] = []
    d = plan.start_date
    while d <= last:
        rx = prescription_on(plan, d, logs)
        log = by_date.get(d)
        flags = list(log.flags) if log else ([rules.MISSING_LOG] if d in gaps else [])
        days.append(DayRow(d, rx.day, rx.target, log, d in gaps, flags))
        if d == dt.date.max:
            break
        d += dt.timedelta(days=1)
    return Progress(plan, days, missing, end)


# --- Referrals -------------------------------------------------------------------------------


def signed_procedures(patient: Patient) -> QuerySet[Procedure]:
    return (
        Procedure.objects.filter(patient=patient, status=RecordStatus.SIGNED)
        .select_related("limb", "surgeon", "signed_by")
        .prefetch_related("devices_placed")
        .order_by("performed_on", "id")
    )


def referrals_of(patient: Patient) -> QuerySet[Referral]:
    return patient.referrals.select_related(
        "organisation", "referred_by", "withdrawn_by", "protocol"
    )


def get_referral_for(user: User, referral_id: Any, *, permission: str = "patient.view") -> Referral:
    referral = _get(
        Referral.objects.select_related("patient", "organisation", "protocol", "referred_by"),
        referral_id,
        "referral",
    )
    get_patient_for(user, referral.patient.uuid, permission=permission, audit_read=False)
    return referral


def partner_organisations(user: User) -> QuerySet[Organisation]:
    """The rehabilitation partners the user's clinic refers to (osseo/accounts partnerships)."""
    org = _org(user)
    if org is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind=OrganisationKind.REHAB_PARTNER,
        pk__in=Partnership.objects.filter(clinic=org, ended_at__isnull=True).values("partner"),
    ).order_by("name")


def sheets_for(user: User) -> QuerySet[InformationSheet]:
    """Information sheets a user may read: their clinic's, or those of clinics referring to them."""
    org = _org(user)
    if org is None or (getattr(user, "membership", None) and user.membership.role == "patient"):
        return InformationSheet.objects.none()
    referring = Referral.objects.filter(organisation=org, withdrawn_at__isnull=True).values(
        "referred_by__membership__organisation_id"
    )
    return InformationSheet.objects.filter(
        Q(organisation=org) | Q(organisation_id__in=referring), active=True
    ).select_related("organisation")


# --- Function tests --------------------------------------------------------------------------


def function_tests_of(patient: Patient) -> QuerySet[FunctionTest]:
    return patient.function_tests.select_related("recorded_by").order_by("performed_on", "id")


# --- Follow-up -------------------------------------------------------------------------------


def surgery_date(episode: Episode) -> dt.date | None:
    """The date of the episode's latest signed implantation that completed it (single-stage or
    the final stage); the follow-up schedule runs from it."""
    procedure = (
        Procedure.objects.filter(
            episode=episode, status=RecordStatus.SIGNED, kind__in=IMPLANTATION_KINDS
        )
        .filter(final_stage=True)
        .order_by("-performed_on", "-id")
        .first()
    )
    return procedure.performed_on if procedure else None


@dataclass(frozen=True)
class FollowUpRow:
    patient: Patient
    episode: Episode
    surgery: dt.date
    visit: rules.Visit
    overdue_days: int

    @property
    def status(self) -> str:
        return "overdue" if self.overdue_days > 0 else "due"


def surgery_and_held_visits(
    episodes: Any,
) -> tuple[dict[int, dt.date], dict[int, set[dt.date]]]:
    """For the episodes (a queryset or a list): each one's signed final-stage implantation date,
    from which its follow-up visits count, and the dates of the visits already held; two queries."""
    from .models import FollowUp

    surgery = dict(
        Procedure.objects.filter(
            episode__in=episodes,
            status=RecordStatus.SIGNED,
            kind__in=IMPLANTATION_KINDS,
            final_stage=True,
        )
        .order_by("performed_on", "id")
        .values_list("episode_id", "performed_on")
    )
    held: dict[int, set[dt.date]] = {}
    for episode_id, due_date in FollowUp.objects.filter(episode__in=episodes).values_list(
        "episode_id", "due_date"
    ):
        held.setdefault(episode_id, set()).add(due_date)
    return surgery, held


def schedule_setting(organisation: Organisation | None) -> Any:
    return resolve(organisation, "follow_up_schedule")


def schedule_for(
    episode: Episode, surgery: dt.date, organisation: Organisation | None, until: dt.date
) -> list[rules.Visit]:
    return schedule_by(surgery, schedule_setting(organisation).value, until)


def schedule_by(surgery: dt.date, setting: dict[str, Any], until: dt.date) -> list[rules.Visit]:
    """The visits of the schedule `setting` (the follow-up schedule setting's value) counted
    from `surgery`, up to `until`."""
    return rules.follow_up_schedule(
        surgery,
        [int(m) for m in setting.get("months", [])],
        int(setting.get("then_every_months", 0)),
        until=until,
    )


def next_visit_by(
    surgery: dt.date, held: set[dt.date], setting: dict[str, Any], horizon: dt.date
) -> rules.Visit | None:
    """The first visit not held of the schedule `setting` (the clinic's follow-up schedule's
    value) counted from `surgery`, if it falls on or before `horizon`."""
    visit = rules.next_visit(schedule_by(surgery, setting, horizon), held)
    return None if visit is None or visit.due > horizon else visit


def next_visits(user: User, patients: QuerySet[Patient], today: dt.date) -> dict[int, NextVisit]:
    """Each of `patients`' earliest follow-up visit not held (over their episodes in
    rehabilitation or follow-up), by the reader's clinic's schedule, as the follow-up list counts
    them, however far ahead; four queries for any number of patients."""
    episodes = Episode.objects.filter(
        patient__in=patients, phase__in=[Phase.REHABILITATION, Phase.FOLLOW_UP]
    )
    procedures, held = surgery_and_held_visits(episodes)
    setting = schedule_setting(_org(user)).value
    # Far enough ahead to reach the next visit of any schedule of visits a few years apart.
    horizon = today + dt.timedelta(days=5 * 366)
    found: dict[int, NextVisit] = {}
    for episode in episodes.select_related("patient", "limb").order_by("id"):
        surgery = procedures.get(episode.pk)
        if surgery is None:
            continue
        visit = next_visit_by(surgery, held.get(episode.pk, set()), setting, horizon)
        if visit is None:
            continue
        earliest = found.get(episode.patient_id)
        if earliest is None or visit.due < earliest.visit.due:
            found[episode.patient_id] = NextVisit(episode, visit)
    return found


@dataclass(frozen=True)
class NextVisit:
    episode: Episode
    visit: rules.Visit


def follow_up_list(
    user: User, today: dt.date, within_days: int = 30, first: int | None = None
) -> list[FollowUpRow]:
    """Each episode in rehabilitation or follow-up whose next visit falls before
    `today + within_days`: overdue first, then due, by date (the `first` ones only, if given)."""
    return follow_up_rows(user, today, within_days, first)[1]


def follow_up_rows(
    user: User, today: dt.date, within_days: int = 30, first: int | None = None
) -> tuple[int, list[FollowUpRow]]:
    """How many episodes have a visit due (see follow_up_list), and the rows of the `first`
    of them. The dates are worked out from plain values; only the rows returned are loaded as
    objects, so a clinic of thousands is counted quickly."""
    org = _org(user)
    episodes = Episode.objects.filter(
        patient__in=patients_for(user), phase__in=[Phase.REHABILITATION, Phase.FOLLOW_UP]
    )
    horizon = today + dt.timedelta(days=within_days)
    procedures, held = surgery_and_held_visits(episodes)
    setting = schedule_setting(org).value  # once, not once an episode
    due: list[tuple[dt.date, str, int, dt.date, rules.Visit]] = []
    for pk, family_name in episodes.order_by("id").values_list("pk", "patient__family_name"):
        surgery = procedures.get(pk)
        if surgery is None:
            continue
        visit = next_visit_by(surgery, held.get(pk, set()), setting, horizon)
        if visit is None:
            continue
        due.append((visit.due, family_name, pk, surgery, visit))
    due.sort(key=lambda d: (d[0], d[1], d[2]))
    shown = due if first is None else due[:first]
    loaded = Episode.objects.select_related("patient", "limb").in_bulk([d[2] for d in shown])
    return len(due), [
        FollowUpRow(loaded[pk].patient, loaded[pk], surgery, visit, (today - visit.due).days)
        for _, _, pk, surgery, visit in shown
    ]


@dataclass(frozen=True)
class VisitDue:
    """An episode's next follow-up visit, due soon or overdue, with the function tests of the
    patient's site profile not recorded since the visit before it (they are due at this one)."""

    episode: Episode
    surgery: dt.date
    visit: rules.Visit
    overdue_days: int  # 0 or less: not overdue
    tests: list[str]  # the tests' labels

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0


def visits_due_of(patient: Patient, today: dt.date, within_days: int = 30) -> list[VisitDue]:
    """The patient's next follow-up visits (one an episode in rehabilitation or follow-up) due
    before `today + within_days` or overdue, soonest first; a fixed number of queries."""
    from .models import FunctionTestKind

    episodes = list(
        Episode.objects.filter(
            patient=patient, phase__in=[Phase.REHABILITATION, Phase.FOLLOW_UP]
        ).select_related("limb")
    )
    if not episodes:
        return []
    procedures, held = surgery_and_held_visits(episodes)
    horizon = today + dt.timedelta(days=within_days)
    clinic = clinic_of(patient)
    done = list(function_tests_of(patient).values_list("kind", "performed_on"))
    # Each limb's visit carries its own site's tests: a bilateral or mixed-site patient's hand
    # visit has no walking test because their femur's has (osseo/patients/sites.py).
    profiles = for_clinic_sites(clinic, {episode.limb.site for episode in episodes})
    due = []
    for episode in episodes:
        surgery = procedures.get(episode.pk)
        if surgery is None:
            continue
        schedule = schedule_for(episode, surgery, clinic, horizon)
        visit = rules.next_visit(schedule, held.get(episode.pk, set()))
        if visit is None or visit.due > horizon:
            continue
        earlier = [v.due for v in schedule if v.due < visit.due]
        since = earlier[-1] if earlier else surgery
        recorded = {kind for kind, on in done if on > since}
        wanted = profiles[episode.limb.site].function_tests
        tests = [
            FunctionTestKind(k).label
            for k in rules.FUNCTION_TESTS
            if k in wanted and k not in recorded
        ]
        due.append(VisitDue(episode, surgery, visit, (today - visit.due).days, tests))
    return sorted(due, key=lambda d: (d.visit.due, d.episode.pk))


def tests_for(patient: Patient) -> list[str]:
    """The function tests that apply to the patient: those of their limbs' site profiles, with
    what the clinic adds (osseo/patients/sites.py); walking tests for lower limbs only."""
    limbs = list(patient.limbs.all())
    profiles = for_clinic_sites(clinic_of(patient), {limb.site for limb in limbs})
    offered: list[str] = []
    for limb in limbs:
        for code in profiles[limb.site].function_tests:
            if code not in offered:
                offered.append(code)
    return [code for code in rules.FUNCTION_TESTS if code in offered]
