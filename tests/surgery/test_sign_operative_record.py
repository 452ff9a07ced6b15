"""Signing the operative record under the action contract: the state is checked on the row locked
and re-read, so a record is signed once; the procedure's ETag lets a surgeon sign what they read."""

import datetime as dt
import threading

import pytest
from django.db import connection

from osseo.audit.models import AuditEntry
from osseo.errors import Conflict
from osseo.surgery.actions import (
    place_device,
    save_operative_record,
    sign_operative_record,
    start_procedure,
)
from osseo.surgery.models import Procedure
from tests.conftest import api_client
from tests.surgery.conftest import COMPLETE_RECORD, IMPLANT_GTIN, move, post, put

STAGE_1 = {k: v for k, v in COMPLETE_RECORD.items() if k not in ("closure", "dualcone")}


def _ready_to_sign(world):
    """A complete stage-1 draft: its record saved and its implant placed."""
    surgeon = world.users["surgeon"]
    move(world, "assessment", "planning", "surgery")
    procedure = start_procedure(
        actor=surgeon,
        episode=world.episode,
        kind="stage_1",
        performed_on=dt.date.today() - dt.timedelta(days=14),
    )
    save_operative_record(actor=surgeon, procedure=procedure, data=STAGE_1)
    place_device(
        actor=surgeon,
        procedure=procedure,
        kind="implant",
        data={"gtin": IMPLANT_GTIN, "lot": "L1"},
    )
    return Procedure.objects.get(pk=procedure.pk)


def _signatures(procedure):
    return AuditEntry.objects.filter(
        action="surgery.record.signed", object_id=str(procedure.uuid)
    ).count()


def test_signing_twice_answers_409_the_second_time_and_audits_one_signature(world):
    procedure = _ready_to_sign(world)
    client = api_client(world.users["surgeon"])
    url = f"/api/v1/procedures/{procedure.uuid}/sign"
    first = post(client, url)
    assert first.status_code == 200
    second = post(client, url)
    assert second.status_code == 409
    assert second["Content-Type"] == "application/problem+json"
    assert (second.json()["detail"], second.json()["missing"]) == (
        "This record is already signed.",
        [],
    )
    assert _signatures(procedure) == 1


def test_a_sign_off_read_before_a_colleagues_is_refused_by_the_state_under_the_lock(world):
    """Both read the draft; the second sign-off finds it signed once its row is locked."""
    procedure = _ready_to_sign(world)
    mine = Procedure.objects.get(pk=procedure.pk)
    theirs = Procedure.objects.get(pk=procedure.pk)
    sign_operative_record(actor=world.users["surgeon"], procedure=theirs)
    assert mine.status == "draft"
    with pytest.raises(Conflict) as refused:
        sign_operative_record(actor=world.users["surgeon"], procedure=mine)
    assert str(refused.value) == "This record is already signed."
    assert (mine.status, mine.version) == ("signed", theirs.version)
    assert _signatures(procedure) == 1


def test_the_procedure_answers_an_etag_that_each_change_of_its_record_raises(world):
    move(world, "assessment", "planning", "surgery")
    client = api_client(world.users["surgeon"])
    started = post(
        client,
        f"/api/v1/episodes/{world.episode.uuid}/procedures",
        {"kind": "stage_1", "performed_on": str(dt.date.today() - dt.timedelta(days=3))},
    )
    pid = started.json()["id"]
    assert (started["ETag"], started.json()["version"]) == ('"1"', 1)
    saved = put(client, f"/api/v1/procedures/{pid}/record", {"data": STAGE_1})
    assert saved["ETag"] == '"2"'
    device = client.post(
        f"/api/v1/procedures/{pid}/devices",
        f'{{"kind": "implant", "gtin": "{IMPLANT_GTIN}", "lot": "L1"}}',
        content_type="application/json",
        headers={"If-Match": '"2"'},
    )
    assert device.status_code == 201
    assert client.get(f"/api/v1/procedures/{pid}")["ETag"] == '"3"'
    signed = client.post(f"/api/v1/procedures/{pid}/sign", headers={"If-Match": '"3"'})
    assert signed.status_code == 200
    assert (signed["ETag"], signed.json()["status"]) == ('"4"', "signed")


def test_a_stale_if_match_on_signing_is_412_and_the_record_stays_a_draft(world):
    procedure = _ready_to_sign(world)
    client = api_client(world.users["surgeon"])
    read = client.get(f"/api/v1/procedures/{procedure.uuid}")["ETag"]
    assert read == '"3"'  # started, saved, implant placed
    put(client, f"/api/v1/procedures/{procedure.uuid}/record", {"data": COMPLETE_RECORD})
    stale = client.post(f"/api/v1/procedures/{procedure.uuid}/sign", headers={"If-Match": read})
    assert (stale.status_code, stale["ETag"]) == (412, '"4"')
    assert Procedure.objects.get(pk=procedure.pk).status == "draft"
    assert _signatures(procedure) == 0


def test_a_stale_if_match_on_saving_the_draft_is_412_and_keeps_the_colleagues_draft(world):
    procedure = _ready_to_sign(world)
    client = api_client(world.users["surgeon"])
    read = client.get(f"/api/v1/procedures/{procedure.uuid}")["ETag"]
    put(client, f"/api/v1/procedures/{procedure.uuid}/record", {"data": COMPLETE_RECORD})
    stale = client.put(
        f"/api/v1/procedures/{procedure.uuid}/record",
        '{"data": {}}',
        content_type="application/json",
        headers={"If-Match": read},
    )
    assert stale.status_code == 412
    assert Procedure.objects.get(pk=procedure.pk).current.data == COMPLETE_RECORD


def test_an_amendment_of_a_draft_is_a_409_naming_the_signature_it_needs(world):
    procedure = _ready_to_sign(world)
    refused = post(
        api_client(world.users["surgeon"]),
        f"/api/v1/procedures/{procedure.uuid}/amendments",
        {"data": STAGE_1, "reason": "Typo"},
    )
    assert refused.status_code == 409
    assert refused.json()["detail"] == "Only a signed record is amended; edit the draft instead."
    assert refused.json()["missing"] == [
        {"code": "record_signed", "label": "Sign the record first.", "source": ""}
    ]
    assert procedure.versions.count() == 1


def test_a_device_placed_on_a_signed_record_is_a_409_and_nothing_is_placed(world):
    procedure = _ready_to_sign(world)
    sign_operative_record(actor=world.users["surgeon"], procedure=procedure)
    refused = post(
        api_client(world.users["surgeon"]),
        f"/api/v1/procedures/{procedure.uuid}/devices",
        {"kind": "dualcone", "lot": "DC-1"},
    )
    assert refused.status_code == 409
    assert refused.json()["detail"] == "This record is signed; devices are added by amendment."
    assert list(procedure.devices_placed.values_list("kind", flat=True)) == ["implant"]


def test_an_operation_started_outside_the_surgery_phase_is_a_409_and_nothing_is_started(world):
    move(world, "assessment", "planning")
    refused = post(
        api_client(world.users["surgeon"]),
        f"/api/v1/episodes/{world.episode.uuid}/procedures",
        {"kind": "stage_1", "performed_on": str(dt.date.today())},
    )
    assert refused.status_code == 409
    assert refused.json()["missing"] == [
        {
            "code": "episode_in_surgery",
            "label": "Move the episode to the surgery phase before recording an operation.",
            "source": "",
        }
    ]
    assert not Procedure.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="threads share the in-memory SQLite test database through a cache whose table locks "
    "do not wait; on a SQLite file, IMMEDIATE transactions queue writers (osseo/settings.py)",
)
def test_two_concurrent_sign_offs_sign_once_and_the_other_is_refused(world):
    procedure = _ready_to_sign(world)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def sign() -> None:
        try:
            mine = Procedure.objects.get(pk=procedure.pk)
            barrier.wait(timeout=10)
            sign_operative_record(actor=world.users["surgeon"], procedure=mine)
            outcomes.append("signed")
        except Conflict as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=sign) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["This record is already signed.", "signed"]
    assert _signatures(procedure) == 1
