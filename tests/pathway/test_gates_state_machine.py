"""A Hypothesis state machine over the pathway's gates: random sequences of moves, MDT decisions,
plans, anaesthetic agreements (and their undoing by a changed plan), operations, signatures and
overrides. After every step: no episode is in a phase whose gates it has not met, or passed on a
surgeon's override with a reason; and every move the gates allow went through, every other was
refused. The machine keeps its own account of what was done, independent of the app's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from osseo.errors import Conflict
from osseo.pathway import gates
from osseo.pathway.actions import open_episode, override_gate, transition_to
from osseo.pathway.machine import ORDER, transition_problem
from osseo.pathway.models import Episode, Phase
from osseo.patients.actions import add_limb
from osseo.surgery import actions as surgery
from tests.conftest import FUTURE_EXPIRY, make_patient
from tests.gates import mdt_participants
from tests.surgery.conftest import COMPLETE_RECORD, DUALCONE_GTIN, IMPLANT_GTIN

# Closing ends a walk for good and has no gate: the walks move among the other phases.
PHASES = [p for p in Phase.values if p != Phase.CLOSED]
ANAESTHESIA = ["general_epidural", "general_spinal"]
STARTS = ["referral", "assessment", "planning", "surgery", "draft", "signed", "rehabilitation"]


@dataclass
class Model:
    """What the machine knows it did to its episode."""

    phase: str = Phase.REFERRAL
    eligible: bool = False  # the latest MDT decision was "eligible"
    plan: str = ""  # the current plan's anaesthesia ("" = no plan)
    agreed: bool = False
    visit: int = 0  # how many times the episode entered surgery
    signed_visits: set[int] = field(default_factory=set)  # visits with a signed operation
    drafts: list[tuple[object, int]] = field(default_factory=list)  # (procedure, visit)
    pending: set[str] = field(default_factory=set)  # overrides waiting for a move
    # Every entry into the current phase was justified when it happened.
    justified: bool = True


def gates_allow(model: Model, move: str, reason: str) -> tuple[bool, set[str]]:
    """The machine's own reading of the issue's gates: (allowed, overrides the move uses)."""
    needs: list[tuple[str, bool]] = []
    if move in (Phase.PLANNING, Phase.SURGERY):
        needs.append(("mdt_eligibility", model.eligible))
    if move == Phase.SURGERY:
        needs.append(("surgical_plan", bool(model.plan)))
    if move == gates.OPERATION:
        needs.append(("anaesthesia_agreed", model.agreed))
    signed_now = model.visit in model.signed_visits and model.visit > 0
    if move == Phase.REHABILITATION or (move == Phase.FOLLOW_UP and model.phase == Phase.SURGERY):
        needs.append(("signed_operative_record", signed_now))
    if move == Phase.FOLLOW_UP:
        needs.append(("rehab_plan_or_reason", bool(reason.strip())))
    used = set()
    for code, met in needs:
        if met:
            continue
        if code != "mdt_eligibility" and code in model.pending:
            used.add(code)
            continue
        return False, set()
    return True, used


class PathwayMachine(RuleBasedStateMachine):
    users: dict = {}
    counter = 0

    def __init__(self) -> None:
        super().__init__()
        PathwayMachine.counter += 1
        coordinator = self.users["coordinator"]
        patient = make_patient(coordinator, family_name=f"Machine{PathwayMachine.counter}")
        limb = add_limb(
            actor=coordinator,
            patient=patient,
            data={
                "site": "femur",
                "side": "left",
                "amputation_date": dt.date(2010, 1, 1),
                "cause": "trauma",
            },
        )
        self.episode = open_episode(actor=coordinator, limb=limb)
        self.model = Model()

    # --- where a walk starts: anywhere along the pathway, reached through the gates ----------

    @initialize(start=st.sampled_from(STARTS))
    def start_at(self, start: str) -> None:
        steps = STARTS
        reached = steps[: steps.index(start) + 1]
        if "assessment" in reached:
            self.move("assessment", "")
        if "planning" in reached:
            self.assess("eligible", True)
            self.move("planning", "")
        if "surgery" in reached:
            self.plan("general_epidural", True)
            self.move("surgery", "")
        if "draft" in reached:
            self.operate(False)
        if "signed" in reached:
            self.sign()
        if "rehabilitation" in reached:
            self.move("rehabilitation", "")

    # --- steps -----------------------------------------------------------------------------

    @rule(to=st.sampled_from(PHASES), reason=st.sampled_from(["", "Decided at MDT."]))
    def move(self, to: str, reason: str) -> None:
        target = to
        m = self.model
        table = transition_problem(m.phase, target, reason)
        allowed, used = gates_allow(m, target, reason) if table is None else (False, set())
        try:
            transition_to(
                actor=self.users["surgeon"], episode=self.episode, to_phase=target, reason=reason
            )
        except (Conflict, ValidationError):
            assert not allowed, f"{m.phase} -> {target} refused though its gates were met"
            return
        assert allowed, f"{m.phase} -> {target} went through without its gates"
        m.pending -= used
        m.phase = target
        if target == Phase.SURGERY:
            m.visit += 1

    @rule(reason=st.sampled_from(["", "Decided at MDT."]))
    def step_forward(self, reason: str) -> None:
        """The next phase along the pathway: most walks go forward, so most gates are met."""
        if self.model.phase in ORDER[:-1]:
            self.move(ORDER[ORDER.index(self.model.phase) + 1], reason)

    @rule(
        decision=st.sampled_from(["eligible", "eligible", "not_eligible", "defer"]),
        whole=st.sampled_from([True, True, True, False]),
    )
    def assess(self, decision: str, whole: bool) -> None:
        m = self.model
        participants = mdt_participants(self.users)
        try:
            surgery.record_assessment(
                actor=self.users["surgeon"],
                episode=self.episode,
                data={
                    "participants": participants if whole else participants[:1],
                    "decided_by": self.users["surgeon"],
                    "prior_socket_use": True,
                    "prosthetic_rehab_months": 24,
                    "decision": decision,
                    "decision_reason": "Weighed at the MDT.",
                },
            )
        except (Conflict, ValidationError):
            assert not whole or m.phase != Phase.ASSESSMENT
            return
        assert whole and m.phase == Phase.ASSESSMENT
        m.eligible = decision == "eligible"

    @rule(anaesthesia=st.sampled_from(ANAESTHESIA), agree=st.booleans())
    def plan(self, anaesthesia: str, agree: bool) -> None:
        m = self.model
        try:
            made = surgery.create_plan(
                actor=self.users["surgeon"],
                episode=self.episode,
                data={"strategy": "single_stage", "anaesthesia": anaesthesia},
            )
        except Conflict:
            assert m.phase not in (Phase.ASSESSMENT, Phase.PLANNING)
            return
        m.plan, m.agreed = anaesthesia, False
        if agree:
            surgery.agree_anaesthesia(actor=self.users["anaesthetist"], plan=made)
            m.agreed = True

    @rule(anaesthesia=st.sampled_from(ANAESTHESIA))
    def change_anaesthesia(self, anaesthesia: str) -> None:
        m = self.model
        current = self.episode.plans.order_by("-created_at", "-id").first()
        if current is None:
            return
        surgery.update_plan(
            actor=self.users["surgeon"], plan=current, data={"anaesthesia": anaesthesia}
        )
        if anaesthesia != m.plan:
            m.plan, m.agreed = anaesthesia, False

    @rule()
    def agree(self) -> None:
        m = self.model
        current = self.episode.plans.order_by("-created_at", "-id").first()
        if current is None or m.agreed:
            return
        surgery.agree_anaesthesia(actor=self.users["anaesthetist"], plan=current)
        m.agreed = True

    @rule(sign=st.sampled_from([True, True, False]))
    def operate(self, sign: bool) -> None:
        m = self.model
        allowed, used = gates_allow(m, gates.OPERATION, "")
        surgeon = self.users["surgeon"]
        try:
            procedure = surgery.start_procedure(
                actor=surgeon,
                episode=self.episode,
                kind="single_stage",
                performed_on=dt.date(2025, 1, 10),
            )
        except Conflict:
            assert m.phase != Phase.SURGERY or not allowed
            return
        assert m.phase == Phase.SURGERY and allowed, "an operation recorded without its gate"
        m.pending -= used
        for kind, gtin in (("implant", IMPLANT_GTIN), ("dualcone", DUALCONE_GTIN)):
            surgery.place_device(
                actor=surgeon,
                procedure=procedure,
                kind=kind,
                data={"gtin": gtin, "lot": "L1", "expiry": FUTURE_EXPIRY},
            )
        record = {
            **COMPLETE_RECORD,
            "anaesthesia": {"given": procedure.planned_anaesthesia or "general_epidural"},
        }
        surgery.save_operative_record(actor=surgeon, procedure=procedure, data=record)
        m.drafts.append((procedure, m.visit))
        if sign:
            self.sign()

    @rule()
    def sign(self) -> None:
        m = self.model
        if not m.drafts:
            return
        procedure, visit = m.drafts.pop(0)
        surgery.sign_operative_record(actor=self.users["surgeon"], procedure=procedure)
        m.signed_visits.add(visit)

    @rule(code=st.sampled_from(list(gates.REQUIREMENTS)))
    def override(self, code: str) -> None:
        m = self.model
        try:
            override_gate(
                actor=self.users["surgeon"],
                episode=self.episode,
                requirement=code,
                reason="Surgeon's decision at the bedside.",
            )
        except ValidationError:
            assert not gates.REQUIREMENTS[code].overridable
            return
        except Conflict:
            assert code in m.pending or m.phase in (Phase.CLOSED, Phase.DECLINED)
            return
        assert gates.REQUIREMENTS[code].overridable
        m.pending.add(code)

    # --- after every step --------------------------------------------------------------------

    @invariant()
    def the_episode_is_where_the_machine_put_it(self) -> None:
        assert Episode.objects.get(pk=self.episode.pk).phase == self.model.phase

    @invariant()
    def no_phase_without_its_gates_met_or_overridden_with_a_reason(self) -> None:
        episode = Episode.objects.get(pk=self.episode.pk)
        changes = list(episode.changes.order_by("at", "id"))
        used = {o.used_for for o in episode.overrides.exclude(used_at=None)}
        assert all(o.reason.strip() for o in episode.overrides.all())
        if episode.phase in (Phase.PLANNING, Phase.SURGERY):
            # The MDT gate is never overridden: an eligible decision stands behind the phase.
            latest = episode.assessments.order_by("-assessed_on", "-id").first()
            assert latest is not None and latest.decision == "eligible"
        if episode.phase == Phase.SURGERY:
            assert episode.plans.exists() or Phase.SURGERY in used
        for procedure in episode.procedures.all():
            assert procedure.planned_anaesthesia or gates.OPERATION in used
        if episode.phase == Phase.REHABILITATION:
            entered = max(c.at for c in changes if c.to_phase == Phase.SURGERY)
            signed = episode.procedures.filter(status="signed", created_at__gte=entered)
            assert signed.exists() or Phase.REHABILITATION in used


@pytest.mark.slow
def test_random_walks_never_reach_a_phase_without_its_gates(world):
    PathwayMachine.users = world.users
    run_state_machine_as_test(
        PathwayMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
