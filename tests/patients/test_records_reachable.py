"""Every stored record is reachable from the patient page: each questionnaire response, the
surgical plan for those who may read but not edit it, and the follow-up visits held."""

import datetime as dt

from osseo.outcomes.actions import record_response
from osseo.outcomes.models import Questionnaire
from osseo.rehab.actions import record_follow_up
from tests.complications.conftest import operate
from tests.conftest import client_for


def _page(user, url):
    response = client_for(user).get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_each_stored_questionnaire_response_is_linked_and_its_page_opens(world):
    stored = [
        record_response(
            actor=world.users["surgeon"],
            patient=world.patient,
            questionnaire=Questionnaire.objects.get(code="rand-36"),
            data={"authored_on": on, "answers": {"21": 3}},
        )
        for on in (dt.date(2025, 1, 1), dt.date(2025, 6, 1))
    ]
    page = _page(world.users["coordinator"], f"/patients/{world.patient.uuid}/")
    assert "Every stored response (2)" in page
    for response in stored:
        url = f"/questionnaire-responses/{response.uuid}/"
        assert f'href="{url}"' in page
        _page(world.users["coordinator"], url)


def test_the_plan_is_linked_for_readers_who_may_not_edit_it(world):
    operate(world)
    url = f"/episodes/{world.episode.uuid}/plan/"
    for role in ("coordinator", "prosthetist", "anaesthetist"):
        page = _page(world.users[role], f"/patients/{world.patient.uuid}/")
        assert f'href="{url}">Read the plan' in page, role
        _page(world.users[role], url)
    surgeon = _page(world.users["surgeon"], f"/patients/{world.patient.uuid}/")
    assert f'href="{url}">Edit the plan' in surgeon


def test_follow_up_visits_held_are_listed_on_the_rehabilitation_page(world):
    operate(world)  # operated on 10 Jan 2025: the 3-month visit is due 10 Apr 2025
    record_follow_up(
        actor=world.users["coordinator"],
        episode=world.episode,
        due_date=dt.date(2025, 4, 10),
        done_on=dt.date(2025, 4, 14),
        notes="Walking well.",
    )
    patient_page = _page(world.users["coordinator"], f"/patients/{world.patient.uuid}/")
    assert f'href="/patients/{world.patient.uuid}/rehab/"' in patient_page
    rehab = _page(world.users["coordinator"], f"/patients/{world.patient.uuid}/rehab/")
    assert "Visits held" in rehab
    assert '<time datetime="2025-04-14">14 Apr 2025</time>: the visit due' in rehab
    assert "Walking well." in rehab
