import datetime as dt

from osseo.accounts.actions import set_clinic_setting
from osseo.accounts.clinic_settings import resolve
from osseo.audit.models import AuditEntry
from osseo.surgery.models import Device, ImplantCatalogueItem
from tests.conftest import api_client, client_for
from tests.surgery.conftest import IMPLANT_GTIN, move, operation, post


def test_a_clinic_admin_sets_the_stage_window_and_plans_use_it(world):
    assert resolve(world.clinic, "stage_window").value == {"min": 4, "max": 6, "unit": "months"}
    response = client_for(world.users["clinic_admin"]).post(
        "/accounts/settings/",
        {
            "key": "stage_window",
            "min": 6,
            "max": 8,
            "unit": "weeks",
            "source": "Radboudumc treatment page",
            "validated": "on",
        },
    )
    assert response.status_code == 302
    setting = resolve(world.clinic, "stage_window")
    assert (setting.value, setting.validated, setting.label) == (
        {"min": 6, "max": 8, "unit": "weeks"},
        True,
        "Radboudumc treatment page",
    )
    assert AuditEntry.objects.filter(action="accounts.setting.changed").count() == 1
    move(world, "assessment", "planning")
    plan = post(
        api_client(world.users["surgeon"]),
        f"/api/v1/episodes/{world.episode.uuid}/plans",
        {"strategy": "staged", "strategy_reason": "Bone stock", "anaesthesia": "general"},
    )
    assert plan.json()["stage_window"] == "6 to 8 weeks"


def test_an_unvalidated_setting_is_labelled_so_and_a_bad_window_is_refused(world):
    client = client_for(world.users["clinic_admin"])
    bad = client.post(
        "/accounts/settings/", {"key": "stage_window", "min": 9, "max": 3, "unit": "weeks"}
    )
    assert bad.status_code == 422
    assert b"The window runs from a minimum to a larger maximum." in bad.content
    set_clinic_setting(
        actor=world.users["clinic_admin"],
        key="stage_window",
        value={"min": 3, "max": 5, "unit": "months"},
    )
    assert resolve(world.clinic, "stage_window").label == "not validated"
    page = client.get("/accounts/settings/")
    assert b"not validated" in page.content


def test_only_a_clinic_admin_changes_settings(world):
    for persona in ("surgeon", "coordinator", "anaesthetist", "rehab_specialist", "patient"):
        response = client_for(world.users[persona]).post(
            "/accounts/settings/", {"key": "stage_window", "min": 1, "max": 2, "unit": "weeks"}
        )
        assert response.status_code == 403, persona
    assert resolve(world.clinic, "stage_window").is_default


def test_the_catalogue_is_added_to_by_the_clinic_admin_only_and_lists_for_staff(world):
    body = {
        "manufacturer": "Generic",
        "model": "Femoral 14",
        "site": "femur",
        "fixation": "press_fit",
        "diameter_mm": 14,
        "length_mm": 150,
        "gtin": IMPLANT_GTIN,
    }
    denied = post(api_client(world.users["surgeon"]), "/api/v1/catalogue", body)
    assert denied.status_code == 403
    assert ImplantCatalogueItem.objects.count() == 0
    created = post(api_client(world.users["clinic_admin"]), "/api/v1/catalogue", body)
    assert created.status_code == 201
    listed = api_client(world.users["surgeon"]).get("/api/v1/catalogue").json()
    assert [(i["model"], i["diameter_mm"]) for i in listed] == [("Femoral 14", 14.0)]
    bad = post(
        api_client(world.users["clinic_admin"]),
        "/api/v1/catalogue",
        {**body, "gtin": "09506000134353"},
    )
    assert bad.status_code == 422
    assert api_client(world.users["patient"]).get("/api/v1/catalogue").status_code == 403


def test_the_planner_lists_only_the_sizes_that_fit(world):
    admin = api_client(world.users["clinic_admin"])
    for d, length in ((14, 150), (16, 150), (18, 150), (16, 200)):
        post(
            admin,
            "/api/v1/catalogue",
            {
                "manufacturer": "Generic",
                "model": f"F{d}-{length}",
                "site": "femur",
                "fixation": "press_fit",
                "diameter_mm": d,
                "length_mm": length,
            },
        )
    fits = (
        api_client(world.users["surgeon"])
        .get("/api/v1/catalogue/fitting?site=femur&canal_diameter_mm=16.5&usable_length_mm=180")
        .json()
    )
    assert [i["model"] for i in fits] == ["F16-150", "F14-150"]


def test_a_connector_part_removal_records_date_reason_and_operation(world):
    """A part in place (its record signed) is removed with a date and reason; the implant is not
    removed this way (tests/surgery/test_device_lifecycle.py)."""
    client = api_client(world.users["surgeon"])
    operation(world, on=dt.date.today() - dt.timedelta(days=40))
    device = {"id": str(Device.objects.get(kind="dualcone").uuid)}
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    bad = post(
        client,
        f"/api/v1/devices/{device['id']}/removal",
        {"removed_on": future, "reason": "infection"},
    )
    assert bad.status_code == 422
    assert Device.objects.get(kind="dualcone").status == "in_place"
    denied = post(
        api_client(world.users["prosthetist"]),
        f"/api/v1/devices/{device['id']}/removal",
        {"removed_on": (dt.date.today() - dt.timedelta(days=5)).isoformat(), "reason": "infection"},
    )
    assert denied.status_code == 403
    ok = post(
        client,
        f"/api/v1/devices/{device['id']}/removal",
        {"removed_on": (dt.date.today() - dt.timedelta(days=5)).isoformat(), "reason": "bent"},
    )
    assert ok.status_code == 200
    assert (ok.json()["status"], ok.json()["removed_on"], ok.json()["removal_reason"]) == (
        "removed",
        (dt.date.today() - dt.timedelta(days=5)).isoformat(),
        "bent",
    )
    entries = AuditEntry.objects.filter(action="surgery.device.removed").count()
    again = post(
        client,
        f"/api/v1/devices/{device['id']}/removal",
        {"removed_on": (dt.date.today() - dt.timedelta(days=5)).isoformat(), "reason": "wear"},
    )
    assert again.status_code == 409
    assert (again.json()["detail"], again.json()["missing"]) == (
        "This device was already removed.",
        [],
    )
    assert Device.objects.get(kind="dualcone").removal_reason == "bent"
    assert AuditEntry.objects.filter(action="surgery.device.removed").count() == entries == 1
