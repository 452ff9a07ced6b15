"""Enquiry fixtures: a valid enquiry as the public page posts it and as the API receives it."""

from __future__ import annotations

import json
from typing import Any

import pytest

FORM = {
    "name": "Tomos Penhallow",
    "email": "tomos@example.org",
    "phone": "01632 960 555",
    "site": "femur",
    "side": "left",
    "amputation_year": "2012",
    "cause": "trauma",
    "prosthesis_problems": "Socket rubs; sores in summer.",
    "heard_from": "My limb centre",
    "message": "Could I be suitable?",
    "consent": "on",
    "website": "",
}

BODY = {
    "name": "Tomos Penhallow",
    "email": "tomos@example.org",
    "phone": "01632 960 555",
    "site": "femur",
    "side": "left",
    "amputation_year": 2012,
    "cause": "trauma",
    "prosthesis_problems": "Socket rubs; sores in summer.",
    "heard_from": "My limb centre",
    "consent": True,
    "message": "Could I be suitable?",
}


def post_json(client: Any, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def make_enquiry(organisation: Any, **overrides: Any) -> Any:
    from osseo.portal.actions import receive_enquiry

    data = {**BODY, **overrides}
    return receive_enquiry(organisation=organisation, data=data, notify=False)


@pytest.fixture
def enquiry(world: Any) -> Any:
    return make_enquiry(world.clinic)


@pytest.fixture
def other_enquiry(world: Any) -> Any:
    return make_enquiry(world.other_clinic, name="Gwen Other")
