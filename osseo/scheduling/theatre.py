"""The theatre list: planned operations by date and surgeon, and the next stage of a staged plan,
due in its window from the day the stage before it was signed.

Reads the surgery app's signed facts only (plans, procedures, devices); owns no table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from osseo.pathway.models import Episode, Phase
from osseo.patients.queries import patients_for
from osseo.surgery import rules
from osseo.surgery.actions import stage_window
from osseo.surgery.models import (
    DeviceKind,
    PlannedStage,
    Procedure,
    ProcedureKind,
    RecordStatus,
    Strategy,
    SurgicalPlan,
)
from osseo.surgery.systems import system_for

STAGE_KINDS = (ProcedureKind.STAGE_1, ProcedureKind.STAGE_2, ProcedureKind.STAGE_N)


def plan_window(plan: SurgicalPlan) -> rules.Window:
    """The window the plan was made with (the clinic setting then), else the clinic's now."""
    if plan.window_max and plan.window_unit:
        unit: rules.WindowUnit = "weeks" if plan.window_unit == "weeks" else "months"
        return rules.Window(
            int(plan.window_min or 0), int(plan.window_max), unit, "Clinic setting: stage window"
        )
    return stage_window(plan.episode)


@dataclass(frozen=True)
class StageDue:
    """The next stage of a staged plan: the stage before it signed, this one not yet done."""

    plan: SurgicalPlan
    episode: Episode
    number: int  # the stage that is due
    previous_on: dt.date  # when the signed stage before it was performed
    earliest: dt.date
    latest: dt.date
    planned_on: dt.date | None  # the date the plan gives it, if any
    window: rules.Window

    @property
    def patient(self) -> Any:
        return self.episode.patient

    def status(self, today: dt.date) -> str:
        if today > self.latest:
            return "overdue"
        if today >= self.earliest:
            return "in_window"
        return "before_window"

    def status_text(self, today: dt.date) -> str:
        window = f"{self.earliest:%-d %b %Y} to {self.latest:%-d %b %Y}"
        late = (today - self.latest).days
        return {
            "overdue": f"overdue by {late} day{'s' if late != 1 else ''}: its window was {window}",
            "in_window": f"due in its window, {window}",
            "before_window": f"due in its window, {window} (opens in "
            f"{(self.earliest - today).days} days)",
        }[self.status(today)]


def stages_due(user: Any, today: dt.date, patients: Any = None) -> list[StageDue]:
    """Every staged plan, among the patients the user may see (and of `patients`, when given),
    whose last stage done is signed and whose next stage is not yet recorded: due in its window
    from the day it was signed. In a fixed number of queries, however many plans."""
    plans = (
        SurgicalPlan.objects.filter(
            strategy=Strategy.STAGED,
            episode__patient__in=patients_for(user),
            episode__phase__in=[Phase.PLANNING, Phase.SURGERY, Phase.REHABILITATION],
        )
        .select_related("episode__patient", "episode__limb")
        .prefetch_related("stages")
        .order_by("episode_id", "-created_at", "-id")
    )
    if patients is not None:
        plans = plans.filter(episode__patient__in=patients)
    current: dict[int, SurgicalPlan] = {}
    for plan in plans:
        current.setdefault(plan.episode_id, plan)  # the episode's latest plan only
    done: dict[int, list[Procedure]] = {}
    for procedure in Procedure.objects.filter(
        episode_id__in=list(current), kind__in=STAGE_KINDS
    ).order_by("performed_on", "id"):
        done.setdefault(procedure.episode_id, []).append(procedure)
    found: list[StageDue] = []
    for episode_id, plan in current.items():
        stages = done.get(episode_id, [])
        signed = [p for p in stages if p.status == RecordStatus.SIGNED]
        if not signed or any(p.status == RecordStatus.DRAFT for p in stages):
            continue
        last = signed[-1]
        if last.final_stage:
            continue  # the staged plan is complete
        number = len(signed) + 1
        window = plan_window(plan)
        earliest, latest = rules.window_dates(last.performed_on, window)
        planned = next((s.planned_date for s in plan.stages.all() if s.number == number), None)
        found.append(
            StageDue(
                plan, plan.episode, number, last.performed_on, earliest, latest, planned, window
            )
        )
    found.sort(key=lambda s: (s.latest, s.earliest, s.episode.patient.family_name))
    return found


@dataclass
class Operation:
    """One row of the theatre list."""

    date: dt.date
    surgeon: Any  # a User, or None when nobody is named yet
    episode: Episode
    what: str  # "Single-stage implantation", "Stage 2", ...
    plan: SurgicalPlan | None
    anaesthesia: str
    anaesthesia_agreed: bool
    implant: str  # the planned implant and its size, or ""
    parts: list[str] = field(default_factory=list)  # the parts to have ready
    recorded: Procedure | None = None  # the procedure record, once started
    stage: StageDue | None = None

    @property
    def patient(self) -> Any:
        return self.episode.patient


def _parts_for(plan: SurgicalPlan, *, implant: bool, final: bool) -> list[str]:
    """The parts to have ready: the planned implant for the operation that places it, and for the
    one that makes the stoma the transcutaneous parts of its implant system (surgery/systems.py)."""
    parts: list[str] = []
    if implant:
        parts.append(str(plan.implant) if plan.implant else "Bone-anchor implant: not chosen yet")
    if final:
        system = system_for(
            plan.implant.system if plan.implant else None, site=plan.episode.limb.site
        )
        parts += [DeviceKind(kind).label for kind in system.parts]
    return parts


def theatre_list(user: Any, start: dt.date, end: dt.date, surgeon: Any = None) -> list[Operation]:
    """The operations planned from `start` to `end` (inclusive) among the user's patients, by
    date then surgeon: a plan's date for its first operation, a planned stage's date for a later
    one, and any procedure already recorded on a day in the range."""
    patients = patients_for(user)
    plans = (
        SurgicalPlan.objects.filter(episode__patient__in=patients)
        .filter(Q(planned_date__range=(start, end)) | Q(stages__planned_date__range=(start, end)))
        .select_related("episode__patient", "episode__limb", "implant", "created_by")
        .prefetch_related("stages")
        .distinct()
    )
    rows: list[Operation] = []
    recorded = {
        (p.episode_id, p.performed_on): p
        for p in Procedure.objects.filter(
            patient__in=patients, performed_on__range=(start, end)
        ).select_related("surgeon")
    }
    for plan in plans:
        anaesthesia = rules.ANAESTHESIA_LABELS.get(plan.anaesthesia, plan.anaesthesia)
        implant = str(plan.implant) if plan.implant else ""
        dates: list[tuple[dt.date, str, bool, bool]] = []  # day, what, implant, final
        staged = plan.strategy == Strategy.STAGED
        if plan.planned_date and start <= plan.planned_date <= end:
            what = "Stage 1 (implant)" if staged else "Single-stage implantation"
            dates.append((plan.planned_date, what, True, not staged))
        stages: list[PlannedStage] = list(plan.stages.all()) if staged else []
        for stage in stages:
            if stage.planned_date and start <= stage.planned_date <= end:
                final = stage.number == max(s.number for s in stages)
                dates.append((stage.planned_date, f"Stage {stage.number}", False, final))
        for day, what, places_implant, final in dates:
            done = recorded.get((plan.episode_id, day))
            rows.append(
                Operation(
                    date=day,
                    surgeon=done.surgeon if done else plan.created_by,
                    episode=plan.episode,
                    what=what,
                    plan=plan,
                    anaesthesia=anaesthesia,
                    anaesthesia_agreed=plan.anaesthesia_agreed_by_id is not None,
                    implant=implant,
                    parts=_parts_for(plan, implant=places_implant, final=final),
                    recorded=done,
                )
            )
    if surgeon is not None:
        rows = [r for r in rows if r.surgeon == surgeon]
    rows.sort(
        key=lambda r: (
            r.date,
            (r.surgeon.get_full_name() or r.surgeon.username) if r.surgeon else "",
            r.patient.family_name,
        )
    )
    return rows
