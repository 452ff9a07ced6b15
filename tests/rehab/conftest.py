import datetime as dt
import json

import pytest

from osseo.rehab.models import LoadingProtocol
from osseo.surgery import actions as surgery
from tests.gates import advance
from tests.surgery.conftest import COMPLETE_RECORD, DUALCONE_GTIN, IMPLANT_GTIN

STANDARD = "Radboud standard programme (full weight bearing in 6 weeks)"
SLOW = "Radboud slow programme (full weight bearing in 12 weeks)"


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def operate(world, on, *, phase="rehabilitation", episode=None, record=None):
    """Take the world's episode to a signed single-stage operation on `on`, then to `phase`
    (`record`: the operative record, when the site needs another than the femur's)."""
    episode = episode or world.episode
    surgeon = world.users["surgeon"]
    advance(world.users, episode, "assessment", "planning", "surgery")
    procedure = surgery.start_procedure(
        actor=surgeon, episode=episode, kind="single_stage", performed_on=on
    )
    for kind, gtin, lot in (
        ("implant", IMPLANT_GTIN, "IMP-LOT-7"),
        ("dualcone", DUALCONE_GTIN, "DC-LOT-3"),
    ):
        surgery.place_device(
            actor=surgeon,
            procedure=procedure,
            kind=kind,
            data={"gtin": gtin, "lot": lot, "expiry": on + dt.timedelta(days=700)},
        )
    surgery.save_operative_record(
        actor=surgeon, procedure=procedure, data=record or COMPLETE_RECORD
    )
    surgery.sign_operative_record(actor=surgeon, procedure=procedure)
    if phase != "surgery":
        advance(world.users, episode, phase)
    return procedure


def protocol(name=STANDARD):
    return LoadingProtocol.objects.get(organisation__isnull=True, name=name)


@pytest.fixture(autouse=True)
def reference_protocols(db):
    """Shipped by a data migration; a transactional (browser) test's flush removes them."""
    from osseo.rehab.reference import ensure_reference_protocols

    ensure_reference_protocols()


@pytest.fixture
def operated(world):
    operate(world, dt.date(2026, 1, 5))
    return world
