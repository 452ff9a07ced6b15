"""Every gate of the pathway (osseo/pathway/gates.py), table-driven: met, unmet (a 409 listing
what is missing, nothing changed), and overridden where the table allows it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from osseo.audit.models import AuditEntry
from osseo.errors import Conflict
from osseo.pathway import gates
from osseo.pathway.actions import override_gate, transition_to
from osseo.pathway.models import GateOverride, PhaseChange
from osseo.surgery import actions as surgery
from osseo.surgery.models import Procedure
from tests.conftest import api_client, client_for
from tests.gates import advance, make_plan, record_eligible
from tests.surgery.conftest import COMPLETE_RECORD, DUALCONE_GTIN, IMPLANT_GTIN

OPERATED_ON = dt.date(2025, 1, 10)


def operate(world, *, sign=True):
    surgeon = world.users["surgeon"]
    procedure = surgery.start_procedure(
        actor=surgeon, episode=world.episode, kind="single_stage", performed_on=OPERATED_ON
    )
    for kind, gtin, lot in (("implant", IMPLANT_GTIN, "IMP1"), ("dualcone", DUALCONE_GTIN, "DC1")):
        surgery.place_device(
            actor=surgeon,
            procedure=procedure,
            kind=kind,
            data={"gtin": gtin, "lot": lot, "expiry": OPERATED_ON + dt.timedelta(days=700)},
        )
    surgery.save_operative_record(actor=surgeon, procedure=procedure, data=COMPLETE_RECORD)
    if sign:
        surgery.sign_operative_record(actor=surgeon, procedure=procedure)
    return procedure


# For each requirement: (move, how to reach the phase before the move, how to meet it).
def _to_assessment(world):
    advance(world.users, world.episode, "assessment")


def _to_planning(world):
    advance(world.users, world.episode, "assessment", "planning")


def _to_surgery_unagreed(world):
    _to_planning(world)
    make_plan(world.users, world.episode, agree=False)
    transition_to(actor=world.users["surgeon"], episode=world.episode, to_phase="surgery")


def _to_surgery(world):
    advance(world.users, world.episode, "assessment", "planning", "surgery")


def _to_rehabilitation(world):
    _to_surgery(world)
    operate(world)
    transition_to(actor=world.users["surgeon"], episode=world.episode, to_phase="rehabilitation")


def _agree(world):
    plan = world.episode.plans.get()
    surgery.agree_anaesthesia(actor=world.users["anaesthetist"], plan=plan)


def _rehab_plan(world):
    from osseo.rehab import actions as rehab
    from osseo.rehab.models import LoadingProtocol
    from osseo.rehab.reference import ensure_reference_protocols

    ensure_reference_protocols()
    protocol = LoadingProtocol.objects.filter(organisation__isnull=True).order_by("id").first()
    rehab.refer_patient(
        actor=world.users["coordinator"],
        patient=world.patient,
        organisation=world.rehab,
        protocol=protocol,
    )
    rehab.create_plan(
        actor=world.users["rehab_specialist"],
        patient=world.patient,
        protocol=protocol,
        start_date=OPERATED_ON + dt.timedelta(days=7),
        body_weight_kg=80,
    )


CASES = {
    # requirement code: (move, reach the phase before, meet the requirement)
    "mdt_eligibility": ("planning", _to_assessment, lambda w: record_eligible(w.users, w.episode)),
    "surgical_plan": ("surgery", _to_planning, lambda w: make_plan(w.users, w.episode)),
    "anaesthesia_agreed": (gates.OPERATION, _to_surgery_unagreed, _agree),
    "signed_operative_record": ("rehabilitation", _to_surgery, lambda w: operate(w)),
    "rehab_plan_or_reason": ("follow_up", _to_rehabilitation, _rehab_plan),
}


def test_the_table_has_a_case_for_every_requirement():
    assert set(CASES) == set(gates.REQUIREMENTS)
    assert all(r.code and r.label and r.source for r in gates.REQUIREMENTS.values())
    assert [c for c, r in gates.REQUIREMENTS.items() if not r.overridable] == ["mdt_eligibility"]


def _make_move(world, move):
    if move == gates.OPERATION:
        return surgery.start_procedure(
            actor=world.users["surgeon"],
            episode=world.episode,
            kind="single_stage",
            performed_on=OPERATED_ON,
        )
    return transition_to(actor=world.users["surgeon"], episode=world.episode, to_phase=move)


def _moved(world, move):
    world.episode.refresh_from_db()
    if move == gates.OPERATION:
        return Procedure.objects.filter(episode=world.episode).exists()
    return world.episode.phase == move


@pytest.mark.parametrize("code", list(CASES))
def test_a_met_requirement_lets_the_move_through(world, code):
    move, reach, meet = CASES[code]
    reach(world)
    meet(world)
    _make_move(world, move)
    assert _moved(world, move)


@pytest.mark.parametrize("code", list(CASES))
def test_an_unmet_requirement_refuses_the_move_naming_it_with_its_source(world, code):
    move, reach, _meet = CASES[code]
    reach(world)
    before = (world.episode.phase, PhaseChange.objects.count(), Procedure.objects.count())
    with pytest.raises(Conflict) as refused:
        _make_move(world, move)
    req = gates.REQUIREMENTS[code]
    assert [m.as_dict() for m in refused.value.missing] == [
        {"code": code, "label": req.label, "source": req.source}
    ]
    world.episode.refresh_from_db()
    assert (world.episode.phase, PhaseChange.objects.count(), Procedure.objects.count()) == before


@pytest.mark.parametrize("code", [c for c in CASES if gates.REQUIREMENTS[c].overridable])
def test_a_surgeons_override_with_a_reason_lets_the_move_through_once(world, code):
    move, reach, _meet = CASES[code]
    reach(world)
    override = override_gate(
        actor=world.users["surgeon"],
        episode=world.episode,
        requirement=code,
        reason="Decided at the bedside (test).",
    )
    _make_move(world, move)
    assert _moved(world, move)
    override.refresh_from_db()
    assert override.used_for == move and override.used_at is not None
    entry = AuditEntry.objects.filter(action="pathway.gate.overridden").get()
    assert entry.changes == {
        "requirement": [None, code],
        "reason": [None, "Decided at the bedside (test)."],
    }


def test_the_mdt_decision_cannot_be_overridden(world):
    _to_assessment(world)
    with pytest.raises(ValidationError) as refused:
        override_gate(
            actor=world.users["surgeon"],
            episode=world.episode,
            requirement="mdt_eligibility",
            reason="Urgent.",
        )
    assert "cannot be overridden" in refused.value.message_dict["requirement"][0]
    assert not GateOverride.objects.exists()


@pytest.mark.parametrize("role", ["coordinator", "anaesthetist", "clinic_admin"])
def test_only_a_surgeon_overrides(world, role):
    from django.core.exceptions import PermissionDenied

    _to_planning(world)
    with pytest.raises(PermissionDenied):
        override_gate(
            actor=world.users[role], episode=world.episode, requirement="surgical_plan", reason="x"
        )
    assert not GateOverride.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"), [("surgeon", 302), ("coordinator", 403), ("outsider", 404)]
)
def test_the_override_page_is_a_surgeons_of_the_caring_clinic(world, role, status):
    _to_planning(world)
    response = client_for(world.users[role]).post(
        f"/episodes/{world.episode.uuid}/override/",
        {"requirement": "surgical_plan", "reason": "Plan on paper (test)."},
    )
    assert response.status_code == status
    assert GateOverride.objects.count() == (1 if status == 302 else 0)


def test_an_override_needs_a_reason(world):
    _to_planning(world)
    with pytest.raises(ValidationError) as refused:
        override_gate(
            actor=world.users["surgeon"],
            episode=world.episode,
            requirement="surgical_plan",
            reason="  ",
        )
    assert refused.value.message_dict == {"reason": ["Say why the requirement is overridden."]}


def test_a_coordinator_cannot_walk_a_patient_from_referral_to_follow_up(world):
    """The issue's first report: every move after assessment is refused without its needs."""
    coordinator = world.users["coordinator"]
    transition_to(actor=coordinator, episode=world.episode, to_phase="assessment")
    with pytest.raises(Conflict) as refused:
        transition_to(actor=coordinator, episode=world.episode, to_phase="planning")
    assert [m.code for m in refused.value.missing] == ["mdt_eligibility"]


def test_the_api_answers_a_refused_move_with_every_missing_requirement(world):
    _to_planning(world)
    response = api_client(world.users["coordinator"]).post(
        f"/api/v1/episodes/{world.episode.uuid}/transitions",
        json.dumps({"phase": "surgery"}),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["detail"] == "The episode cannot move to Surgery yet."
    assert body["missing"] == [
        {
            "code": "surgical_plan",
            "label": gates.SURGICAL_PLAN.label,
            "source": gates.SURGICAL_PLAN.source,
        }
    ]


def test_the_page_lists_what_the_move_needs_with_a_link_to_where_it_is_done(world):
    _to_assessment(world)
    page = client_for(world.users["coordinator"]).post(
        f"/episodes/{world.episode.uuid}/transition/", {"phase": "planning", "reason": ""}
    )
    assert page.status_code == 409
    html = page.content.decode()
    assert "The episode cannot move to Planning yet." in html
    link = f'href="/episodes/{world.episode.uuid}/assessment/new/"'
    assert link in html
    assert "NICE IPG270" in html
    world.episode.refresh_from_db()
    assert world.episode.phase == "assessment"


def test_the_episode_shows_its_overrides(world):
    _to_planning(world)
    override_gate(
        actor=world.users["surgeon"],
        episode=world.episode,
        requirement="surgical_plan",
        reason="Plan held on paper (test).",
    )
    page = client_for(world.users["coordinator"]).get(f"/patients/{world.patient.uuid}/")
    assert "Plan held on paper (test)." in page.content.decode()


def test_a_second_surgery_visit_needs_its_own_signed_record(world):
    """Back to surgery for the next stage: the first operation's signature does not carry over."""
    _to_rehabilitation(world)
    surgeon = world.users["surgeon"]
    transition_to(actor=surgeon, episode=world.episode, to_phase="planning", reason="Stage 2.")
    transition_to(actor=surgeon, episode=world.episode, to_phase="surgery")
    with pytest.raises(Conflict) as refused:
        transition_to(actor=surgeon, episode=world.episode, to_phase="rehabilitation")
    assert [m.code for m in refused.value.missing] == ["signed_operative_record"]


def test_moving_on_to_follow_up_without_a_rehab_plan_keeps_the_reason(world):
    _to_rehabilitation(world)
    change = transition_to(
        actor=world.users["surgeon"],
        episode=world.episode,
        to_phase="follow_up",
        reason="Rehabilitated abroad; plan not shared.",
    )
    assert change.reason == "Rehabilitated abroad; plan not shared."


def _override_over_api(world, role, requirement="surgical_plan"):
    return api_client(world.users[role]).post(
        f"/api/v1/episodes/{world.episode.uuid}/overrides",
        json.dumps({"requirement": requirement, "reason": "Plan on paper (test)."}),
        content_type="application/json",
    )


def test_a_surgeon_overrides_over_the_api_and_the_episode_shows_it(world):
    _to_planning(world)
    response = _override_over_api(world, "surgeon")
    assert response.status_code == 201
    (override,) = response.json()["overrides"]
    assert (override["requirement"], override["reason"], override["by"], override["used_for"]) == (
        "surgical_plan",
        "Plan on paper (test).",
        "surgeon",
        "",
    )


@pytest.mark.parametrize(("role", "status"), [("coordinator", 403), ("outsider", 404)])
def test_only_a_surgeon_of_the_caring_clinic_overrides_over_the_api(world, role, status):
    _to_planning(world)
    assert _override_over_api(world, role).status_code == status
    assert not GateOverride.objects.exists()


def test_the_api_refuses_to_override_the_mdt_decision(world):
    _to_assessment(world)
    response = _override_over_api(world, "surgeon", requirement="mdt_eligibility")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["requirement"]
    assert not GateOverride.objects.exists()


@pytest.mark.parametrize(("role", "offered"), [("surgeon", True), ("coordinator", False)])
def test_the_move_page_offers_an_override_to_surgeons_only(world, role, offered):
    _to_planning(world)
    page = client_for(world.users[role]).get(f"/episodes/{world.episode.uuid}/transition/")
    html = page.content.decode()
    assert "Moving to Surgery needs" in html
    assert (f'href="/episodes/{world.episode.uuid}/override/"' in html) == offered
