"""Surgery's part of the patient page: each episode's assessment, plan and operations, and each
limb's devices (registered in apps.py)."""

from __future__ import annotations

from osseo.patients import panels


def register() -> None:
    panels.register(
        "episode_work",
        slot="episode",
        order=10,
        template="surgery/_episode_work.html",
        prefetch=[
            "limbs__episodes__assessments",
            "limbs__episodes__plans__anaesthesia_agreed_by",
            "limbs__episodes__procedures",
        ],
    )
    panels.register(
        "devices",
        slot="limb",
        order=20,
        template="surgery/_limb_devices.html",
        prefetch=["limbs__devices"],
    )
