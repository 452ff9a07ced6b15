"""The authorization matrix: every endpoint, every persona; a denied request changes nothing."""

import json

import pytest

from osseo.accounts.permissions import TABLE, has_permission
from osseo.audit.models import AuditEntry
from osseo.pathway.models import Episode, PhaseChange
from osseo.patients.models import Patient, ResidualLimb
from tests.conftest import api_client

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
EDITORS = {"surgeon", "coordinator", "clinic_admin"}
READERS = {"surgeon", "anaesthetist", "prosthetist", "coordinator", "clinic_admin", "patient"}


def _snapshot():
    """Everything a write could touch (audit entries of reads aside)."""
    return (
        list(Patient.objects.order_by("id").values()),
        list(ResidualLimb.objects.order_by("id").values()),
        list(Episode.objects.order_by("id").values()),
        PhaseChange.objects.count(),
        AuditEntry.objects.exclude(
            action__in=["patients.patient.viewed", "patients.list.viewed", "accounts.token.issued"]
        ).count(),
    )


ALL = set(PERSONAS)
OUT_OF_SCOPE = {"rehab_specialist", "outsider"}


def _endpoints(world):
    p, limb, ep = world.patient.uuid, world.limb.uuid, world.episode.uuid
    new_patient = {
        "given_name": "Nia",
        "family_name": "Ottery",
        "birth_date": "1990-01-01",
        "sex": "female",
    }
    new_limb = {
        "site": "tibia",
        "side": "right",
        "amputation_date": "2019-01-01",
        "cause": "trauma",
    }
    return [
        # (name, method, url, body, who may, success status)
        ("list patients", "get", "/api/v1/patients", None, ALL, 200),
        ("read patient", "get", f"/api/v1/patients/{p}", None, READERS, 200),
        ("read episode", "get", f"/api/v1/episodes/{ep}", None, READERS, 200),
        ("create patient", "post", "/api/v1/patients", new_patient, EDITORS | {"outsider"}, 201),
        ("edit patient", "patch", f"/api/v1/patients/{p}", {"record_number": "X1"}, EDITORS, 200),
        ("add limb", "post", f"/api/v1/patients/{p}/limbs", new_limb, EDITORS, 201),
        (
            "transition",
            "post",
            f"/api/v1/episodes/{ep}/transitions",
            {"phase": "assessment"},
            EDITORS,
            201,
        ),
        # Allowed, but the limb already has an open episode: the action's own 409.
        (
            "open episode",
            "post",
            f"/api/v1/patients/{p}/episodes",
            {"limb": str(limb)},
            EDITORS,
            409,
        ),
    ]


def _expected_denial(persona, name):
    """Outside the care scope: 404 (existence not revealed); inside it without the role: 403."""
    if name == "create patient" or persona not in OUT_OF_SCOPE:
        return 403
    return 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_endpoint_answers_each_persona_as_the_table_says(world, persona):
    user = world.users[persona]
    for name, method, url, body, allowed, ok_status in _endpoints(world):
        client = api_client(user)
        before = _snapshot()
        kwargs = (
            {"data": json.dumps(body), "content_type": "application/json"}
            if body is not None
            else {}
        )
        response = getattr(client, method)(url, **kwargs)
        if persona in allowed:
            assert response.status_code == ok_status, (persona, name, response.content)
        else:
            assert response.status_code == _expected_denial(persona, name), (
                persona,
                name,
                response.status_code,
            )
            assert response["Content-Type"] == "application/problem+json"
            assert _snapshot() == before, (persona, name)


def test_a_rehab_partner_sees_no_patient_until_one_is_referred(world):
    body = api_client(world.users["rehab_specialist"]).get("/api/v1/patients").json()
    assert body == {"items": [], "count": 0}


def test_the_outsider_sees_only_their_own_organisations_patients(world):
    body = api_client(world.users["outsider"]).get("/api/v1/patients").json()
    assert [p["id"] for p in body["items"]] == [str(world.other_patient.uuid)]


def test_a_patient_cannot_read_another_patient(world):
    from tests.conftest import make_patient

    sibling = make_patient(world.users["coordinator"], given_name="Sib")
    response = api_client(world.users["patient"]).get(f"/api/v1/patients/{sibling.uuid}")
    assert response.status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_permission_table_matches_the_roles(world, persona):
    user = world.users[persona]
    granted = {code for code in TABLE if has_permission(user, code)}
    pathway = {
        "patient.view",
        "patient.create",
        "patient.edit",
        "limb.create",
        "episode.create",
        "episode.transition",
    }
    surgery = {
        "assessment.record",
        "plan.edit",
        "procedure.record",
        "procedure.sign",
        "gate.override",  # a pathway gate overridden with a reason (issue 17): surgeons only
        "gate.withdraw",  # a pending override withdrawn: its surgeon, or a clinic admin
    }
    registry = {"registry.view", "registry.export"}
    complications = {"complication.record", "death.record", "outcome.record"}
    followup = {"followup.view", "followup.record"}
    rehab = {"rehab.write", "rehab.log"}
    connectors = {"connector.replace", "activity.import"}
    due = {"connectors.due_list"}
    # The clinic's week (issue 22): meetings and theatre at the clinic; appointments and a
    # calendar feed for all staff; booking by editors and the rehab professions.
    week = {"mdt.view", "theatre.view", "appointment.view", "calendar.subscribe"}
    book = {"appointment.book"}
    seen = {"appointment.view", "calendar.subscribe"}
    expected = {
        "surgeon": pathway
        | surgery
        | complications
        | registry
        | followup
        | connectors
        | due
        | week
        | book
        | {"referral.manage", "mdt.manage"},
        "coordinator": pathway
        | complications
        | followup
        | due
        | week
        | book
        | {
            "assessment.record",
            "enquiry.triage",
            "registry.view",
            "referral.manage",
            "patient.invite",
            "mdt.manage",
        },
        "clinic_admin": pathway
        | {"death.record", "outcome.record"}
        | {
            "assessment.record",
            "enquiry.triage",
            "audit.view",
            "accounts.manage",
            "settings.manage",
            "catalogue.manage",
            "referral.manage",
            "protocol.manage",
            "connectors.due_list",
            "gate.withdraw",
            "organisation.contact",
            "partners.manage",
            "patient.invite",
        }
        | registry
        | followup
        | week
        | book
        | {"mdt.manage"},
        "anaesthetist": {"patient.view", "plan.anaesthesia", "outcome.record", "followup.view"}
        | due
        | week,
        "prosthetist": {"patient.view", "outcome.record"}
        | rehab
        | followup
        | connectors
        | due
        | week
        | book,
        # At the rehabilitation partner: rehab data, never the clinic's writes or lists.
        "rehab_specialist": {"patient.view", "protocol.manage", "outcome.record"}
        | rehab
        | due
        | seen
        | book,
        "patient": {
            "patient.view",
            "rehab.log",
            "patient.own_contact",
            "outcome.own",
            "activity.own",
        }
        | seen,
        "outsider": pathway
        | surgery
        | complications
        | registry
        | followup
        | connectors
        | due
        | week
        | book
        | {"referral.manage", "mdt.manage"},
    }[persona]
    assert granted == expected


def test_an_inactive_account_holds_no_permission(world):
    user = world.users["surgeon"]
    user.is_active = False
    user.save()
    assert not has_permission(user, "patient.view")
