"""The complications app's events as day numbers per implant: first deep infection, first adverse
event of any kind, and death (the competing risk)."""

from __future__ import annotations

from typing import Any

import numpy as np
from django.db.models import CharField
from django.db.models.functions import Cast

from osseo.complications.models import AdverseEvent, Death, EventKind

from .cohort import NO_DAY

# Deep infection = bone or implant (issue 8: "the first deep (bone or implant) infection").
DEEP_INFECTION = (EventKind.INFECTION_BONE, EventKind.INFECTION_IMPLANT)


def _days(values: list[Any]) -> np.ndarray:
    as_days = np.array(values, dtype="datetime64[D]")
    out = as_days.astype(np.int64)
    out[np.isnat(as_days)] = NO_DAY
    return out


def _first_per_limb(
    limbs: np.ndarray, placed: np.ndarray, ev_limbs: list[int], ev_days: np.ndarray
) -> np.ndarray:
    out = np.full(limbs.size, NO_DAY, dtype=np.int64)
    if not ev_limbs:
        return out
    ev_limb = np.asarray(ev_limbs, dtype=np.int64)
    order = np.lexsort((ev_days, ev_limb))
    ev_limb, ev_day = ev_limb[order], ev_days[order]
    left = np.searchsorted(ev_limb, limbs, side="left")
    right = np.searchsorted(ev_limb, limbs, side="right")
    for i in np.nonzero(right > left)[0]:
        days = ev_day[left[i] : right[i]]
        j = np.searchsorted(days, placed[i], side="left")
        if j < days.size:
            out[i] = days[j]
    return out


def complication_days(
    ids: np.ndarray, limbs: list[int], patients: list[int], placed: dict[int, tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    limb_arr = np.asarray(limbs, dtype=np.int64)
    placed_arr = np.asarray([placed[int(i)][1] for i in ids], dtype=np.int64)
    events = list(
        AdverseEvent.objects.filter(limb_id__in=set(limbs))
        .annotate(onset_text=Cast("onset_on", output_field=CharField()))
        .values_list("limb_id", "kind", "onset_text")
    )
    deep = [(limb, when) for limb, kind, when in events if kind in DEEP_INFECTION]
    infected = _first_per_limb(
        limb_arr, placed_arr, [e[0] for e in deep], _days([e[1] for e in deep])
    )
    complication = _first_per_limb(
        limb_arr, placed_arr, [e[0] for e in events], _days([e[2] for e in events])
    )
    deaths = dict(
        Death.objects.filter(patient_id__in=set(patients))
        .annotate(died_text=Cast("died_on", output_field=CharField()))
        .values_list("patient_id", "died_text")
    )
    died = (
        _days([deaths.get(p) for p in patients])
        if deaths
        else np.full(ids.size, NO_DAY, dtype=np.int64)
    )
    return infected, complication, died
