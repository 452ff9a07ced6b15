"""The follow-up schedule from the surgery date, with frozen time: who is due and overdue."""

import datetime as dt

import time_machine

from osseo.rehab.actions import set_rehab_setting
from tests.conftest import api_client
from tests.rehab.conftest import operate, post


def _list(world, status="all", within=30):
    return (
        api_client(world.users["coordinator"])
        .get(f"/api/v1/follow-ups?status={status}&within_days={within}")
        .json()
    )


def test_the_3_month_visit_is_due_then_overdue_then_done(world):
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)):
        operate(world, dt.date(2026, 1, 5))
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)):
        assert _list(world)["count"] == 0  # 3 months is 5 April: more than 30 days away
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC)):
        body = _list(world, "due")
        assert [(i["visit"], i["due_date"], i["status"]) for i in body["items"]] == [
            ("3 months", "2026-04-05", "due")
        ]
        assert _list(world, "overdue")["count"] == 0
    with time_machine.travel(dt.datetime(2026, 4, 15, 9, tzinfo=dt.UTC)):
        item = _list(world, "overdue")["items"][0]
        assert (item["due_date"], item["overdue_days"]) == ("2026-04-05", 10)
        done = post(
            api_client(world.users["coordinator"]),
            f"/api/v1/episodes/{world.episode.uuid}/follow-ups",
            {"due_date": "2026-04-05", "done_on": "2026-04-14"},
        )
        assert done.status_code == 201, done.content
        assert _list(world)["count"] == 0
        wrong = post(
            api_client(world.users["coordinator"]),
            f"/api/v1/episodes/{world.episode.uuid}/follow-ups",
            {"due_date": "2026-04-06", "done_on": "2026-04-14"},
        )
        assert wrong.status_code == 422
    with time_machine.travel(dt.datetime(2026, 6, 20, 9, tzinfo=dt.UTC)):
        assert [i["visit"] for i in _list(world)["items"]] == ["6 months"]


def test_the_schedule_is_a_clinic_setting(world):
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)):
        operate(world, dt.date(2026, 1, 5))
        set_rehab_setting(
            actor=world.users["clinic_admin"],
            key="follow_up_schedule",
            value={"months": [1, 6], "then_every_months": 12},
            source="Clinic policy 2026",
            validated=True,
        )
    with time_machine.travel(dt.datetime(2026, 1, 20, 9, tzinfo=dt.UTC)):
        assert [(i["visit"], i["due_date"]) for i in _list(world)["items"]] == [
            ("1 months", "2026-02-05")
        ]


def test_the_partner_and_the_outsider_have_no_follow_up_list(world):
    assert api_client(world.users["rehab_specialist"]).get("/api/v1/follow-ups").status_code == 403
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)):
        operate(world, dt.date(2026, 1, 5))
    with time_machine.travel(dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC)):
        assert _list(world)["count"] == 1
        assert api_client(world.users["outsider"]).get("/api/v1/follow-ups").json()["count"] == 0


def test_the_count_covers_every_due_visit_while_only_the_first_rows_are_loaded(world):
    from osseo.pathway.actions import open_episode
    from osseo.patients.actions import add_limb
    from osseo.rehab.queries import follow_up_list, follow_up_rows

    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)):
        operate(world, dt.date(2026, 1, 5))
    with time_machine.travel(dt.datetime(2026, 2, 5, 9, tzinfo=dt.UTC)):
        limb = add_limb(
            actor=world.users["coordinator"],
            patient=world.patient,
            data={
                "site": "tibia",
                "side": "right",
                "amputation_date": dt.date(2015, 1, 1),
                "cause": "trauma",
            },
        )
        world.episode = open_episode(actor=world.users["coordinator"], limb=limb)
        world.limb = limb
        operate(world, dt.date(2026, 2, 5))
    today = dt.date(2026, 6, 1)  # both 3-month visits (5 Apr, 5 May) are overdue
    everything = follow_up_list(world.users["coordinator"], today, 30)
    count, first = follow_up_rows(world.users["coordinator"], today, 30, first=1)
    assert count == len(everything) == 2
    assert [(r.visit.due, r.overdue_days) for r in everything] == [
        (dt.date(2026, 4, 5), 57),
        (dt.date(2026, 5, 5), 27),
    ]
    assert [(r.episode, r.visit.due) for r in first] == [
        (everything[0].episode, everything[0].visit.due)
    ]
