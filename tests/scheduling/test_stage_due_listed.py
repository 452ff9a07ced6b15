"""A staged plan's next stage, due in its window from the day stage 1 was signed, is in the
patient list's "next due" column (due by the end of its window, overdue once it has passed) for
the clinic's clinical staff, and in the surgeon's worklist with how late it is in words."""

from __future__ import annotations

import datetime as dt

import time_machine

from osseo.patients.due import next_due
from osseo.patients.models import Patient
from osseo.scheduling.worklist import next_stage_due
from tests.conftest import api_client, client_for
from tests.scheduling.conftest import staged_hand

STAGE_1_ON = dt.date(2026, 9, 1)  # the default window: 1 Jan to 1 Mar 2027
LATE = dt.datetime(2027, 3, 11, 9, tzinfo=dt.UTC)  # ten days past its window
IN_WINDOW = dt.datetime(2027, 1, 15, 9, tzinfo=dt.UTC)


def _stage_text(user, at):
    with time_machine.travel(at, tick=False):
        panels = api_client(user).get("/api/v1/worklist").json()["panels"]
    [stages] = [p for p in panels if p["kind"] == "stages_due"]
    return [(i["text"], i["urgent"]) for i in stages["items"]]


def test_the_next_stage_is_in_the_patient_lists_due_column_and_overdue_past_its_window(world):
    with time_machine.travel(dt.datetime(2026, 9, 2, 9, tzinfo=dt.UTC), tick=False):
        staged_hand(world, STAGE_1_ON)
    patients = Patient.objects.filter(pk=world.patient.pk)
    for role in ("surgeon", "anaesthetist", "coordinator", "prosthetist"):
        found = next_stage_due(world.users[role], patients, dt.date(2027, 1, 15))
        assert found[world.patient.pk].on == dt.date(2027, 3, 1), role
        assert found[world.patient.pk].what == (
            "Stage 2, Right Hand (digit or metacarpal): window 1 Jan 2027 to 1 Mar 2027"
        )
    # Not theirs: a rehabilitation partner, another clinic, the patient.
    for role in ("rehab_specialist", "outsider", "patient"):
        assert next_stage_due(world.users[role], patients, dt.date(2027, 1, 15)) == {}, role
    # The column takes it beside the apps' other providers.
    assert next_due(world.users["surgeon"], patients, dt.date(2027, 1, 15))[
        world.patient.pk
    ].what.startswith("Stage 2, Right Hand")
    with time_machine.travel(LATE, tick=False):
        html = client_for(world.users["coordinator"]).get("/patients/").content.decode()
    assert "Stage 2, Right Hand (digit or metacarpal): window 1 Jan 2027 to 1 Mar 2027" in html
    assert "Overdue</strong> since" in html


def test_the_surgeons_worklist_says_how_late_a_stage_is(world):
    with time_machine.travel(dt.datetime(2026, 9, 2, 9, tzinfo=dt.UTC), tick=False):
        staged_hand(world, STAGE_1_ON)
    assert _stage_text(world.users["surgeon"], IN_WINDOW) == [
        (
            "Stage 2, Right Hand (digit or metacarpal): due in its window, 1 Jan 2027 to 1 Mar 2027; no date planned",
            False,
        )
    ]
    assert _stage_text(world.users["surgeon"], LATE) == [
        (
            "Stage 2, Right Hand (digit or metacarpal): overdue by 10 days: its window was 1 Jan 2027 to 1 Mar 2027; "
            "no date planned",
            True,
        )
    ]
