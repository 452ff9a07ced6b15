"""The patient page is built from the panels the apps register; the patients app imports none of
them, and the page's number of queries does not grow with the record."""

import datetime as dt
import tomllib
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from osseo.pathway.actions import open_episode
from osseo.patients import panels
from osseo.patients.actions import add_limb
from tests.complications.conftest import operate
from tests.conftest import client_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def test_panel():
    def context(page, obj):
        if page.patient.family_name == "Hidden":
            return None  # nothing to say about this patient
        return {"href": "/somewhere/", "label": f"Test panel for {page.patient.given_name}"}

    panels.register(
        "test_panel",
        order=15,
        template="patients/_action_link.html",
        context=context,
        permission="audit.view",  # clinic admins only
    )
    yield
    panels.unregister("test_panel")


def _page(user, patient):
    response = client_for(user).get(f"/patients/{patient.uuid}/")
    assert response.status_code == 200
    return response.content.decode()


def test_an_apps_registered_panel_shows_on_the_page_for_the_roles_it_is_for(world, test_panel):
    assert "Test panel for Ada" in _page(world.users["clinic_admin"], world.patient)
    for role in ("surgeon", "coordinator", "anaesthetist"):
        assert "Test panel for Ada" not in _page(world.users[role], world.patient), role
    # A patient reads their own pages (/me/), never the staff patient page.
    staff_page = client_for(world.users["patient"]).get(f"/patients/{world.patient.uuid}/")
    assert staff_page.status_code == 403


def test_a_panel_with_nothing_to_say_is_left_out(world, test_panel):
    world.patient.family_name = "Hidden"
    world.patient.save()
    assert "Test panel for" not in _page(world.users["clinic_admin"], world.patient)


def test_each_app_contributes_its_panel_in_order(world):
    html = _page(world.users["surgeon"], world.patient)
    headings = [
        "Details",
        "Residual limbs and episodes of care",
        "Complications",
        "Outcome measures",
        "Rehabilitation",
        "Timeline",
    ]
    positions = [html.index(f">{h}</h2>") for h in headings]
    assert positions == sorted(positions)
    assert "Assessment: none yet" in html  # surgery's lines inside the pathway's episode
    assert "Connector parts and activity" in html  # the connectors' link in the header


def test_header_links_follow_the_readers_permissions(world):
    admin = _page(world.users["clinic_admin"], world.patient)
    surgeon = _page(world.users["surgeon"], world.patient)
    assert "Access history" in admin
    assert "Access history" not in surgeon
    assert "Edit details" in surgeon
    assert "Edit details" not in _page(world.users["anaesthetist"], world.patient)


def _queries(user, patient):
    with CaptureQueriesContext(connection) as captured:
        _page(user, patient)
    return len(captured)


def test_the_page_does_not_query_once_per_limb_episode_or_device(world):
    operate(world)
    surgeon = world.users["surgeon"]
    one = _queries(surgeon, world.patient)
    for site, side in (("tibia", "right"), ("humerus", "left"), ("hand", "right")):
        limb = add_limb(
            actor=world.users["coordinator"],
            patient=world.patient,
            data={
                "site": site,
                "side": side,
                "amputation_date": dt.date(2016, 1, 1),
                "cause": "trauma",
            },
        )
        open_episode(actor=world.users["coordinator"], limb=limb)
    assert _queries(surgeon, world.patient) == one


def test_the_patients_app_may_import_none_of_the_apps_above_it():
    """lint-imports enforces the contract; this keeps the contract naming every app above."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c["source_modules"] == ["osseo.patients"]
    )
    below = {"osseo.accounts", "osseo.audit", "osseo.patients"}
    above = {c.name for c in apps.get_app_configs() if c.name.startswith("osseo.")} - below
    assert above <= set(contract["forbidden_modules"])
