"""A part replaced twice (two colleagues at once, or a form sent again) is replaced once: the part
is locked before its state is checked, and the second replacement is a 409 naming what it needs."""

import datetime as dt
import json
import threading

import pytest
import time_machine
from django.db import connection

from osseo.audit.models import AuditEntry
from osseo.connectors.actions import replace_part
from osseo.errors import Conflict
from osseo.surgery.models import Device
from tests.conftest import api_client, client_for
from tests.connectors.conftest import NEW_DUALCONE_GTIN, operate

REMOVED = {
    "code": "part_in_place",
    "label": "A dualcone adaptor in place, to be replaced",
    "source": "docs/sources.md#connector-parts",
}


def _replace(user, part, lot):
    return api_client(user).post(
        f"/api/v1/devices/{part.uuid}/replacement",
        json.dumps(
            {"replaced_on": "2026-05-01", "reason": "wear", "gtin": NEW_DUALCONE_GTIN, "lot": lot}
        ),
        content_type="application/json",
    )


@time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC))
def test_the_same_part_replaced_twice_is_replaced_once_and_the_second_is_a_409(fitted, world):
    first = _replace(world.users["prosthetist"], fitted, "DC-2")
    assert first.status_code == 201

    second = _replace(world.users["surgeon"], fitted, "DC-3")

    assert second.status_code == 409
    assert second.json()["detail"] == "This dualcone adaptor was already removed on 1 May 2026."
    assert second.json()["missing"] == [REMOVED]
    assert list(Device.objects.filter(kind="dualcone").values_list("lot", "status")) == [
        ("DC-1", "removed"),
        ("DC-2", "in_place"),
    ]
    assert AuditEntry.objects.filter(action="connectors.part.replaced").count() == 1


@time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC))
def test_a_replacement_form_sent_after_a_colleagues_replacement_answers_409(fitted, world):
    form = {"replaced_on": "2026-05-01", "reason": "wear", "gtin": NEW_DUALCONE_GTIN, "lot": "L"}
    client = client_for(world.users["prosthetist"])
    assert client.get(f"/devices/{fitted.uuid}/replace/").status_code == 200
    assert _replace(world.users["surgeon"], fitted, "DC-2").status_code == 201

    refused = client.post(f"/devices/{fitted.uuid}/replace/", form)

    assert refused.status_code == 409
    page = refused.content.decode()
    assert "This dualcone adaptor was already removed on 1 May 2026." in page
    assert "A dualcone adaptor in place, to be replaced" in page
    assert Device.objects.filter(kind="dualcone").count() == 2
    assert AuditEntry.objects.filter(action="connectors.part.replaced").count() == 1


@pytest.mark.django_db(transaction=True)
@time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC))
def test_two_colleagues_replacing_the_same_part_at_the_same_moment_replace_it_once(world):
    """Two connections at once: the second waits for the first's row lock, then finds the part
    removed. (SQLite runs one write transaction at a time, so only PostgreSQL can race.)"""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises write transactions; the row lock is PostgreSQL's")
    part = operate(world)
    start = threading.Barrier(2)
    outcomes = []

    def replace(persona, lot):
        try:
            device = Device.objects.get(pk=part.pk)  # each read before either writes
            start.wait()
            replace_part(
                actor=world.users[persona],
                device=device,
                replaced_on=dt.date(2026, 5, 1),
                reason="wear",
                data={"gtin": NEW_DUALCONE_GTIN, "lot": lot},
            )
            outcomes.append("replaced")
        except Conflict as exc:
            outcomes.append([m.code for m in exc.missing])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=replace, args=("prosthetist", "DC-2")),
        threading.Thread(target=replace, args=("surgeon", "DC-3")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes, key=str) == [["part_in_place"], "replaced"]
    assert Device.objects.filter(kind="dualcone", status="in_place").count() == 1
    assert AuditEntry.objects.filter(action="connectors.part.replaced").count() == 1
