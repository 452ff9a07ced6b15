"""The professional disciplines of the people at an MDT (issue 17), one vocabulary.

NICE IPG270 §1 (docs/sources.md#nice-ipg270) requires patient selection by a team with "a surgeon
experienced in amputation and in bone/soft-tissue reconstruction, plus rehab specialists including
experts in prosthetics"; the NICE draft update (consultation 2473, [V], draft) adds a plastic
surgeon and an anaesthetist. `REQUIRED` is the floor every clinic keeps; a clinic can add to it
(the `mdt_disciplines` clinic setting) but not remove from it.
"""

from __future__ import annotations

from django.db import models

from .models import Role


class Discipline(models.TextChoices):
    SURGEON = "surgeon", "Surgeon (amputation and reconstruction)"
    PLASTIC_SURGEON = "plastic_surgeon", "Plastic surgeon"
    REHABILITATION_PHYSICIAN = "rehabilitation_physician", "Rehabilitation physician"
    PROSTHETIST = "prosthetist", "Prosthetist"
    ANAESTHETIST = "anaesthetist", "Anaesthetist"
    PHYSIOTHERAPIST = "physiotherapist", "Physiotherapist"
    OCCUPATIONAL_THERAPIST = "occupational_therapist", "Occupational therapist"
    NURSE = "nurse", "Specialist nurse"
    PSYCHOLOGIST = "psychologist", "Psychologist"
    COORDINATOR = "coordinator", "Coordinator"


# NICE IPG270 §1 (docs/sources.md#nice-ipg270): the surgeon, and rehabilitation specialists
# including prosthetics expertise.
REQUIRED: tuple[str, ...] = (
    Discipline.SURGEON,
    Discipline.REHABILITATION_PHYSICIAN,
    Discipline.PROSTHETIST,
)
REQUIRED_SOURCE = (
    "NICE IPG270 §1 (docs/sources.md#nice-ipg270): selection by a multidisciplinary team"
)

# The disciplines a clinic user may be listed under, by their role (a coordinator is never listed
# as the surgeon).
BY_ROLE: dict[str, frozenset[str]] = {
    Role.SURGEON: frozenset({Discipline.SURGEON, Discipline.PLASTIC_SURGEON}),
    Role.ANAESTHETIST: frozenset({Discipline.ANAESTHETIST}),
    Role.REHAB_SPECIALIST: frozenset(
        {
            Discipline.REHABILITATION_PHYSICIAN,
            Discipline.PHYSIOTHERAPIST,
            Discipline.OCCUPATIONAL_THERAPIST,
        }
    ),
    Role.PROSTHETIST: frozenset({Discipline.PROSTHETIST}),
    Role.COORDINATOR: frozenset({Discipline.COORDINATOR, Discipline.NURSE}),
    Role.CLINIC_ADMIN: frozenset(),
}
