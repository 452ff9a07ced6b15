"""The patient list shows each patient's phase and site in words, sorts by a column on the
server (`?sort=`, said with `aria-sort`), and does not query once per row."""

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from osseo.pathway.actions import open_episode, transition_to
from osseo.patients.actions import add_limb
from tests.conftest import client_for, make_patient


def _second_patient(world):
    coordinator = world.users["coordinator"]
    patient = make_patient(coordinator, given_name="Ysolde", family_name="Abbot")
    limb = add_limb(
        actor=coordinator,
        patient=patient,
        data={
            "site": "tibia",
            "side": "right",
            "amputation_date": dt.date(2019, 5, 1),
            "cause": "trauma",
        },
    )
    transition_to(
        actor=coordinator, episode=open_episode(actor=coordinator, limb=limb), to_phase="assessment"
    )
    return patient


def _rows(html):
    return re.findall(
        r'<th scope="row"><a [^>]*>([^<]+)</a></th>\s*<td>.*?</td>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>',
        html,
        re.S,
    )


def test_the_list_names_each_patients_phase_and_site(world):
    _second_patient(world)
    html = client_for(world.users["surgeon"]).get("/patients/").content.decode()
    rows = {name: (phase, site) for name, phase, site in _rows(html)}
    assert rows["ABBOT, Ysolde"] == ("Assessment", "Tibia (transtibial)")
    assert ("Referral", "Femur (transfemoral)") in rows.values()
    assert 'aria-sort="ascending"' in html  # by name, as it opens


def test_it_sorts_by_phase_in_pathway_order_both_ways(world):
    _second_patient(world)
    surgeon = client_for(world.users["surgeon"])
    up = [phase for _, phase, _ in _rows(surgeon.get("/patients/?sort=phase").content.decode())]
    page = surgeon.get("/patients/?sort=-phase").content.decode()
    down = [phase for _, phase, _ in _rows(page)]
    assert up[0] == "Referral" and up[-1] == "Assessment"
    assert down[0] == "Assessment"
    assert re.search(r'<th scope="col" aria-sort="descending"><a [^>]*>Phase', page)


def test_the_list_queries_the_same_however_many_patients(world):
    surgeon = client_for(world.users["surgeon"])
    surgeon.get("/patients/")
    with CaptureQueriesContext(connection) as few:
        surgeon.get("/patients/?sort=site")
    for _ in range(4):
        _second_patient(world)
    with CaptureQueriesContext(connection) as more:
        surgeon.get("/patients/?sort=site")
    assert len(more) == len(few)
