"""The theatre list (issue 22): planned operations by date and surgeon with the plan, the agreed
anaesthesia, implant and parts to have ready; a staged plan's next stage due in its window from
the day stage 1 was signed."""

from __future__ import annotations

import datetime as dt

import time_machine

from osseo.accounts.actions import set_clinic_setting
from osseo.scheduling.theatre import stages_due, theatre_list
from tests.conftest import client_for
from tests.gates import advance, make_plan
from tests.scheduling.conftest import staged_hand

NOW = dt.datetime(2026, 11, 26, 9, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 26)


def test_stage_2_is_due_in_the_clinic_window_from_the_day_stage_1_is_signed(world):
    stage_1_on = dt.date(2026, 9, 1)
    with time_machine.travel(NOW, tick=False):
        hand = staged_hand(world, stage_1_on)
        [due] = stages_due(world.users["surgeon"], TODAY)
    assert due.episode == hand
    assert due.number == 2
    assert due.previous_on == stage_1_on
    # The guide's default window: 4 to 6 months after stage 1.
    assert (due.earliest, due.latest) == (dt.date(2027, 1, 1), dt.date(2027, 3, 1))
    assert due.status(TODAY) == "before_window"
    assert due.status(dt.date(2027, 1, 1)) == "in_window"
    assert due.status(dt.date(2027, 3, 2)) == "overdue"
    assert due.status_text(dt.date(2027, 2, 1)) == "due in its window, 1 Jan 2027 to 1 Mar 2027"


def test_the_window_is_the_one_the_plan_was_made_with(world):
    set_clinic_setting(
        actor=world.users["clinic_admin"],
        key="stage_window",
        value={"min": 6, "max": 8, "unit": "weeks"},
        source="Radboud",
        validated=True,
    )
    with time_machine.travel(NOW, tick=False):
        staged_hand(world, dt.date(2026, 11, 2))
        [due] = stages_due(world.users["surgeon"], TODAY)
    assert due.window.label == "6 to 8 weeks"
    assert (due.earliest, due.latest) == (dt.date(2026, 12, 14), dt.date(2026, 12, 28))


def test_nothing_is_due_before_stage_1_is_signed_nor_for_another_clinic(world):
    with time_machine.travel(NOW, tick=False):
        staged_hand(world, dt.date(2026, 9, 1))
        assert stages_due(world.users["outsider"], TODAY) == []


def test_the_list_shows_each_planned_operation_with_what_to_have_ready(world):
    with time_machine.travel(NOW, tick=False):
        advance(world.users, world.episode, "assessment", "planning")
        make_plan(world.users, world.episode, planned_date=dt.date(2026, 12, 2))
        rows = theatre_list(world.users["anaesthetist"], TODAY, TODAY + dt.timedelta(days=13))
    [row] = rows
    assert row.date == dt.date(2026, 12, 2)
    assert row.surgeon == world.users["surgeon"]
    assert row.what == "Single-stage implantation"
    assert row.anaesthesia == "General anaesthesia with an epidural block"
    assert row.anaesthesia_agreed is True
    # No implant chosen in the plan yet; the single stage places the stoma parts of the
    # femur's usual system.
    assert row.parts[0] == "Bone-anchor implant: not chosen yet"
    assert "Dualcone adaptor" in row.parts


def test_the_page_lists_operations_by_day_and_the_stages_due(world):
    with time_machine.travel(NOW, tick=False):
        advance(world.users, world.episode, "assessment", "planning")
        make_plan(world.users, world.episode, planned_date=dt.date(2026, 12, 2))
        staged_hand(world, dt.date(2026, 9, 1))
        response = client_for(world.users["coordinator"]).get("/theatre/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Wednesday 2 Dec 2026" in html
    assert "General anaesthesia with an epidural block — agreed" in html
    assert "Next stages due (1)" in html
    assert "Due in its window, 1 Jan 2027 to 1 Mar 2027 (opens in 36 days)" in html


def test_the_patient_and_the_partner_have_no_theatre_list(world):
    assert client_for(world.users["patient"]).get("/theatre/").status_code == 403
    assert client_for(world.users["rehab_specialist"]).get("/theatre/").status_code == 403
