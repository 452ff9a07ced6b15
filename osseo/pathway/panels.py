"""The pathway's parts of the patient page (each limb's episodes of care) and of the dashboard
(the patients by phase); registered in apps.py."""

from __future__ import annotations

from typing import Any

from osseo.patients import panels, worklist
from osseo.patients.panels import Page

from .machine import ORDER
from .models import Phase
from .queries import episodes_by_phase


def phase_board(user: Any) -> dict[str, Any] | None:
    membership = getattr(user, "membership", None)
    if membership is None:
        return None
    counts = episodes_by_phase(user)
    phases = [(p, Phase(p).label, counts.get(p, 0)) for p in [*ORDER, Phase.DECLINED, Phase.CLOSED]]
    return {"phases": phases, "total": sum(counts.values()), "membership": membership}


def limb_episodes(page: Page, limb: Any) -> dict[str, Any]:
    return {"limb": limb}


def register() -> None:
    worklist.register_section(10, "phase_board", "pathway/_phase_board.html", phase_board)
    panels.register(
        "episodes",
        slot="limb",
        order=10,
        template="pathway/_limb_episodes.html",
        context=limb_episodes,
        prefetch=[
            "limbs__episodes__changes__by",
            "limbs__episodes__overrides__by",
            "limbs__episodes__overrides__withdrawn_by",
        ],
    )
