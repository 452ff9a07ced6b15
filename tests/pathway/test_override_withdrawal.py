"""A pending gate override is withdrawn, with a reason, by the surgeon who gave it or a clinic
administrator (osseo/pathway/actions.withdraw_gate_override): it then lets nothing through."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from osseo.audit.models import AuditEntry
from osseo.errors import Conflict
from osseo.pathway.actions import override_gate, transition_to, withdraw_gate_override
from osseo.pathway.queries import gate_facts
from tests.conftest import api_client, client_for, make_user
from tests.gates import advance


@pytest.fixture
def pending(world):
    """The episode in planning with no surgical plan, and a surgeon's override of the plan."""
    advance(world.users, world.episode, "assessment", "planning")
    return override_gate(
        actor=world.users["surgeon"],
        episode=world.episode,
        requirement="surgical_plan",
        reason="Plan held on paper (test).",
    )


def _withdraw_over_api(world, user, override, reason="Paper plan lost; write it in Osseo."):
    return api_client(user).post(
        f"/api/v1/episodes/{world.episode.uuid}/overrides/{override.uuid}/withdrawal",
        json.dumps({"reason": reason}),
        content_type="application/json",
    )


def test_a_withdrawn_override_lets_the_move_through_no_more(world, pending):
    withdraw_gate_override(
        actor=world.users["surgeon"], override=pending, reason="Plan to be written in Osseo."
    )
    assert gate_facts(world.episode).overridden == frozenset()
    with pytest.raises(Conflict) as refused:
        transition_to(actor=world.users["surgeon"], episode=world.episode, to_phase="surgery")
    assert [m.code for m in refused.value.missing] == ["surgical_plan"]
    pending.refresh_from_db()
    assert (pending.withdrawn_by, pending.withdrawal_reason, pending.used_for) == (
        world.users["surgeon"],
        "Plan to be written in Osseo.",
        "",
    )
    entry = AuditEntry.objects.filter(action="pathway.gate.override_withdrawn").get()
    assert entry.changes == {
        "requirement": ["surgical_plan", None],
        "withdrawal_reason": [None, "Plan to be written in Osseo."],
    }


def test_after_a_withdrawal_the_surgeon_may_override_again(world, pending):
    withdraw_gate_override(actor=world.users["surgeon"], override=pending, reason="Wrong reason.")
    again = override_gate(
        actor=world.users["surgeon"],
        episode=world.episode,
        requirement="surgical_plan",
        reason="Plan held on paper, signed copy scanned (test).",
    )
    transition_to(actor=world.users["surgeon"], episode=world.episode, to_phase="surgery")
    again.refresh_from_db()
    assert again.used_for == "surgery"


def test_a_clinic_administrator_withdraws_over_the_api(world, pending):
    response = _withdraw_over_api(world, world.users["clinic_admin"], pending)
    assert response.status_code == 200
    (override,) = response.json()["overrides"]
    assert (override["id"], override["withdrawn_by"], override["withdrawal_reason"]) == (
        str(pending.uuid),
        "admin",
        "Paper plan lost; write it in Osseo.",
    )
    assert override["withdrawn_at"] is not None


def test_another_surgeon_of_the_clinic_cannot_withdraw_it(world, pending):
    colleague = make_user("colleague", "surgeon", world.clinic)
    with pytest.raises(PermissionDenied):
        withdraw_gate_override(actor=colleague, override=pending, reason="Not mine (test).")
    assert _withdraw_over_api(world, colleague, pending).status_code == 403
    pending.refresh_from_db()
    assert pending.is_pending
    assert not AuditEntry.objects.filter(action="pathway.gate.override_withdrawn").exists()


@pytest.mark.parametrize(("role", "status"), [("coordinator", 403), ("outsider", 404)])
def test_no_one_else_withdraws_over_the_api(world, pending, role, status):
    assert _withdraw_over_api(world, world.users[role], pending).status_code == status
    pending.refresh_from_db()
    assert pending.is_pending


def test_a_withdrawal_needs_a_reason(world, pending):
    with pytest.raises(ValidationError) as invalid:
        withdraw_gate_override(actor=world.users["surgeon"], override=pending, reason="  ")
    assert list(invalid.value.message_dict) == ["reason"]
    response = _withdraw_over_api(world, world.users["surgeon"], pending, reason="")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]
    pending.refresh_from_db()
    assert pending.is_pending


def test_a_used_or_withdrawn_override_cannot_be_withdrawn(world, pending):
    surgeon = world.users["surgeon"]
    withdraw_gate_override(actor=surgeon, override=pending, reason="First (test).")
    response = _withdraw_over_api(world, surgeon, pending)
    assert response.status_code == 409
    assert [m["code"] for m in response.json()["missing"]] == ["override_pending"]
    used = override_gate(
        actor=surgeon, episode=world.episode, requirement="surgical_plan", reason="Again (test)."
    )
    transition_to(actor=surgeon, episode=world.episode, to_phase="surgery")
    with pytest.raises(Conflict):
        withdraw_gate_override(actor=surgeon, override=used, reason="Too late (test).")
    used.refresh_from_db()
    assert (used.used_for, used.withdrawn_at) == ("surgery", None)


def test_the_patient_page_shows_the_withdrawal(world, pending):
    withdraw_gate_override(
        actor=world.users["surgeon"], override=pending, reason="Plan to be written in Osseo."
    )
    page = client_for(world.users["coordinator"]).get(f"/patients/{world.patient.uuid}/")
    html = page.content.decode()
    assert "— withdrawn by" in html
    assert "Plan to be written in Osseo." in html
