"""The registry's cohort comes from the cache while its facts are unchanged, and is loaded again
as soon as any of them changes (osseo/registry/queries.facts_stamp): never stale."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from osseo.complications.actions import record_death
from osseo.registry.queries import facts_stamp, implant_cohort, load_implant_cohort
from tests.conftest import api_client, client_for
from tests.registry.test_registry_page import _implant
from tests.surgery.conftest import COMPLETE_RECORD, DUALCONE_GTIN, IMPLANT_GTIN, move, post, put

EPOCH = dt.date(1970, 1, 1)


def _cohort_queries(user):
    """The cohort and the SQL it took: the cohort's own query reads the implants' placement."""
    with CaptureQueriesContext(connection) as queries:
        cohort = implant_cohort(user)
    return cohort, [q["sql"] for q in queries.captured_queries if "placed_day" in q["sql"]]


def test_an_unchanged_registry_is_not_loaded_again(world):
    _implant(world)
    surgeon = world.users["surgeon"]
    first, loaded = _cohort_queries(surgeon)
    again, reloaded = _cohort_queries(surgeon)
    assert (len(loaded), len(reloaded)) == (1, 0)
    assert again.key.tolist() == first.key.tolist() == load_implant_cohort(surgeon).key.tolist()


def test_viewing_the_registry_leaves_the_stamp_as_it_was(world):
    _implant(world)
    stamp = facts_stamp()
    assert client_for(world.users["surgeon"]).get("/registry/").status_code == 200
    assert facts_stamp() == stamp


def test_a_fact_recorded_through_an_action_reaches_the_next_view(world):
    _implant(world)
    surgeon = world.users["surgeon"]
    assert implant_cohort(surgeon).died.tolist() == [-1]
    record_death(
        actor=surgeon,
        patient=world.patient,
        died_on=dt.date(2025, 1, 1),
        cause="Unrelated (test).",
    )
    cohort, loaded = _cohort_queries(surgeon)
    assert len(loaded) == 1
    assert cohort.died.tolist() == [(dt.date(2025, 1, 1) - EPOCH).days]


def test_signing_the_operation_reaches_the_page_viewed_before_it(world):
    surgeon = world.users["surgeon"]
    move(world, "assessment", "planning", "surgery")
    client = api_client(surgeon)
    pid = post(
        client,
        f"/api/v1/episodes/{world.episode.uuid}/procedures",
        {"kind": "single_stage", "performed_on": "2024-03-01"},
    ).json()["id"]
    put(client, f"/api/v1/procedures/{pid}/record", {"data": COMPLETE_RECORD})
    for kind, gtin, lot in (("implant", IMPLANT_GTIN, "L1"), ("dualcone", DUALCONE_GTIN, "D1")):
        post(client, f"/api/v1/procedures/{pid}/devices", {"kind": kind, "gtin": gtin, "lot": lot})
    page = client_for(surgeon).get("/registry/").content.decode()
    assert "0 implants placed by signed operations" in page
    assert post(client, f"/api/v1/procedures/{pid}/sign").status_code == 200
    page = client_for(surgeon).get("/registry/").content.decode()
    assert "1 implant placed by signed operations" in page


def test_each_clinic_has_its_own_cached_cohort(world):
    _implant(world)
    assert len(implant_cohort(world.users["surgeon"])) == 1
    assert len(implant_cohort(world.users["outsider"])) == 0
    assert len(implant_cohort(world.users["surgeon"])) == 1
