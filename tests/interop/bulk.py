"""Helpers of the bulk export tests: run the command, read its folder back."""

import dataclasses
import datetime as dt
import json

from django.core.management import call_command

from osseo.pathway.actions import open_episode
from osseo.patients.actions import add_limb
from tests.complications.conftest import operate
from tests.conftest import make_patient


def bulk_export(folder, *args):
    call_command("fhir", "bulk-export", str(folder), *args)
    return json.loads((folder / "manifest.json").read_text())


def read(folder, manifest):
    """{resource type: [resources]} of every output file the manifest names."""
    out = {}
    for item in manifest["output"]:
        lines = (folder / item["url"]).read_text(encoding="utf-8").splitlines()
        out.setdefault(item["type"], []).extend(json.loads(line) for line in lines)
    return out


def operated_patient(world, *, sex="female", born=dt.date(1980, 5, 17), site="femur", **names):
    """Another patient of the clinic, operated on (a signed single stage with its implant) as
    the world's own is (tests/complications/conftest.py)."""
    coordinator = world.users["coordinator"]
    patient = make_patient(coordinator, sex=sex, birth_date=born, **names)
    limb = add_limb(
        actor=coordinator,
        patient=patient,
        data={
            "site": site,
            "side": "right",
            "amputation_date": dt.date(2016, 6, 1),
            "cause": "trauma",
        },
    )
    episode = open_episode(actor=coordinator, limb=limb)
    theirs = dataclasses.replace(world, patient=patient, limb=limb, episode=episode)
    operate(theirs)
    return patient
