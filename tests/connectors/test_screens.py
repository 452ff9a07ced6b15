"""The screens: the patient's parts and activity, replacement, the due list, policies."""

import datetime as dt

import time_machine

from osseo.audit.models import AuditEntry
from osseo.connectors.actions import import_daily_steps, record_body_weight
from osseo.connectors.models import ActivityDay, Forecast
from osseo.surgery.models import Device
from tests.conftest import client_for
from tests.connectors.conftest import NEW_DUALCONE_GTIN, STEPS, policy
from tests.surgery.conftest import scan


def year_of_steps(world, start, days, steps):
    import_daily_steps(
        actor=world.users["prosthetist"],
        patient=world.patient,
        days={start + dt.timedelta(days=i): steps for i in range(days)},
        source="test",
    )


@time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC))
def test_a_prosthetist_replaces_the_dualcone_imports_steps_and_sees_its_due_date(fitted, world):
    policy(world)
    record_body_weight(
        actor=world.users["prosthetist"],
        patient=world.patient,
        measured_on=dt.date(2026, 3, 1),
        weight_kg=81.6,  # 800 N: one step is one cycle at the reference load
    )
    client = client_for(world.users["prosthetist"])
    page = client.get(f"/devices/{fitted.uuid}/replace/")
    assert page.status_code == 200
    response = client.post(
        f"/devices/{fitted.uuid}/replace/",
        {
            "replaced_on": "2026-05-01",
            "reason": "wear",
            "code": scan(NEW_DUALCONE_GTIN, "DC-2", "S9"),
        },
    )
    assert response.status_code == 302
    fitted.refresh_from_db()
    new = fitted.replaced_by
    assert (fitted.status, fitted.removed_on, fitted.removal_reason) == (
        "removed",
        dt.date(2026, 5, 1),
        "wear",
    )
    assert (new.gtin, new.lot, new.serial, new.placed_on, new.placed_by) == (
        NEW_DUALCONE_GTIN,
        "DC-2",
        "S9",
        dt.date(2026, 5, 1),
        None,
    )
    with (STEPS / "wearable_export.csv").open("rb") as f:
        client.post(f"/patients/{world.patient.uuid}/connectors/", {"steps": "1", "steps_file": f})
    year_of_steps(world, dt.date(2026, 5, 1), 31, 10000)
    forecast = Forecast.objects.get(device=new)
    assert forecast.basis == "activity"
    page = client.get(f"/patients/{world.patient.uuid}/connectors/").content.decode()
    assert 'Due <time datetime="2026-09-27">27 September 2026</time>' in page
    assert (
        "Activity: 310 k of 1.5 M equivalent cycles; at 10,000 steps a day, due 27 September 2026"
        in page
    )
    assert "not validated" in page
    assert (
        'role="img"' in page
        and "Cumulative damage-equivalent cycles of the Dualcone adaptor" in page
    )
    assert "Wear" in page  # the old part's removal reason in the history


def test_a_malformed_steps_file_on_screen_shows_every_bad_line_and_saves_nothing(world):
    client = client_for(world.users["prosthetist"])
    with (STEPS / "malformed.csv").open("rb") as f:
        response = client.post(
            f"/patients/{world.patient.uuid}/connectors/", {"steps": "1", "steps_file": f}
        )
    assert response.status_code == 422
    assert "line 3: the step count -5 is negative" in response.content.decode()
    assert "line 11: 2099-01-01 is in the future" in response.content.decode()
    assert ActivityDay.objects.count() == 0


def test_only_surgeons_and_prosthetists_replace_parts_and_nothing_changes_otherwise(fitted, world):
    for persona in ("coordinator", "anaesthetist", "clinic_admin", "patient"):
        response = client_for(world.users[persona]).post(
            f"/devices/{fitted.uuid}/replace/", {"replaced_on": "2026-05-01", "reason": "wear"}
        )
        assert response.status_code == 403, persona
    for persona in ("outsider", "rehab_specialist"):
        response = client_for(world.users[persona]).get(f"/devices/{fitted.uuid}/replace/")
        assert response.status_code == 404, persona
    assert Device.objects.filter(status="in_place").count() == 2


def test_the_implant_is_not_replaced_here(fitted, world):
    implant = Device.objects.get(kind="implant")
    response = client_for(world.users["prosthetist"]).get(f"/devices/{implant.uuid}/replace/")
    assert response.status_code == 404


@time_machine.travel(dt.datetime(2026, 12, 20, 12, tzinfo=dt.UTC))
def test_the_due_list_shows_parts_due_within_the_days_asked_and_overdue(fitted, world):
    policy(world, time_limit_months=11)  # due 5 December 2026: overdue
    client = client_for(world.users["coordinator"])
    page = client.get("/connectors/due/?within_days=30").content.decode()
    assert "Overdue" in page and "5 Dec 2026" in page
    assert "(policy not validated)" in page
    assert client_for(world.users["patient"]).get("/connectors/due/").status_code == 403
    other = client_for(world.users["outsider"]).get("/connectors/due/").content.decode()
    assert "No part is due" in other


def test_a_clinic_admin_sets_a_policy_on_screen_and_it_reads_not_validated(world):
    client = client_for(world.users["clinic_admin"])
    response = client.post(
        "/connectors/policies/",
        {
            "kind": "dualcone",
            "time_limit_months": 12,
            "activity_limit_cycles": 1500000,
            "reference_load_n": 800,
            "sn_exponent_m": 4,
            "steps_basis": "body_weight",
        },
    )
    assert response.status_code == 302
    page = client.get("/connectors/policies/").content.decode()
    assert "12 months" in page and "not validated" in page
    refused = client.post(
        "/connectors/policies/",
        {
            "kind": "dualcone",
            "activity_limit_cycles": 1000,
            "steps_basis": "body_weight",
            "validated": "on",
        },
    )
    assert refused.status_code == 422
    assert "Name the source that validates this policy." in refused.content.decode()
    assert (
        client_for(world.users["surgeon"])
        .post("/connectors/policies/", {"kind": "dualcone"})
        .status_code
        == 403
    )


def test_opening_the_replacement_form_is_an_audited_read(fitted, world):
    client = client_for(world.users["prosthetist"])
    client.get(f"/devices/{fitted.uuid}/replace/")

    entry = AuditEntry.objects.filter(action="patients.patient.viewed").last()
    assert (entry.patient, entry.object_id) == (world.patient, str(fitted.uuid))
