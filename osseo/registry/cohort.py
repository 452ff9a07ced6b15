"""The implant cohort as flat arrays, and the analyses the registry draws from it.

Pure numerics over numpy arrays (the queries module fills them from the database), so the same
code serves the screen, the CSV exports and the benchmark.

End points (docs/sources.md#registries, joint-registry practice):
- implant survival: the event is explantation (removing the bone-anchor is its explantation,
  docs/sources.md#design-rules); time from implantation; censored at the analysis date or death.
- revision-free survival: the event is the first revision operation or an explantation.
- first deep infection (bone or implant): cumulative incidence (Aalen-Johansen) with death as the
  competing risk, because Kaplan-Meier over-estimates when death competes
  (docs/sources.md#registries).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from osseo.survival import at_risk_table, cumulative_incidence, kaplan_meier

NO_DAY = -1  # "no event" in the integer day arrays


def as_days(values: list[Any]) -> np.ndarray:
    """Dates (ISO strings, dates, or None) as day numbers since 1970-01-01, vectorised."""
    days = np.array(values, dtype="datetime64[D]")
    out = days.astype(np.int64)
    out[np.isnat(days)] = NO_DAY
    return out


def first_on_or_after(
    limbs: np.ndarray, placed: np.ndarray, event_limbs: list[int], event_days: np.ndarray
) -> np.ndarray:
    """Per implant, the first event day on its limb on or after its placement day."""
    out = np.full(limbs.size, NO_DAY, dtype=np.int64)
    if not event_limbs:
        return out
    ev_limb = np.asarray(event_limbs, dtype=np.int64)
    order = np.lexsort((event_days, ev_limb))
    ev_limb, ev_day = ev_limb[order], event_days[order]
    left = np.searchsorted(ev_limb, limbs, side="left")
    right = np.searchsorted(ev_limb, limbs, side="right")
    for i in np.nonzero(right > left)[0]:
        days = ev_day[left[i] : right[i]]
        j = np.searchsorted(days, placed[i], side="left")
        if j < days.size:
            out[i] = days[j]
    return out


@dataclass
class ImplantCohort:
    """One row per implant: day numbers are days since 1970-01-01; NO_DAY where absent."""

    key: np.ndarray  # pseudonymous implant key (int)
    placed: np.ndarray
    site: np.ndarray  # str codes
    fixation: np.ndarray  # "press_fit" / "threaded" / "unknown"
    strategy: np.ndarray  # "single_stage" / "staged"
    surgeon: np.ndarray  # int user ids
    explanted: np.ndarray  # removed by a signed explantation (no implant took its place)
    revised: np.ndarray  # exchanged for a new implant by a signed revision
    infected: np.ndarray  # first deep infection after placement
    complication: np.ndarray  # first adverse event of any kind after placement
    died: np.ndarray
    sex: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    age_at_placement: np.ndarray = field(default_factory=lambda: np.array([], dtype=float))
    side: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    # First infection of any kind (soft tissue, bone or implant) while the implant was in.
    any_infection: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    # Why the implant came out (its revision's or explantation's reason); "" while it is in.
    removal_reason: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    # the pathway gates passed on an override, "code;code" (issue 17; the export only)
    gate_overrides: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))

    def __len__(self) -> int:
        return int(self.placed.size)

    def subset(self, mask: np.ndarray) -> ImplantCohort:
        values = {
            name: (
                getattr(self, name)[mask]
                if getattr(self, name).size == mask.size
                else getattr(self, name)
            )
            for name in self.__dataclass_fields__
        }
        return ImplantCohort(**values)


def _follow_up_end(cohort: ImplantCohort, today: int) -> np.ndarray:
    end = np.full(len(cohort), today, dtype=np.int64)
    dead = cohort.died != NO_DAY
    end[dead] = np.minimum(end[dead], cohort.died[dead])
    return end


def _first_event(cohort: ImplantCohort, *columns: np.ndarray) -> np.ndarray:
    first = np.full(len(cohort), NO_DAY, dtype=np.int64)
    for column in columns:
        has = (column != NO_DAY) & (column >= cohort.placed)
        take = has & ((first == NO_DAY) | (column < first))
        first[take] = column[take]
    return first


def survival_times(
    cohort: ImplantCohort, end_point: str, today: int
) -> tuple[np.ndarray, np.ndarray]:
    """(years, event 0/1) for Kaplan-Meier; end_point is 'explantation' or 'revision'."""
    if end_point == "explantation":
        event_day = _first_event(cohort, cohort.explanted)
    elif end_point == "revision":
        event_day = _first_event(cohort, cohort.revised, cohort.explanted)
    else:
        raise ValueError(f"unknown end point {end_point!r}")
    end = _follow_up_end(cohort, today)
    happened = (event_day != NO_DAY) & (event_day <= end)
    stop = np.where(happened, event_day, end)
    years = np.maximum(stop - cohort.placed, 0) / 365.25
    return years, happened.astype(np.int8)


def incidence_times(
    cohort: ImplantCohort, event: np.ndarray, today: int
) -> tuple[np.ndarray, np.ndarray]:
    """(years, code) for Aalen-Johansen: 1 the event, 2 death first, 0 censored."""
    event_day = _first_event(cohort, event)
    death_day = np.where(cohort.died >= cohort.placed, cohort.died, NO_DAY)
    codes = np.zeros(len(cohort), dtype=np.int8)
    stop = np.full(len(cohort), today, dtype=np.int64)
    has_event = (event_day != NO_DAY) & (event_day <= today)
    has_death = (death_day != NO_DAY) & (death_day <= today)
    event_first = has_event & (~has_death | (event_day <= death_day))
    death_first = has_death & ~event_first
    codes[event_first] = 1
    stop[event_first] = event_day[event_first]
    codes[death_first] = 2
    stop[death_first] = death_day[death_first]
    years = np.maximum(stop - cohort.placed, 0) / 365.25
    return years, codes


@dataclass(frozen=True)
class Curve:
    label: str
    n: int
    events: int
    time: list[float]
    estimate: list[float]  # survival, or cumulative incidence
    lower: list[float]
    upper: list[float]
    at_risk_times: list[float]
    at_risk: list[int]
    enough: bool  # False: "too few patients to say"
    shown_until: float  # the curve is drawn while at least `min_at_risk` remain


def _truncate(time: np.ndarray, at_risk: np.ndarray, min_at_risk: int) -> float:
    """The last time at which at least `min_at_risk` implants were still followed."""
    ok = at_risk >= min_at_risk
    if not ok.any():
        return 0.0
    return float(time[np.nonzero(ok)[0][-1]])


def at_risk_times(max_years: float) -> list[float]:
    step = 1.0 if max_years <= 6 else 2.0 if max_years <= 12 else 5.0
    count = int(np.floor(max_years / step)) + 1
    return [round(i * step, 2) for i in range(max(count, 1))]


def km_curve(
    label: str, years: np.ndarray, events: np.ndarray, min_at_risk: int, horizon: float
) -> Curve:
    result = kaplan_meier(years, events)
    times = at_risk_times(horizon)
    table = at_risk_table(result, times)
    enough = len(years) >= min_at_risk
    return Curve(
        label,
        len(years),
        int(np.sum(events)),
        result.time.tolist(),
        result.survival.tolist(),
        result.lower.tolist(),
        result.upper.tolist(),
        times,
        [int(x) for x in table.at_risk],
        enough,
        _truncate(result.time, result.at_risk, min_at_risk) if enough else 0.0,
    )


def cif_curve(
    label: str, years: np.ndarray, codes: np.ndarray, min_at_risk: int, horizon: float
) -> Curve:
    result = cumulative_incidence(years, codes, 1)
    times = at_risk_times(horizon)
    km = kaplan_meier(years, codes > 0)
    table = at_risk_table(km, times)
    enough = len(years) >= min_at_risk
    return Curve(
        label,
        len(years),
        int(np.sum(codes == 1)),
        result.time.tolist(),
        result.incidence.tolist(),
        result.lower.tolist(),
        result.upper.tolist(),
        times,
        [int(x) for x in table.at_risk],
        enough,
        _truncate(result.time, result.at_risk, min_at_risk) if enough else 0.0,
    )


def value_at(curve: Curve, year: float) -> tuple[float, float, float] | None:
    """(estimate, lower, upper) at `year`, or None where the curve is not shown."""
    if not curve.enough or year > curve.shown_until:
        return None
    index = int(np.searchsorted(np.asarray(curve.time), year, side="right")) - 1
    index = max(index, 0)
    return curve.estimate[index], curve.lower[index], curve.upper[index]


STRATA = {"overall": None, "site": "site", "fixation": "fixation", "strategy": "strategy"}


def groups(
    cohort: ImplantCohort, by: str, labels: Mapping[str, str] | None = None
) -> list[tuple[str, np.ndarray]]:
    """The groups of a stratification, each named by its label in `labels` (a screen's human
    labels; an export keeps the codes)."""
    names = labels or {}
    attribute = STRATA.get(by)
    if attribute is None:
        return [("All implants", np.ones(len(cohort), dtype=bool))]
    column = getattr(cohort, attribute)
    values, codes = np.unique(column.astype(str), return_inverse=True)
    return [(names.get(str(value), str(value)), codes == i) for i, value in enumerate(values)]


def analyse(
    cohort: ImplantCohort,
    *,
    by: str,
    today: int,
    min_at_risk: int,
    labels: Mapping[str, str] | None = None,
) -> dict[str, list[Curve]]:
    """The three analyses for each group of the chosen stratification."""
    horizon = max(float((today - cohort.placed.min()) / 365.25), 1.0) if len(cohort) else 1.0
    out: dict[str, list[Curve]] = {"explantation": [], "revision": [], "infection": []}
    for label, mask in groups(cohort, by, labels):
        part = cohort.subset(mask)
        if not len(part):
            continue
        years, events = survival_times(part, "explantation", today)
        out["explantation"].append(km_curve(label, years, events, min_at_risk, horizon))
        years, events = survival_times(part, "revision", today)
        out["revision"].append(km_curve(label, years, events, min_at_risk, horizon))
        years, codes = incidence_times(part, part.infected, today)
        out["infection"].append(cif_curve(label, years, codes, min_at_risk, horizon))
    return out


def comparison(
    cohort: ImplantCohort,
    *,
    within: str,
    compare: str,
    event: str,
    today: int,
    min_at_risk: int,
    year: float = 1.0,
    values: tuple[str, ...] | None = None,
    labels: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Per `within` group (e.g. site), the cumulative incidence of `event` at `year` for each
    value of `compare` (e.g. strategy), or why no comparison can be drawn."""
    rows: list[dict[str, Any]] = []
    column = getattr(cohort, compare)
    event_days = getattr(cohort, event)
    names = labels or {}
    for label, mask in groups(cohort, within, labels):
        part = cohort.subset(mask)
        if values is not None:  # only the arms compared (e.g. not revisions)
            part = part.subset(np.isin(getattr(part, compare), values))
        present = sorted(set(getattr(part, compare).tolist()) - {"unknown"})
        row: dict[str, Any] = {"group": label, "n": len(part), "arms": [], "note": ""}
        if len(present) < 2:
            only = (
                names.get(present[0], present[0].replace("_", "-")).lower() if present else "none"
            )
            row["note"] = f"No comparator: every implant here is {only}."
            rows.append(row)
            continue
        for value in present:
            arm = part.subset(getattr(part, compare) == value)
            years, codes = incidence_times(arm, getattr(arm, event), today)
            curve = cif_curve(value, years, codes, min_at_risk, year)
            at = value_at(curve, year)
            row["arms"].append(
                {
                    "value": names.get(value, value),
                    "n": len(arm),
                    "events": int(np.sum(codes == 1)),
                    "at_year": at,
                }
            )
        shown = [a for a in row["arms"] if a["at_year"] is not None]
        if len(shown) < 2:
            row["note"] = "Too few patients followed long enough to compare."
        else:
            (_, lo1, hi1), (_, lo2, hi2) = shown[0]["at_year"], shown[1]["at_year"]
            overlap = lo1 <= hi2 and lo2 <= hi1
            row["note"] = (
                "The confidence intervals overlap: these data cannot tell the groups apart."
                if overlap
                else "The intervals do not overlap; the groups also differ in era, surgeon and "
                "patients, so this is an association, not proof."
            )
        rows.append(row)
    del column, event_days
    return rows
