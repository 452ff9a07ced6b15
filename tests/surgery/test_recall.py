"""Recall (issue 18): each affected patient with contact details and the device's state, a CSV
export for the clinic's letters (an audited read), reached from the device's page."""

import csv
import io

from osseo.audit.models import AuditEntry
from osseo.patients.actions import update_patient
from osseo.surgery.models import Device
from tests.conftest import client_for
from tests.surgery.conftest import IMPLANT_GTIN, days_ago, operation


def _contacts(world):
    update_patient(
        actor=world.users["coordinator"],
        patient=world.patient,
        data={"phone": "01632 960001", "email": "ada@example.org", "address": "1 Mill Lane\nLeeds"},
    )


def test_the_recall_list_shows_contacts_and_state_and_exports_an_audited_csv(world):
    _contacts(world)
    operation(world, on=days_ago(900))
    operation(world, "explantation", on=days_ago(100), parts=(), indication="infection")
    client = client_for(world.users["surgeon"])
    page = client.get(f"/devices/recall/?lot=IMP-A&gtin={IMPLANT_GTIN}").content.decode()
    assert "01632 960001" in page and "ada@example.org" in page and "1 Mill Lane" in page
    assert "Removed" in page
    before = AuditEntry.objects.filter(action="patients.list.viewed").count()
    export = client.get(f"/devices/recall/?lot=IMP-A&gtin={IMPLANT_GTIN}&format=csv")
    assert export["Content-Type"].startswith("text/csv")
    [row] = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert (row["patient"], row["phone"], row["email"], row["address"]) == (
        world.patient.display_name,
        "01632 960001",
        "ada@example.org",
        "1 Mill Lane Leeds",
    )
    assert (row["state"], row["removal_reason"], row["lot"]) == ("Removed", "Infection", "IMP-A")
    entry = AuditEntry.objects.filter(action="patients.list.viewed").latest("seq")
    assert AuditEntry.objects.filter(action="patients.list.viewed").count() == before + 1
    assert entry.changes["export"] == "csv"
    assert entry.changes["patients"] == [str(world.patient.uuid)]


def test_the_device_page_leads_to_the_recall_of_its_lot(world):
    operation(world, on=days_ago(300))
    implant = Device.objects.get(kind="implant")
    page = client_for(world.users["surgeon"]).get(f"/devices/{implant.uuid}/").content.decode()
    assert f"/devices/recall/?gtin={IMPLANT_GTIN}&amp;lot=IMP-A" in page
    assert "In place" in page


def test_another_clinic_finds_nothing_and_cannot_open_the_device(world):
    operation(world, on=days_ago(300))
    implant = Device.objects.get(kind="implant")
    outsider = client_for(world.users["outsider"])
    assert outsider.get(f"/devices/{implant.uuid}/").status_code == 404
    export = outsider.get("/devices/recall/?lot=IMP-A&format=csv")
    assert len(list(csv.DictReader(io.StringIO(export.content.decode())))) == 0


def test_the_recall_api_gives_contacts_and_finds_an_hibcc_device(world):
    from tests.conftest import api_client
    from tests.surgery.conftest import post

    _contacts(world)
    procedure = operation(world, on=days_ago(30), parts=(), sign=False)
    client = api_client(world.users["surgeon"])
    post(
        client,
        f"/api/v1/procedures/{procedure.uuid}/devices",
        {"kind": "implant", "code": "+E123OSSEO119 +$$3291231LOT429E"},
    )
    found = client.get("/api/v1/devices?gtin=E123OSSEO11&lot=LOT42").json()
    assert found["count"] == 1
    [item] = found["items"]
    assert (item["patient_phone"], item["patient_email"], item["status"]) == (
        "01632 960001",
        "ada@example.org",
        "recorded",
    )
