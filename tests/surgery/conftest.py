import datetime as dt
import json

import pytest

from tests.conftest import FUTURE_EXPIRY_GS1
from tests.gates import advance

IMPLANT_GTIN = "09506000134352"  # GS1's own example GTIN (valid check digit)
DUALCONE_GTIN = "04012345000009"


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def put(client, url, body):
    return client.put(url, json.dumps(body), content_type="application/json")


def move(world, *phases):
    """Move the world's episode through `phases`, meeting each gate first (tests/gates.py)."""
    advance(world.users, world.episode, *phases)


COMPLETE_RECORD = {
    "anaesthesia": {"given": "general_epidural"},
    "incision": {"notes": "Distal transverse incision."},
    "heterotopic_ossification": {"found": True, "removed": True},
    "soft_tissue": {"technique": "myodesis"},
    "bone_preparation": {"reamed_diameter_mm": 16, "canal_length_mm": 160, "graft_used": False},
    "implant_insertion": {"fixation": "press_fit", "stability": "stable"},
    "closure": {
        "skin_flap": True,
        "fat_removed": True,
        "sutures": True,
        "staples": True,
        "stoma_created": True,
    },
    "dualcone": {"notes": "Dualcone attached."},
    "extras": {"cultures_taken": True, "antibiotics": "Cefazolin", "blood_loss_ml": 300},
}


def scan(gtin, lot, serial="", expiry=FUTURE_EXPIRY_GS1):
    code = f"]d201{gtin}17{expiry}10{lot}\x1d"
    if serial:
        code += f"21{serial}"
    return code


@pytest.fixture
def in_surgery(world):
    move(world, "assessment", "planning", "surgery")
    return world


def today():
    return dt.date.today()


def days_ago(n):
    return dt.date.today() - dt.timedelta(days=n)


def operation(
    world,
    kind="single_stage",
    *,
    episode=None,
    on=None,
    parts=("implant", "dualcone"),
    lot="A",
    record=None,
    sign=True,
    indication="",
):
    """An operation on the episode's limb (the episode moved to surgery when it is not there),
    with the parts given placed and a record complete for its kind; signed unless `sign=False`."""
    from osseo.pathway.models import Phase
    from osseo.surgery import actions

    surgeon = world.users["surgeon"]
    episode = episode or world.episode
    episode.refresh_from_db()
    if episode.phase != Phase.SURGERY:
        for phase in {
            "referral": ["assessment", "planning", "surgery"],
            "assessment": ["planning", "surgery"],
            "planning": ["surgery"],
        }.get(episode.phase, ["surgery"]):
            advance(world.users, episode, phase, reason="Next operation.")
    procedure = actions.start_procedure(
        actor=surgeon,
        episode=episode,
        kind=kind,
        performed_on=on or days_ago(400),
        indication=indication,
    )
    data = record or (
        COMPLETE_RECORD
        if kind in ("single_stage", "stage_1", "stage_2")
        else {"extras": {"summary": f"{kind} (test)."}}
    )
    actions.save_operative_record(actor=surgeon, procedure=procedure, data=data)
    gtins = {"implant": IMPLANT_GTIN, "dualcone": DUALCONE_GTIN}
    for part in parts:
        actions.place_device(
            actor=surgeon,
            procedure=procedure,
            kind=part,
            data={"gtin": gtins.get(part, ""), "lot": f"{part[:3].upper()}-{lot}"},
        )
    if sign:
        actions.sign_operative_record(actor=surgeon, procedure=procedure)
    procedure.refresh_from_db()
    return procedure
