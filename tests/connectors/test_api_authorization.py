"""Every connectors endpoint over the personas: out of scope 404, no role 403, nothing changed."""

import json

import pytest

from osseo.audit.models import AuditEntry
from osseo.connectors.models import ActivityDay, BodyWeight, ServicePolicy
from osseo.surgery.models import Device
from tests.conftest import api_client
from tests.connectors.conftest import NEW_DUALCONE_GTIN, policy

PERSONAS = [
    "surgeon",
    "anaesthetist",
    "prosthetist",
    "coordinator",
    "clinic_admin",
    "rehab_specialist",
    "patient",
    "outsider",
]
OUT_OF_SCOPE = {"rehab_specialist", "outsider"}
READERS = {"surgeon", "anaesthetist", "prosthetist", "coordinator", "clinic_admin", "patient"}
WRITERS = {"surgeon", "prosthetist"}


def snapshot():
    return (
        list(Device.objects.order_by("id").values()),
        list(ActivityDay.objects.order_by("id").values()),
        list(BodyWeight.objects.order_by("id").values()),
        list(ServicePolicy.objects.order_by("id").values()),
        AuditEntry.objects.exclude(
            action__in=["patients.patient.viewed", "patients.list.viewed", "accounts.token.issued"]
        ).count(),
    )


def endpoints(world, dualcone):
    p = world.patient.uuid
    return [
        ("read steps", "get", f"/api/v1/patients/{p}/activity/daily", None, READERS, 200),
        (
            "import steps",
            "post",
            f"/api/v1/patients/{p}/activity/daily",
            {"days": [{"date": "2026-03-01", "steps": 5000}]},
            WRITERS,
            200,
        ),
        (
            "body weight",
            "post",
            f"/api/v1/patients/{p}/body-weight",
            {"measured_on": "2026-03-01", "weight_kg": 80},
            WRITERS,
            201,
        ),
        ("list parts", "get", f"/api/v1/patients/{p}/connectors", None, READERS, 200),
        ("list recordings", "get", f"/api/v1/patients/{p}/recordings", None, READERS, 200),
        (
            "replace part",
            "post",
            f"/api/v1/devices/{dualcone.uuid}/replacement",
            {
                "replaced_on": "2026-05-01",
                "reason": "routine",
                "gtin": NEW_DUALCONE_GTIN,
                "lot": "L2",
            },
            WRITERS,
            201,
        ),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_endpoint_answers_each_persona_as_the_table_says(fitted, world, persona):
    policy(world)
    for name, method, url, body, allowed, ok in endpoints(world, fitted):
        client = api_client(world.users[persona])
        before = snapshot()
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body else {}
        response = getattr(client, method)(url, **kwargs)
        if persona in allowed:
            assert response.status_code == ok, (persona, name, response.content)
        else:
            expected = 404 if persona in OUT_OF_SCOPE else 403
            assert response.status_code == expected, (persona, name, response.status_code)
            assert response["Content-Type"] == "application/problem+json"
            assert snapshot() == before, (persona, name)


def test_a_prosthetist_at_the_rehab_partner_imports_and_replaces_for_a_shared_patient(
    fitted, world, partner_prosthetist
):
    client = api_client(partner_prosthetist)
    days = client.post(
        f"/api/v1/patients/{world.patient.uuid}/activity/daily",
        json.dumps({"days": [{"date": "2026-03-01", "steps": 5000}]}),
        content_type="application/json",
    )
    assert days.status_code == 200
    replaced = client.post(
        f"/api/v1/devices/{fitted.uuid}/replacement",
        json.dumps({"replaced_on": "2026-05-01", "reason": "bent", "gtin": NEW_DUALCONE_GTIN}),
        content_type="application/json",
    )
    assert replaced.status_code == 201
    assert replaced.json()["kind"] == "dualcone"


def test_the_due_list_is_for_staff_and_only_their_patients(fitted, world):
    policy(world, time_limit_months=1)
    due = api_client(world.users["coordinator"]).get("/api/v1/connectors/due?within_days=30").json()
    assert [(i["kind"], i["due_on"], i["overdue"]) for i in due["items"]] == [
        ("dualcone", "2026-02-05", True)
    ]
    assert due["count"] == 1
    assert api_client(world.users["outsider"]).get("/api/v1/connectors/due").json() == {
        "items": [],
        "count": 0,
    }
    assert api_client(world.users["patient"]).get("/api/v1/connectors/due").status_code == 403
    assert (
        api_client(world.users["coordinator"])
        .get("/api/v1/connectors/due?within_days=-1")
        .status_code
        == 422
    )


def test_only_a_clinic_admin_sets_a_policy_over_the_api(world):
    body = {
        "time_limit_months": 12,
        "activity_limit_cycles": 1.5e6,
        "reference_load_n": 800,
        "sn_exponent_m": 4,
    }
    for persona in ("surgeon", "prosthetist", "rehab_specialist", "patient"):
        response = api_client(world.users[persona]).put(
            "/api/v1/connectors/policies/dualcone",
            json.dumps(body),
            content_type="application/json",
        )
        assert response.status_code == 403, persona
    assert not ServicePolicy.objects.exists()
    ok = api_client(world.users["clinic_admin"]).put(
        "/api/v1/connectors/policies/dualcone", json.dumps(body), content_type="application/json"
    )
    assert ok.status_code == 200
    assert (ok.json()["label"], ok.json()["validated"]) == ("not validated", False)
    assert (
        api_client(world.users["clinic_admin"])
        .put(
            "/api/v1/connectors/policies/implant", json.dumps(body), content_type="application/json"
        )
        .status_code
        == 404
    )
