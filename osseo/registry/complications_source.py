"""The complications app's events as day numbers per implant: first deep infection, first adverse
event of any kind, and death (the competing risk)."""

from __future__ import annotations

import numpy as np
from django.db.models import CharField
from django.db.models.functions import Cast

from osseo.complications.models import AdverseEvent, Death, EventKind

from .cohort import NO_DAY, as_days, first_on_or_after

# Deep infection = bone or implant (issue 8: "the first deep (bone or implant) infection").
DEEP_INFECTION = (EventKind.INFECTION_BONE, EventKind.INFECTION_IMPLANT)


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
    infected = first_on_or_after(
        limb_arr, placed_arr, [e[0] for e in deep], as_days([e[1] for e in deep])
    )
    complication = first_on_or_after(
        limb_arr, placed_arr, [e[0] for e in events], as_days([e[2] for e in events])
    )
    deaths = dict(
        Death.objects.filter(patient_id__in=set(patients))
        .annotate(died_text=Cast("died_on", output_field=CharField()))
        .values_list("patient_id", "died_text")
    )
    died = (
        as_days([deaths.get(p) for p in patients])
        if deaths
        else np.full(ids.size, NO_DAY, dtype=np.int64)
    )
    return infected, complication, died
