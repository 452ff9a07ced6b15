"""Two people change one complication at the same moment: each change is written over the
current row, locked, so both survive; two deaths recorded at once make one."""

import datetime as dt

import pytest
from django.db import connection

from osseo.complications import actions
from osseo.complications.models import AdverseEvent, Death, Grade, GradingSystem
from osseo.errors import Conflict
from tests.complications.conftest import operate
from tests.portal.test_concurrent_triage import at_once


@pytest.fixture(autouse=True)
def _lock_waits(transactional_db):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite test database cannot make threads wait for a lock")


def test_two_changes_of_different_fields_at_once_both_survive(world):
    operate(world)
    system = GradingSystem.objects.get(code="radboud-infection")
    event = actions.record_event(
        actor=world.users["surgeon"],
        patient=world.patient,
        data={
            "limb": world.limb,
            "kind": "infection_soft_tissue",
            "onset_on": dt.date(2025, 3, 1),
            "grading_system": system,
            "grade": Grade.objects.get(system=system, code="1"),
        },
    )
    grade_2 = Grade.objects.get(system=system, code="2")  # grades belong to kinds: soft tissue
    outcomes = at_once(
        lambda: actions.update_event(
            actor=world.users["surgeon"],
            event=AdverseEvent.objects.get(pk=event.pk),
            data={"grade": grade_2},
        ),
        lambda: actions.update_event(
            actor=world.users["coordinator"],
            event=AdverseEvent.objects.get(pk=event.pk),
            data={"description": "Discharge and cellulitis."},
        ),
    )
    assert all(isinstance(o, AdverseEvent) for o in outcomes), outcomes
    event = AdverseEvent.objects.get(pk=event.pk)
    assert (event.grade.code, event.description, event.version) == (
        "2",
        "Discharge and cellulitis.",
        3,
    )


def test_two_deaths_recorded_at_once_make_one(world):
    def record(actor):
        return lambda: actions.record_death(
            actor=world.users[actor],
            patient=type(world.patient).objects.get(pk=world.patient.pk),
            died_on=dt.date(2025, 6, 1),
        )

    outcomes = at_once(record("coordinator"), record("surgeon"))
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "Death"], outcomes
    assert isinstance(next(o for o in outcomes if not isinstance(o, Death)), Conflict)
    assert Death.objects.count() == 1
