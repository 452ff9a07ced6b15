"""Grades belong to kinds (issue 18): a soft-tissue infection graded Radboud 4 (septic loosening)
is a 422 field error; a clinic's own scheme declares the kind of each grade the same way."""

import pytest

from osseo.complications.models import AdverseEvent, GradingSystem
from tests.conftest import api_client
from tests.surgery.conftest import post


def _event(client, world, kind, grade):
    return post(
        client,
        f"/api/v1/patients/{world.patient.uuid}/adverse-events",
        {
            "limb": str(world.limb.uuid),
            "kind": kind,
            "onset_on": "2024-02-01",
            "grading_system": "radboud-infection",
            "grade": grade,
        },
    )


@pytest.mark.parametrize(
    ("kind", "grade", "status"),
    [
        ("infection_soft_tissue", "1", 201),
        ("infection_soft_tissue", "2", 201),
        ("infection_soft_tissue", "3", 422),
        ("infection_soft_tissue", "4", 422),
        ("infection_bone", "3", 201),
        ("infection_bone", "2", 422),
        ("infection_implant", "4", 201),
        ("infection_implant", "1", 422),
    ],
)
def test_a_radboud_grade_fits_only_its_kind_of_infection(world, kind, grade, status):
    response = _event(api_client(world.users["surgeon"]), world, kind, grade)
    assert response.status_code == status, response.content
    if status == 422:
        assert [e["field"] for e in response.json()["errors"]] == ["grade"]
        assert AdverseEvent.objects.count() == 0


def test_the_message_names_the_kind_the_grade_describes(world):
    body = _event(api_client(world.users["surgeon"]), world, "infection_soft_tissue", "4").json()
    assert body["errors"][0]["message"] == (
        "Grade 4: septic implant failure (septic loosening) describes infection: implant, "
        "not infection: soft tissue."
    )


def test_a_clinics_own_scheme_declares_the_kind_of_each_grade(world):
    client = api_client(world.users["clinic_admin"])
    created = post(
        client,
        "/api/v1/grading-systems",
        {
            "code": "clinic-stoma",
            "name": "Clinic stoma scheme",
            "source": "Clinic protocol 2024 (checked).",
            "applies_to": ["infection_soft_tissue", "infection_bone"],
            "grades": [
                {"code": "a", "label": "A: superficial", "kinds": ["infection_soft_tissue"]},
                {"code": "b", "label": "B: deep", "kinds": ["infection_bone"]},
            ],
        },
    )
    assert created.status_code == 201, created.content
    assert [g["kinds"] for g in created.json()["grades"]] == [
        ["infection_soft_tissue"],
        ["infection_bone"],
    ]
    outside = post(
        client,
        "/api/v1/grading-systems",
        {
            "code": "clinic-bad",
            "name": "Bad scheme",
            "source": "Clinic protocol.",
            "applies_to": ["infection_soft_tissue"],
            "grades": [{"code": "x", "label": "X", "kinds": ["infection_implant"]}],
        },
    )
    assert outside.status_code == 422
    assert [e["field"] for e in outside.json()["errors"]] == ["grades"]
    assert not GradingSystem.objects.filter(code="clinic-bad").exists()
