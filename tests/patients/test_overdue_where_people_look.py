"""Every part, follow-up visit and function test that is overdue says so on the patient page and
on the page the patient page and the dashboard link to."""

import datetime as dt
import re

import pytest
import time_machine

from osseo.rehab.actions import record_function_test
from tests.complications.conftest import operate
from tests.conftest import page_at
from tests.connectors.conftest import policy

NOW = dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC)


def _get(user, url):
    return page_at(user, url, NOW)


def _text(html):
    spaced = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r" ([.,:;)])", r"\1", spaced)


@pytest.fixture
def overdue(world):
    """Operated on 10 Jan 2025 with a dualcone whose 12-month time limit passed on 10 Jan 2026;
    no follow-up visit held, no function test recorded."""
    operate(world)
    policy(world, time_limit_months=12)
    return world


def test_an_overdue_part_says_so_on_the_patient_page_and_the_connectors_page(overdue):
    surgeon = overdue.users["surgeon"]
    page = _get(surgeon, f"/patients/{overdue.patient.uuid}/")
    text = _text(page)
    assert (
        "In place Overdue since 10 Jan 2026 (the dualcone adaptor, Left Femur (transfemoral))"
        in text
    )
    link = f'href="/patients/{overdue.patient.uuid}/connectors/#part-'
    assert link in page
    connectors = _get(surgeon, f"/patients/{overdue.patient.uuid}/connectors/")
    assert "Overdue since 10 January 2026" in _text(connectors)
    # The part's own page, which the patient page's table also links to, says so as well.
    dualcone = overdue.patient.devices.get(kind="dualcone")
    assert f'href="/devices/{dualcone.uuid}/"' in page
    device = _text(_get(surgeon, f"/devices/{dualcone.uuid}/"))
    assert "State In place Overdue since 10 Jan 2026" in device


def test_a_part_not_yet_due_shows_its_due_date_not_overdue(world):
    operate(world)
    policy(world, time_limit_months=36)
    text = _text(_get(world.users["surgeon"], f"/patients/{world.patient.uuid}/"))
    assert "In place Due 10 Jan 2028" in text
    assert "Overdue" not in text


def test_an_overdue_follow_up_visit_and_its_tests_say_so_on_both_pages(overdue):
    coordinator = overdue.users["coordinator"]
    expected = "3 months follow-up visit, Left Femur (transfemoral): overdue by 595 days (due 10 Apr 2025)."
    patient_page = _text(_get(coordinator, f"/patients/{overdue.patient.uuid}/"))
    rehab_page = _text(_get(coordinator, f"/patients/{overdue.patient.uuid}/rehab/"))
    for text in (patient_page, rehab_page):
        assert expected in text
        assert "Function tests due at it, overdue: " in text
    # The dashboard's item links to the part of the rehabilitation page that says so.
    dashboard = _get(coordinator, "/")
    assert f'href="/patients/{overdue.patient.uuid}/rehab/#follow-ups"' in dashboard
    assert 'id="follow-ups"' in _get(coordinator, f"/patients/{overdue.patient.uuid}/rehab/")


def test_tests_recorded_since_the_visit_before_are_no_longer_due(overdue):
    with time_machine.travel(NOW, tick=False):
        record_function_test(
            actor=overdue.users["prosthetist"],
            patient=overdue.patient,
            data={"kind": "timed_up_and_go", "performed_on": dt.date(2025, 3, 1), "value": 9.5},
        )
    text = _text(_get(overdue.users["coordinator"], f"/patients/{overdue.patient.uuid}/rehab/"))
    due = text.split("Function tests due at it, overdue: ")[1].split(".")[0]
    assert "Timed up-and-go" not in due
    assert due  # the others still are
