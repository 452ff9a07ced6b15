"""A Hypothesis state machine over a bilateral patient's records (issue 18): operations,
amendments, explantations, revisions (signed, or left as a treatment's draft), connector
exchanges and death, in random orders. After every step:

- the parts in place on each limb are exactly those the signed operations (and connector
  exchanges) leave there, at most one implant per limb, and a draft's parts are only recorded;
- every registry row comes from a signed record, and its end (revision or explantation) from
  the signed operation that removed it;
- no due part is removed, or belongs to a dead patient or a closed episode.

Bounded (a few examples of a few steps), so it runs in `make test`; OSSEO_HYPOTHESIS_RANDOM=1
explores afresh (tests/conftest.py).
"""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from osseo.complications.actions import record_death, record_event, record_treatment
from osseo.connectors.actions import replace_part
from osseo.connectors.forecasts import refresh_forecasts
from osseo.connectors.queries import due_parts
from osseo.errors import Conflict
from osseo.pathway.actions import open_episode
from osseo.patients.actions import add_limb
from osseo.registry.cohort import NO_DAY
from osseo.registry.queries import day, implant_cohort
from osseo.surgery import actions
from osseo.surgery.models import Device, Procedure
from tests.conftest import make_patient
from tests.connectors.conftest import policy
from tests.gates import advance
from tests.surgery.conftest import IMPLANT_GTIN, operation

pytestmark = pytest.mark.slow

SIDES = ("left", "right")


class Records(RuleBasedStateMachine):
    world = None  # set by the test: the personas, made once

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()  # each example rolls back
        world = self.world
        self.surgeon = world.users["surgeon"]
        self.patient = make_patient(world.users["coordinator"], given_name="Sam")
        self.limbs, self.episodes = {}, {}
        for side in SIDES:
            limb = add_limb(
                actor=world.users["coordinator"],
                patient=self.patient,
                data={
                    "site": "femur",
                    "side": side,
                    "amputation_date": dt.date(2010, 1, 1),
                    "cause": "trauma",
                },
            )
            self.limbs[side] = limb
            self.episodes[side] = open_episode(actor=world.users["coordinator"], limb=limb)
            advance(world.users, self.episodes[side], "assessment", "planning", "surgery")
        self.day = dt.date.today() - dt.timedelta(days=2000)
        self.dead = False
        # The model: what each limb carries, by kind: {kind: lot}.
        self.expected: dict[str, dict[str, str]] = {side: {} for side in SIDES}
        self.n = 0

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def _next_day(self):
        self.day += dt.timedelta(days=40)
        self.n += 1
        return self.day

    def _proxy(self, side):
        class W:  # the `operation` helper reads these fields of the test world
            pass

        w = W()
        w.users = self.world.users
        w.episode = self.episodes[side]
        return w

    @precondition(lambda self: not self.dead)
    @rule(side=st.sampled_from(SIDES))
    def implant(self, side):
        on, lot = self._next_day(), f"I{self.n}"
        if "implant" in self.expected[side]:
            with pytest.raises(Conflict):  # a second implant: only a revision exchanges them
                operation(self._proxy(side), on=on, lot=lot)
            return
        operation(self._proxy(side), on=on, lot=lot)
        refresh_forecasts(self.patient)  # the new dualcone gets its due date
        self.expected[side] = {"implant": f"IMP-{lot}", "dualcone": f"DUA-{lot}"}

    @precondition(lambda self: not self.dead)
    @rule(side=st.sampled_from(SIDES), dualcone=st.booleans())
    def revise(self, side, dualcone):
        on, lot = self._next_day(), f"R{self.n}"
        parts = ("implant", "dualcone") if dualcone else ("implant",)
        operation(
            self._proxy(side), "revision", on=on, parts=parts, lot=lot, indication="loosening"
        )
        # The new implant takes the old one's place, and the parts on it come out with it.
        refresh_forecasts(self.patient)
        self.expected[side] = {"implant": f"IMP-{lot}"}
        if dualcone:
            self.expected[side]["dualcone"] = f"DUA-{lot}"

    @precondition(lambda self: not self.dead)
    @rule(side=st.sampled_from(SIDES))
    def explant(self, side):
        on = self._next_day()
        procedure = operation(self._proxy(side), "explantation", on=on, parts=(), sign=False)
        if "implant" not in self.expected[side]:
            with pytest.raises(Conflict):
                actions.sign_operative_record(actor=self.surgeon, procedure=procedure)
            return
        actions.sign_operative_record(actor=self.surgeon, procedure=procedure)
        self.expected[side] = {}

    @precondition(lambda self: not self.dead)
    @rule(side=st.sampled_from(SIDES))
    def treatment_left_as_draft(self, side):
        """An infection treated by a revision that is only started: nothing changes yet."""
        on = self._next_day()
        event = record_event(
            actor=self.surgeon,
            patient=self.patient,
            data={"limb": self.limbs[side], "kind": "infection_bone", "onset_on": on},
        )
        treatment = record_treatment(
            actor=self.surgeon, event=event, data={"kind": "revision", "started_on": on}
        )
        actions.place_device(
            actor=self.surgeon,
            procedure=treatment.procedure,
            kind="implant",
            data={"gtin": IMPLANT_GTIN, "lot": f"DRAFT{self.n}"},
        )

    @precondition(lambda self: not self.dead)
    @rule(side=st.sampled_from(SIDES))
    def exchange_dualcone(self, side):
        part = Device.objects.filter(
            limb=self.limbs[side], kind="dualcone", status="in_place"
        ).first()
        if part is None:
            return
        on = self._next_day()
        replace_part(
            actor=self.world.users["prosthetist"],
            device=part,
            replaced_on=on,
            reason="wear",
            data={"gtin": "09506000134369", "lot": f"X{self.n}"},
        )
        self.expected[side]["dualcone"] = f"X{self.n}"

    @rule(blood=st.integers(min_value=1, max_value=3000))
    def amend(self, blood):
        procedure = (
            Procedure.objects.filter(patient=self.patient, status="signed").order_by("-pk").first()
        )
        if procedure is None:
            return
        before = procedure.current.data
        try:
            actions.amend_operative_record(
                actor=self.surgeon,
                procedure=procedure,
                data={"extras": {"blood_loss_ml": blood}},
                reason="Re-measured.",
            )
        except Exception as exc:  # the same value again changes nothing: a 422
            assert "changes nothing" in str(exc)
            return
        after = Procedure.objects.get(pk=procedure.pk).current.data
        assert after == {**before, "extras": {**before.get("extras", {}), "blood_loss_ml": blood}}

    @precondition(lambda self: not self.dead)
    @rule()
    def die(self):
        record_death(actor=self.surgeon, patient=self.patient, died_on=self._next_day())
        self.dead = True

    @invariant()
    def parts_in_place_follow_the_signed_records(self):
        for side, limb in self.limbs.items():
            in_place = {d.kind: d.lot for d in Device.objects.filter(limb=limb, status="in_place")}
            assert in_place == self.expected[side], (side, in_place, self.expected[side])
        for device in Device.objects.filter(patient=self.patient).select_related(
            "placed_by", "removed_by"
        ):
            if device.status == "recorded":
                assert device.placed_by.status == "draft"
            elif device.placed_by is not None:
                assert device.placed_by.status == "signed"
            if device.status == "removed" and device.removed_by is not None:
                assert device.removed_by.status == "signed"

    @invariant()
    def registry_rows_come_from_signed_records(self):
        cohort = implant_cohort(self.surgeon)
        implants = {
            d.pk: d
            for d in Device.objects.filter(patient=self.patient, kind="implant").select_related(
                "placed_by", "removed_by"
            )
        }
        mine = [int(k) for k in cohort.key if int(k) in implants]
        assert sorted(mine) == sorted(
            pk for pk, d in implants.items() if d.placed_by.status == "signed"
        )
        for i, key in enumerate(cohort.key):
            device = implants.get(int(key))
            if device is None:
                continue
            ended = int(cohort.revised[i]) if cohort.revised[i] != NO_DAY else None
            ended = ended or (int(cohort.explanted[i]) if cohort.explanted[i] != NO_DAY else None)
            if device.status == "removed":
                assert ended == day(device.removed_on)
                exchanged = device.replaced_by_id is not None
                assert (cohort.revised[i] != NO_DAY) == exchanged
            else:
                assert ended is None

    @invariant()
    def no_due_part_is_removed_or_of_a_dead_patient(self):
        # Forecasts of parts removed since they were computed are still stored: the due list
        # must leave them out itself.
        due = list(
            due_parts(self.surgeon, within_days=100_000, today=dt.date.today()).filter(
                device__patient=self.patient
            )
        )
        for forecast in due:
            assert forecast.device.status == "in_place"
            assert not self.dead


@pytest.mark.django_db
def test_device_states_registry_rows_and_due_lists_follow_the_signed_records(world):
    policy(world, time_limit_months=1)  # every dualcone falls due: the due list is exercised
    Records.world = world
    Records.TestCase.settings = settings(
        max_examples=6,
        stateful_step_count=7,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    Records.TestCase().runTest()
