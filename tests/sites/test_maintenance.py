"""Connector maintenance records: inspection, cleaning, torque check with value and outcome, the
prosthesis components fitted, and fall/overload events that raise an inspection flag on that
limb's parts until an inspection in order clears it; listed on the connectors page."""

import datetime as dt

import pytest

from osseo.audit.models import AuditEntry
from osseo.connectors.actions import set_service_policy
from osseo.connectors.models import Forecast, MaintenanceRecord
from osseo.demo.connectors import DEMO_POLICY
from osseo.surgery.models import Device
from tests.conftest import api_client, client_for
from tests.rehab.conftest import post
from tests.sites.conftest import site_patient

FITTED = dt.date(2025, 6, 2)


@pytest.fixture
def fitted(world):
    for kind in ("dualcone", "abutment"):
        set_service_policy(actor=world.users["clinic_admin"], kind=kind, values=DEMO_POLICY)
    patient, limbs = site_patient(world, "femur", "humerus", on=FITTED, refer=False)
    return world, patient, limbs


def _send(world, patient, body):
    return post(
        api_client(world.users["prosthetist"]),
        f"/api/v1/patients/{patient.uuid}/maintenance",
        body,
    )


def test_a_torque_check_records_its_value_and_outcome(fitted):
    world, patient, (femur, _) = fitted
    part = Device.objects.get(limb=femur, kind="dualcone")
    response = _send(
        world,
        patient,
        {
            "limb": str(femur.uuid),
            "device": str(part.uuid),
            "kind": "torque_check",
            "performed_on": "2025-09-01",
            "torque_nm": 12.5,
            "outcome": "adjusted",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["site"], body["torque_nm"], body["outcome"], body["device"]) == (
        "femur",
        12.5,
        "adjusted",
        str(part.uuid),
    )
    assert AuditEntry.objects.filter(action="connectors.maintenance.recorded").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "torque_check", "outcome": "ok"}, "torque_nm"),
        ({"kind": "inspection"}, "outcome"),
        ({"kind": "components"}, "components"),
        ({"kind": "cleaning", "torque_nm": 5}, "torque_nm"),
        ({"kind": "cleaning", "performed_on": "2999-01-01"}, "performed_on"),
    ],
)
def test_incomplete_or_contradictory_records_are_refused_422(fitted, body, field):
    world, patient, (femur, _) = fitted
    response = _send(
        world, patient, {"limb": str(femur.uuid), "performed_on": "2025-09-01", **body}
    )
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not MaintenanceRecord.objects.exists()


def test_the_components_fitted_are_listed_on_the_connectors_page(fitted):
    world, patient, (femur, _) = fitted
    response = _send(
        world,
        patient,
        {
            "limb": str(femur.uuid),
            "kind": "components",
            "performed_on": "2025-07-01",
            "components": [
                {"kind": "knee", "description": "Microprocessor knee"},
                {"kind": "safety_device", "description": "Rotational release adaptor"},
            ],
        },
    )
    assert response.status_code == 201, response.content
    page = client_for(world.users["prosthetist"]).get(f"/patients/{patient.uuid}/connectors/")
    text = page.content.decode()
    assert "Knee: Microprocessor knee; Safety device: Rotational release adaptor" in text


def test_a_fall_asks_for_an_inspection_of_that_limb_until_an_inspection_clears_it(fitted):
    world, patient, (femur, humerus) = fitted
    femur_part = Device.objects.get(limb=femur, kind="dualcone")
    arm_part = Device.objects.get(limb=humerus, kind="dualcone")
    before = Forecast.objects.get(device=femur_part).due_on
    fall = _send(
        world, patient, {"limb": str(femur.uuid), "kind": "fall", "performed_on": "2025-10-03"}
    )
    assert fall.status_code == 201
    flagged = Forecast.objects.get(device=femur_part)
    assert (flagged.due_on, flagged.basis) == (dt.date(2025, 10, 3), "overload")
    assert flagged.inspection.startswith("Fall on 3 October 2025, not yet cleared")
    assert Forecast.objects.get(device=arm_part).inspection == ""  # the other limb's part
    due = api_client(world.users["prosthetist"]).get("/api/v1/connectors/due").json()
    first = due["items"][0]
    assert (first["site"], first["due_on"]) == ("femur", "2025-10-03")
    ok = _send(
        world,
        patient,
        {
            "limb": str(femur.uuid),
            "kind": "inspection",
            "performed_on": "2025-10-04",
            "outcome": "ok",
        },
    )
    assert ok.status_code == 201
    cleared = Forecast.objects.get(device=femur_part)
    assert (cleared.due_on, cleared.inspection) == (before, "")
