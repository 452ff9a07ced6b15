"""Typed input, validated once: a screen and the API take the same values for the same write.

Each form for a write names the API schema of that write (osseo/typed.py); its bounds come from
the schema, and each value it accepts is checked by the schema's own type.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest

from osseo.typed import SchemaForm, bounds_of
from tests.conftest import api_client

FORM_MODULES = [
    "osseo.patients.forms",
    "osseo.rehab.forms",
    "osseo.rehab.protocol_views",
    "osseo.connectors.forms",
    "osseo.surgery.forms",
    "osseo.complications.forms",
    "osseo.outcomes.forms",
    "osseo.portal.forms",
    "osseo.patients.invitation_views",
]


def _schema_forms() -> list[type[SchemaForm]]:
    for name in FORM_MODULES:
        importlib.import_module(name)
    found: list[type[SchemaForm]] = []
    todo = list(SchemaForm.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.__qualname__)


def _form_bounds(field: Any) -> dict[str, Any]:
    out = {}
    for ours, theirs in (
        ("max_length", "max_length"),
        ("min_length", "min_length"),
        ("min_value", "ge"),
        ("max_value", "le"),
    ):
        value = getattr(field, ours, None)
        if value is not None:
            out[theirs] = value
    return out


def test_the_write_forms_adapt_their_api_schemas():
    names = {cls.__name__ for cls in _schema_forms()}
    for expected in ("PatientForm", "LimbForm", "LogForm", "PhaseForm", "WeightForm", "EventForm"):
        assert expected in names


@pytest.mark.parametrize("form_class", _schema_forms(), ids=lambda c: c.__qualname__)
def test_each_form_field_has_exactly_its_schema_bounds(form_class):
    fields = form_class.base_fields
    shared = [
        n
        for n in fields
        if n in form_class.schema.model_fields and n not in form_class.schema_exclude
    ]
    assert shared, f"{form_class.__name__} shares no field with {form_class.schema.__name__}"
    for name in shared:
        wanted = {
            k: v
            for k, v in bounds_of(form_class.schema.model_fields[name]).items()
            if k in ("max_length", "min_length", "ge", "le")
        }
        field = fields[name]
        if not hasattr(field, "max_length") and not hasattr(field, "min_value"):
            continue  # a choice, date or boolean: the schema's type still checks it
        assert _form_bounds(field) == wanted, (form_class.__name__, name)


def _phase(**values: Any) -> dict[str, str]:
    data = {"start_day": "1", "end_day": "10", "pain_gate_nrs": "5"}
    data.update({k: str(v) for k, v in values.items()})
    return data


def test_a_loading_target_the_api_refuses_is_refused_on_the_screen_too(world):
    from osseo.rehab.protocol_views import PhaseForm

    # The screen used to allow up to 150 % of body weight while the API allowed 100 %.
    over = PhaseForm(data=_phase(target_percent_body_weight=120))
    assert not over.is_valid()
    assert "less than or equal to 100" in " ".join(over.errors["target_percent_body_weight"])
    # ... and a strict bound (more than 0), which a browser cannot express, holds as well.
    zero = PhaseForm(data=_phase(target_percent_body_weight=0))
    assert not zero.is_valid()
    assert "greater than 0" in " ".join(zero.errors["target_percent_body_weight"])
    assert PhaseForm(data=_phase(target_percent_body_weight=50)).is_valid()

    client = api_client(world.users["clinic_admin"])
    phases = [{"start_day": 1, "end_day": 10, "target_percent_body_weight": 120}]
    made = client.post(
        "/api/v1/protocols",
        json.dumps({"name": "Ours", "phases": phases}),
        content_type="application/json",
    )
    assert made.status_code == 422


def test_a_body_weight_is_held_to_one_range_on_every_screen_and_in_the_api():
    from osseo.connectors.forms import WeightForm
    from osseo.rehab.forms import PlanForm

    for kg, ok in (("19.5", False), ("20", True), ("400", True), ("401", False)):
        weight = WeightForm(data={"measured_on": "2024-05-01", "weight_kg": kg})
        assert weight.is_valid() is ok, (kg, weight.errors)
        plan = PlanForm(data={"start_date": "2024-05-01", "body_weight_kg": kg})
        assert ("body_weight_kg" not in plan.errors) is ok, (kg, plan.errors)


def test_a_schema_rule_beyond_bounds_reads_the_same_on_the_screen_and_in_the_api(world):
    from osseo.portal.forms import EnquiryForm

    form = EnquiryForm(data={"amputation_year": "2999"}, retention_days=365)
    form.is_valid()
    on_screen = form.errors["amputation_year"]
    response = api_client(world.users["coordinator"]).post(
        "/api/v1/enquiries",
        json.dumps(
            {
                "name": "A",
                "email": "a@example.org",
                "site": "femur",
                "side": "left",
                "amputation_year": 2999,
                "consent": True,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    in_api = [e["message"] for e in response.json()["errors"] if e["field"] == "amputation_year"]
    assert on_screen[0].startswith("Enter a year between 1900 and")
    assert in_api and on_screen[0] in in_api[0]


def test_the_api_sets_every_patient_field_the_screen_sets(world):
    from osseo.patients.forms import PatientForm
    from osseo.patients.schemas import PatientIn

    assert set(PatientForm.base_fields) <= set(PatientIn.model_fields)
    client = api_client(world.users["coordinator"])
    url = f"/api/v1/patients/{world.patient.uuid}"
    changed = client.patch(
        url, json.dumps({"address": "1 Quay Street"}), content_type="application/json"
    )
    assert changed.status_code == 200, changed.content
    assert client.get(url).json()["address"] == "1 Quay Street"
