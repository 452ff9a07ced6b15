"""The patient list's "next due" column: each patient's earliest item due of those the apps derive
(follow-up visit, connector part), overdue said in words, sortable on the server both ways, in a
number of queries that does not grow with the clinic."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from osseo.pathway.actions import open_episode
from osseo.patients.actions import add_limb
from tests.conftest import make_patient, page_at
from tests.connectors.conftest import policy
from tests.rehab.conftest import operate

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


def _episode(world, given, family, site="tibia"):
    coordinator = world.users["coordinator"]
    patient = make_patient(coordinator, given_name=given, family_name=family)
    limb = add_limb(
        actor=coordinator,
        patient=patient,
        data={
            "site": site,
            "side": "right",
            "amputation_date": dt.date(2019, 5, 1),
            "cause": "trauma",
        },
    )
    return open_episode(actor=coordinator, limb=limb)


def seed(world):
    """QUARRELL, operated on 10 Jan 2025, in follow-up, has not had her 3-month visit (due 10 Apr
    2025); her dualcone is due on 10 Jan 2026, later. ABBOT, operated on 5 Jan 2026 and still in
    the surgery phase, has no visit due, only his dualcone (5 Jan 2027). CARVER has nothing due."""
    operate(world, dt.date(2025, 1, 10), phase="follow_up")
    operate(world, dt.date(2026, 1, 5), phase="surgery", episode=_episode(world, "Ysolde", "Abbot"))
    _episode(world, "Cai", "Carver")
    policy(world, time_limit_months=12)
    return world


@pytest.fixture
def clinic(world):
    return seed(world)


def _get(user, url):
    return page_at(user, url, NOW)


def _rows(html):
    """(name, the next due cell's text) of each row, in order."""
    rows = re.findall(r'<th scope="row"><a [^>]*>([^<]+)</a></th>(.*?)</tr>', html, re.S)
    return [
        (name, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cells.split("<td>")[4])).strip())
        for name, cells in rows
    ]


def test_each_patient_shows_the_earliest_item_due_and_says_overdue_in_words(clinic):
    html = _get(clinic.users["surgeon"], "/patients/")
    assert _rows(html) == [
        ("ABBOT, Ysolde", "Dualcone adaptor, Right Tibia (transtibial) Due 5 Jan 2027"),
        ("CARVER, Cai", "—"),
        (
            "QUARRELL, Ada",
            "3 months follow-up visit, Left Femur (transfemoral) Overdue since 10 Apr 2025",
        ),
    ]
    assert '<strong class="overdue">Overdue</strong> since <time datetime="2025-04-10">' in html
    # Each item links to the page that deals with it.
    assert f'href="/patients/{clinic.patient.uuid}/rehab/#follow-ups"' in html
    assert re.search(r'href="/patients/[0-9a-f-]+/connectors/#part-[0-9a-f-]+"', html)


def test_it_sorts_by_the_next_due_item_both_ways_with_nothing_due_last(clinic):
    surgeon = clinic.users["surgeon"]
    up = _get(surgeon, "/patients/?sort=due")
    down = _get(surgeon, "/patients/?sort=-due")
    assert [name for name, _ in _rows(up)] == ["QUARRELL, Ada", "ABBOT, Ysolde", "CARVER, Cai"]
    assert [name for name, _ in _rows(down)] == ["ABBOT, Ysolde", "QUARRELL, Ada", "CARVER, Cai"]
    assert re.search(r'<th scope="col" aria-sort="ascending"><a [^>]*>Next due', up)
    assert re.search(r'<th scope="col" aria-sort="descending"><a [^>]*>Next due', down)
    assert 'href="?q=&amp;phase=&amp;sort=-due"' in up  # the header's link turns the order


def test_a_reader_sees_only_the_items_of_the_due_lists_their_role_sees(clinic):
    # The partner's rehabilitation specialist, caring for QUARRELL too, sees her parts due but
    # not the clinic's follow-up list: her next due item is then the dualcone.
    from django.utils import timezone

    from osseo.patients.models import CareTeam

    CareTeam.objects.create(patient=clinic.patient, organisation=clinic.rehab, since=timezone.now())
    rows = _rows(_get(clinic.users["rehab_specialist"], "/patients/?sort=due"))
    assert rows == [
        ("QUARRELL, Ada", "Dualcone adaptor, Left Femur (transfemoral) Overdue since 10 Jan 2026")
    ]


def test_the_list_sorted_by_due_queries_the_same_however_many_patients_are_due(clinic):
    surgeon = clinic.users["surgeon"]
    _get(surgeon, "/patients/?sort=due")
    with CaptureQueriesContext(connection) as few:
        _get(surgeon, "/patients/?sort=due")
    for n in range(3):
        operate(
            clinic,
            dt.date(2025, 6, 1 + n),
            phase="follow_up",
            episode=_episode(clinic, "P", f"Extra{n}"),
        )
    with CaptureQueriesContext(connection) as more:
        html = _get(surgeon, "/patients/?sort=due")
    assert len(_rows(html)) == 6
    assert len(more) == len(few)
    with CaptureQueriesContext(connection) as by_name:
        _get(surgeon, "/patients/")
    assert len(by_name) <= len(few) + 2
