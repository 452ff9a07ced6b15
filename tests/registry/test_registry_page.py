import csv
import io

from osseo.audit.models import AuditEntry
from tests.conftest import api_client, client_for
from tests.surgery.conftest import COMPLETE_RECORD, DUALCONE_GTIN, IMPLANT_GTIN, move, post, put


def _implant(world, performed_on="2024-03-01", *, walk=True):
    if walk:
        move(world, "assessment", "planning", "surgery")
    client = api_client(world.users["surgeon"])
    pid = post(
        client,
        f"/api/v1/episodes/{world.episode.uuid}/procedures",
        {"kind": "single_stage", "performed_on": performed_on},
    ).json()["id"]
    put(client, f"/api/v1/procedures/{pid}/record", {"data": COMPLETE_RECORD})
    post(
        client,
        f"/api/v1/procedures/{pid}/devices",
        {"kind": "implant", "gtin": IMPLANT_GTIN, "lot": "L1"},
    )
    post(
        client,
        f"/api/v1/procedures/{pid}/devices",
        {"kind": "dualcone", "gtin": DUALCONE_GTIN, "lot": "D1"},
    )
    assert post(client, f"/api/v1/procedures/{pid}/sign").status_code == 200
    return pid


def test_the_registry_counts_signed_implants_and_says_too_few_below_the_threshold(world):
    _implant(world)
    page = client_for(world.users["surgeon"]).get("/registry/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "1 implant placed by signed operations" in text
    assert "too few patients to say (1 implant)" in text
    assert AuditEntry.objects.filter(action="registry.viewed").count() == 1


def test_the_minimum_dataset_is_de_identified(world):
    _implant(world)
    response = client_for(world.users["clinic_admin"]).get("/registry/?export=dataset")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    row = rows[0]
    # One implant is a cell below the clinic's threshold: its quasi-identifiers are suppressed.
    assert (row["site"], row["fixation"], row["strategy"], row["year_implanted"]) == (
        "suppressed",
        "press_fit",
        "single_stage",
        "suppressed",
    )
    flat = response.content.decode()
    for identifying in ("Quarrell", "Ada", "9434765919", "2024-03-01", "1980"):
        assert identifying not in flat
    assert AuditEntry.objects.filter(action="registry.exported").count() == 1


def test_the_curves_export_has_one_row_per_step(world):
    _implant(world)
    response = client_for(world.users["surgeon"]).get("/registry/?export=curves&by=site")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["analysis", "group", "years", "estimate", "lower_95", "upper_95", "shown"]
    assert {r[0] for r in rows[1:]} == {"explantation", "revision", "infection"}
    assert all(r[6] == "too few" for r in rows[1:])


def test_only_clinic_roles_see_the_registry_and_only_some_export(world):
    for persona, status in (
        ("anaesthetist", 403),
        ("rehab_specialist", 403),
        ("patient", 403),
        ("coordinator", 200),
        ("clinic_admin", 200),
    ):
        assert client_for(world.users[persona]).get("/registry/").status_code == status, persona
    assert (
        client_for(world.users["coordinator"]).get("/registry/?export=dataset").status_code == 403
    )


def test_another_clinics_implants_never_enter_my_registry(world):
    _implant(world)
    text = client_for(world.users["outsider"]).get("/registry/").content.decode()
    assert "0 implants placed by signed operations" in text


def test_deep_infections_and_deaths_from_complications_reach_the_registry(world):
    import datetime as dt

    from osseo.complications.models import AdverseEvent, Death
    from osseo.registry.queries import implant_cohort

    _implant(world, performed_on="2024-03-01")
    cohort = implant_cohort(world.users["surgeon"])
    assert cohort.infected.tolist() == [-1]
    grading = None
    AdverseEvent.objects.create(
        patient=world.patient,
        limb=world.limb,
        kind="infection_soft_tissue",
        onset_on=dt.date(2024, 5, 1),
        recorded_by=world.users["surgeon"],
        grading_system=grading,
    )
    AdverseEvent.objects.create(
        patient=world.patient,
        limb=world.limb,
        kind="infection_bone",
        onset_on=dt.date(2024, 9, 1),
        recorded_by=world.users["surgeon"],
        grading_system=grading,
    )
    Death.objects.create(
        patient=world.patient, died_on=dt.date(2025, 1, 1), recorded_by=world.users["surgeon"]
    )
    cohort = implant_cohort(world.users["surgeon"])
    epoch = dt.date(1970, 1, 1)
    assert cohort.infected.tolist() == [(dt.date(2024, 9, 1) - epoch).days]
    assert cohort.complication.tolist() == [(dt.date(2024, 5, 1) - epoch).days]
    assert cohort.died.tolist() == [(dt.date(2025, 1, 1) - epoch).days]


def test_the_registry_filters_by_the_organisation_caring_for_the_patient(world):
    from osseo.patients.models import CareTeam
    from osseo.registry.queries import Filters, implant_cohort

    _implant(world)
    surgeon = world.users["surgeon"]
    assert len(implant_cohort(surgeon, Filters(organisation=world.clinic.pk))) == 1
    assert len(implant_cohort(surgeon, Filters(organisation=world.rehab.pk))) == 0
    CareTeam.objects.create(
        patient=world.patient, organisation=world.rehab, since=world.episode.opened_at
    )
    assert len(implant_cohort(surgeon, Filters(organisation=world.rehab.pk))) == 1
    page = client_for(surgeon).get(f"/registry/?organisation={world.rehab.pk}")
    assert "1 implant placed by signed operations" in page.content.decode()


def test_the_minimum_dataset_flags_a_gate_passed_on_an_override(world):
    from osseo.pathway.actions import override_gate, transition_to
    from tests.gates import make_plan

    # Operated on before the anaesthetist agreed the plan, on the surgeon's override.
    move(world, "assessment", "planning")
    make_plan(world.users, world.episode, agree=False)
    transition_to(actor=world.users["surgeon"], episode=world.episode, to_phase="surgery")
    override_gate(
        actor=world.users["surgeon"],
        episode=world.episode,
        requirement="anaesthesia_agreed",
        reason="Anaesthetist agreed by phone; record to follow (test).",
    )
    _implant(world, walk=False)
    response = client_for(world.users["clinic_admin"]).get("/registry/?export=dataset")
    (row,) = csv.DictReader(io.StringIO(response.content.decode()))
    assert row["gate_overrides"] == "anaesthesia_agreed"
