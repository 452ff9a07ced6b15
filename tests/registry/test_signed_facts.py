"""The registry reads signed facts only (issue 18), with hand-worked numbers: revision (a new
implant) against explantation (none), each with its reason; strategy from the plan; the claims
panel's infection as the published table counts it; small cells suppressed."""

import csv
import io

from osseo.accounts.actions import set_clinic_setting
from osseo.complications.actions import record_event, record_treatment
from osseo.registry.queries import day, implant_cohort, minimum_dataset
from osseo.surgery.actions import (
    agree_anaesthesia,
    create_plan,
    save_operative_record,
    sign_operative_record,
)
from osseo.surgery.models import Device
from tests.conftest import client_for
from tests.gates import advance
from tests.surgery.conftest import days_ago, operation


def _rows(world, threshold=1):
    # Today is read when the rows are made, not when the module loads: a run that crosses midnight
    # would otherwise count from yesterday.
    cohort = implant_cohort(world.users["surgeon"], personal=True)
    rows = minimum_dataset(cohort, day(days_ago(0)), threshold=threshold)
    return sorted(rows, key=lambda r: int(r["days_followed"]), reverse=True)


def _event(world, kind, onset):
    return record_event(
        actor=world.users["surgeon"],
        patient=world.patient,
        data={"limb": world.limb, "kind": kind, "onset_on": onset},
    )


def test_a_draft_revision_from_a_treatment_counts_for_nothing(world):
    operation(world, on=days_ago(2544))
    event = _event(world, "infection_bone", days_ago(10))
    treatment = record_treatment(
        actor=world.users["surgeon"],
        event=event,
        data={"kind": "revision", "started_on": days_ago(5)},
    )
    assert treatment.procedure.status == "draft"
    [row] = _rows(world)
    assert (row["days_to_revision"], row["days_to_explantation"]) == ("", "")
    assert row["strategy"] == "single_stage"


def test_a_signed_revision_ends_the_old_implant_and_starts_a_revision_implant(world):
    operation(world, on=days_ago(1000))
    event = _event(world, "infection_implant", days_ago(420))
    treatment = record_treatment(
        actor=world.users["surgeon"],
        event=event,
        data={"kind": "revision", "started_on": days_ago(400)},
    )
    revision = treatment.procedure
    save_operative_record(
        actor=world.users["surgeon"],
        procedure=revision,
        data={"extras": {"summary": "Implant exchanged."}},
    )
    from osseo.surgery.actions import place_device
    from tests.surgery.conftest import IMPLANT_GTIN

    place_device(
        actor=world.users["surgeon"],
        procedure=revision,
        kind="implant",
        data={"gtin": IMPLANT_GTIN, "lot": "NEW"},
    )
    sign_operative_record(actor=world.users["surgeon"], procedure=revision)
    old, new = _rows(world)
    # Placed 1000 days ago, exchanged 400 days ago: revised on day 600, for infection.
    assert (old["days_to_revision"], old["revision_reason"]) == ("600", "infection")
    assert (old["days_to_explantation"], old["explantation_reason"]) == ("", "")
    # The infection began 580 days after the old implant went in; none since for the new one.
    assert (old["days_to_deep_infection"], new["days_to_deep_infection"]) == ("580", "")
    assert new["strategy"] == "revision"
    assert (new["days_to_revision"], new["days_followed"]) == ("", 400)


def test_a_signed_explantation_is_an_explantation_with_its_reason_not_a_revision(world):
    operation(world, on=days_ago(800))
    operation(world, "explantation", on=days_ago(300), parts=(), indication="loosening")
    [row] = _rows(world)
    assert (row["days_to_explantation"], row["explantation_reason"]) == ("500", "loosening")
    assert (row["days_to_revision"], row["revision_reason"]) == ("", "")


def test_strategy_comes_from_the_plan(world):
    surgeon = world.users["surgeon"]
    advance(world.users, world.episode, "assessment", "planning")
    plan = create_plan(
        actor=surgeon,
        episode=world.episode,
        data={
            "strategy": "staged",
            "strategy_reason": "Poor soft tissue: two stages.",
            "anaesthesia": "general_epidural",
        },
    )
    agree_anaesthesia(actor=world.users["anaesthetist"], plan=plan)
    operation(world, "stage_1", on=days_ago(700), parts=("implant",))
    [row] = _rows(world)
    assert row["strategy"] == "staged"
    assert Device.objects.get().placed_by.kind == "stage_1"


def test_the_claims_panel_counts_superficial_infection_as_the_published_table_does(world):
    operation(world, on=days_ago(700))
    _event(world, "infection_soft_tissue", days_ago(650))
    cohort = implant_cohort(world.users["surgeon"])
    assert cohort.infected.tolist() == [-1]  # no deep infection
    assert cohort.any_infection.tolist() == [day(days_ago(650))]
    page = client_for(world.users["surgeon"]).get("/registry/").content.decode()
    assert "superficial (soft-tissue) infection and osteomyelitis" in page


def test_the_minimum_dataset_suppresses_cells_below_the_clinic_threshold(world):
    operation(world, on=days_ago(700))
    admin = client_for(world.users["clinic_admin"])
    rows = list(csv.DictReader(io.StringIO(admin.get("/registry/?export=dataset").text)))
    assert [(r["site"], r["year_implanted"], r["sex"], r["age_band"], r["side"]) for r in rows] == [
        ("suppressed",) * 5
    ]  # one implant, below the default threshold of 10
    set_clinic_setting(
        actor=world.users["clinic_admin"], key="registry_min_at_risk", value=1, source=""
    )
    rows = list(csv.DictReader(io.StringIO(admin.get("/registry/?export=dataset").text)))
    assert (rows[0]["site"], rows[0]["side"], rows[0]["sex"]) == ("femur", "left", "female")
