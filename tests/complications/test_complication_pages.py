"""The complication screens: record a graded event, treat it, and see it on the patient page."""

import datetime as dt
import re

from osseo.audit.models import AuditEntry
from osseo.complications.actions import record_event
from osseo.complications.models import AdverseEvent, Grade, GradingSystem
from osseo.surgery.models import Procedure
from tests.conftest import client_for


def _grade(system, code):
    s = GradingSystem.objects.get(code=system)
    return s, Grade.objects.get(system=s, code=code)


def test_each_scheme_shows_its_grade_and_source_on_the_patient_page(operated):
    world = operated
    for kind, system, code in [
        ("infection_soft_tissue", "radboud-infection", "1"),
        ("infection_implant", "tillander-implant-infection", "possible"),
    ]:
        s, g = _grade(system, code)
        record_event(
            actor=world.users["surgeon"],
            patient=world.patient,
            data={
                "limb": world.limb,
                "kind": kind,
                "onset_on": dt.date(2025, 2, 1),
                "grading_system": s,
                "grade": g,
            },
        )
    page = (
        client_for(world.users["anaesthetist"])
        .get(f"/patients/{world.patient.uuid}/")
        .content.decode()
    )
    assert "Grade 1: low-grade soft-tissue infection" in page
    assert "(Radboud 4-grade infection classification)" in page
    assert "Possible implant infection" in page
    assert "(Tillander implant infection (definite / probable / possible))" in page
    event = AdverseEvent.objects.get(kind="infection_implant")
    detail = (
        client_for(world.users["anaesthetist"])
        .get(f"/complications/{event.uuid}/")
        .content.decode()
    )
    assert "10.1007/s11999-010-1370-0" in detail
    assert "Record the treatment" not in detail  # the anaesthetist reads only


def test_the_form_records_a_graded_event_and_a_debridement_starts_a_procedure(operated):
    world = operated
    client = client_for(world.users["surgeon"])
    response = client.post(
        f"/patients/{world.patient.uuid}/complications/new/",
        {
            "limb": str(world.limb.uuid),
            "kind": "infection_soft_tissue",
            "onset_on": "2025-03-01",
            "grading": "radboud-infection:2",
            "outcome": "ongoing",
        },
    )
    assert response.status_code == 302
    event = AdverseEvent.objects.get()
    assert (event.grading_system.code, event.grade.code, event.episode) == (
        "radboud-infection",
        "2",
        world.episode,
    )
    response = client.post(
        f"/complications/{event.uuid}/",
        {"add_treatment": "1", "kind": "debridement", "started_on": "2025-03-08"},
    )
    procedure = Procedure.objects.get(kind="debridement")
    assert response["Location"] == f"/procedures/{procedure.uuid}/"
    page = client.get(f"/patients/{world.patient.uuid}/").content.decode()
    assert "Debridement 8 Mar 2025 (Draft)" in page


def test_a_grade_from_the_wrong_scheme_for_the_kind_is_shown_beside_the_grade_field(operated):
    world = operated
    response = client_for(world.users["surgeon"]).post(
        f"/patients/{world.patient.uuid}/complications/new/",
        {
            "limb": str(world.limb.uuid),
            "kind": "pain",
            "onset_on": "2025-03-01",
            "grading": "radboud-infection:2",
            "outcome": "ongoing",
        },
    )
    assert response.status_code == 422
    assert "Radboud 4-grade infection classification grades only" in response.content.decode()
    assert AdverseEvent.objects.count() == 0


def test_someone_outside_the_care_team_gets_404_and_a_prosthetist_403(operated):
    world = operated
    url = f"/patients/{world.patient.uuid}/complications/new/"
    assert client_for(world.users["outsider"]).get(url).status_code == 404
    assert client_for(world.users["prosthetist"]).get(url).status_code == 403


def test_the_death_form_records_the_date_and_the_page_says_so(operated):
    world = operated
    client = client_for(world.users["coordinator"])
    response = client.post(
        f"/patients/{world.patient.uuid}/death/", {"died_on": "2025-06-01", "cause": "Stroke"}
    )
    assert response.status_code == 302
    page = client.get(f"/patients/{world.patient.uuid}/").content.decode()
    assert "Died 1 Jun 2025" in page
    assert "Record a complication" not in page


def test_a_worsening_infection_is_regraded_and_its_history_keeps_the_first_grade(operated):
    world = operated
    s, g = _grade("radboud-infection", "1")
    event = record_event(
        actor=world.users["surgeon"],
        patient=world.patient,
        data={
            "limb": world.limb,
            "kind": "infection_soft_tissue",
            "onset_on": dt.date(2025, 3, 1),
            "grading_system": s,
            "grade": g,
        },
    )
    client = client_for(world.users["surgeon"])
    page = client.get(f"/complications/{event.uuid}/").content.decode()
    assert 'value="radboud-infection:1" selected' in page  # the form starts at the current grade
    response = client.post(
        f"/complications/{event.uuid}/",
        {"update_outcome": "1", "grading": "radboud-infection:2", "outcome": "ongoing"},
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.grading_system.code, event.grade.code) == ("radboud-infection", "2")
    page = client.get(f"/complications/{event.uuid}/").content.decode()
    history = page.split("History of this complication", 1)[1]
    assert "Complication recorded" in history
    assert (
        "Grade: Radboud 4-grade infection classification: Grade 1: low-grade soft-tissue "
        "infection → Radboud 4-grade infection classification: Grade 2: high-grade soft-tissue "
        "infection"
    ) in history


def test_a_regrade_under_a_scheme_that_does_not_grade_the_kind_is_refused_in_place(operated):
    world = operated
    event = record_event(
        actor=world.users["surgeon"],
        patient=world.patient,
        data={"limb": world.limb, "kind": "infection_bone", "onset_on": dt.date(2025, 3, 1)},
    )
    response = client_for(world.users["surgeon"]).post(
        f"/complications/{event.uuid}/",
        {
            "update_outcome": "1",
            "grading": "tillander-implant-infection:definite",
            "outcome": "ongoing",
        },
    )
    assert response.status_code == 422
    assert "grades only: Infection: implant" in response.content.decode()
    event.refresh_from_db()
    assert event.grading_system is None and event.grade is None


def test_an_event_of_kind_other_needs_a_description(operated):
    world = operated
    url = f"/patients/{world.patient.uuid}/complications/new/"
    form = {"limb": str(world.limb.uuid), "kind": "other", "onset_on": "2025-03-01"}
    client = client_for(world.users["surgeon"])
    response = client.post(url, {**form, "outcome": "ongoing"})
    assert response.status_code == 422
    assert "Describe what happened" in response.content.decode()
    assert AdverseEvent.objects.count() == 0
    response = client.post(
        url, {**form, "outcome": "ongoing", "description": "Skin tear above the stoma."}
    )
    assert response.status_code == 302


def test_a_clinic_admin_adds_a_grading_system_as_data_and_it_grades_events(operated):
    world = operated
    admin = client_for(world.users["clinic_admin"])
    url = "/settings/grading-systems/"
    page = admin.get(url).content.decode()
    assert "Radboud 4-grade infection classification" in page
    assert "shipped with Osseo" in page
    assert "/settings/grading-systems/" in admin.get("/accounts/settings/").content.decode()
    response = admin.post(
        url,
        {
            "name": "Clinic stoma grading",
            "code": "clinic-stoma-2026",
            "source": "Checked against the clinic's protocol v3, page 4.",
            "applies_to": ["stoma_hypergranulation", "redundant_tissue"],
            "grades": "A | Mild | no treatment\nB | Moderate\n\nC | Severe | surgery",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    system = GradingSystem.objects.get(code="clinic-stoma-2026")
    assert [(g.code, g.label, g.description) for g in system.grades.all()] == [
        ("A", "Mild", "no treatment"),
        ("B", "Moderate", ""),
        ("C", "Severe", "surgery"),
    ]
    assert system.organisation == world.clinic
    # The surgeon can now grade a stoma event with it, and not an infection.
    surgeon = client_for(world.users["surgeon"])
    new = f"/patients/{world.patient.uuid}/complications/new/"
    form = {"limb": str(world.limb.uuid), "onset_on": "2025-03-01", "outcome": "ongoing"}
    assert "Clinic stoma grading" in surgeon.get(new).content.decode()
    response = surgeon.post(
        new, {**form, "kind": "stoma_hypergranulation", "grading": "clinic-stoma-2026:B"}
    )
    assert response.status_code == 302
    response = surgeon.post(
        new, {**form, "kind": "infection_bone", "grading": "clinic-stoma-2026:C"}
    )
    assert response.status_code == 422
    # Another clinic's staff are not offered it.
    outsider_form = f"/patients/{world.other_patient.uuid}/complications/new/"
    page = client_for(world.users["outsider"]).get(outsider_form).content.decode()
    assert "Radboud 4-grade infection classification" in page
    assert "Clinic stoma grading" not in page


def test_a_bad_grade_line_is_named_and_nothing_is_added(operated):
    world = operated
    response = client_for(world.users["clinic_admin"]).post(
        "/settings/grading-systems/",
        {
            "name": "Broken",
            "code": "broken",
            "source": "A paper.",
            "grades": "1 | Fine\n2 without a bar\n3 | | empty wording",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Line 2: write &#x27;code | published wording&#x27;" in page
    assert "Line 3:" in page
    assert not GradingSystem.objects.filter(code="broken").exists()


def test_a_grade_line_names_its_kinds_of_event_in_words_not_codes(operated):
    world = operated
    admin = client_for(world.users["clinic_admin"])
    page = admin.get("/settings/grading-systems/").content.decode()
    assert "(e.g. Infection: bone)" in page
    assert "infection_bone" not in re.sub(r"<[^>]+>", " ", page)  # the checkboxes' values aside
    form = {"name": "Depth", "code": "depth-2026", "source": "A paper, page 2."}
    wrong = admin.post(
        "/settings/grading-systems/", {**form, "grades": "A | Shallow\nB | Deep | | Bone infection"}
    )
    assert wrong.status_code == 422
    assert (
        "Line 2: “Bone infection” is not a kind of event; name the kinds as the list above does "
        "(e.g. Infection: bone)." in wrong.content.decode()
    )
    assert "infection_bone" not in re.sub(r"<[^>]+>", " ", wrong.content.decode())
    right = admin.post(
        "/settings/grading-systems/",
        {
            **form,
            "grades": "A | Shallow | | infection: soft tissue\nB | Deep | | Infection: bone, "
            "Infection: implant",
        },
    )
    assert right.status_code == 302, right.content.decode()[:3000]
    grades = GradingSystem.objects.get(code="depth-2026").grades.all()
    assert [g.kinds for g in grades] == [
        ["infection_soft_tissue"],
        ["infection_bone", "infection_implant"],
    ]


def test_only_a_clinic_admin_manages_grading_systems(operated):
    world = operated
    assert client_for(world.users["surgeon"]).get("/settings/grading-systems/").status_code == 403


def test_the_complications_list_filters_and_names_only_the_users_patients(operated):
    world = operated
    s, g = _grade("radboud-infection", "2")
    ongoing = record_event(
        actor=world.users["surgeon"],
        patient=world.patient,
        data={
            "limb": world.limb,
            "kind": "infection_soft_tissue",
            "onset_on": dt.date(2025, 3, 1),
            "grading_system": s,
            "grade": g,
        },
    )
    record_event(
        actor=world.users["surgeon"],
        patient=world.patient,
        data={
            "limb": world.limb,
            "kind": "pain",
            "onset_on": dt.date(2025, 2, 1),
            "outcome": "resolved",
            "resolved_on": dt.date(2025, 2, 20),
        },
    )
    client = client_for(world.users["surgeon"])
    page = client.get("/complications/").content.decode()
    assert "2 complications." in page
    assert page.index("Infection: soft tissue") < page.index("Pain")  # latest onset first
    assert "Grade 2: high-grade soft-tissue infection" in page
    page = client.get("/complications/?outcome=ongoing").content.decode()
    assert "1 complication." in page
    assert f'href="/complications/{ongoing.uuid}/"' in page
    assert "Resolved, 20 Feb 2025" not in page
    page = client.get("/complications/?kind=pain&onset_from=2025-01-01").content.decode()
    assert "Resolved, 20 Feb 2025" in page and "Infection: soft tissue</a>" not in page
    entry = AuditEntry.objects.filter(action="patients.list.viewed").last()
    assert entry.changes == {"patients": [str(world.patient.uuid)], "list": "complications"}
    # Another clinic sees none of them; the patient has no such page.
    assert (
        "0 complications."
        in client_for(world.users["outsider"]).get("/complications/").content.decode()
    )
    assert client_for(world.users["patient"]).get("/complications/").status_code == 403


def test_a_bad_filter_is_shown_beside_its_field(operated):
    world = operated
    response = client_for(world.users["surgeon"]).get(
        "/complications/?onset_from=2025-05-01&onset_to=2025-01-01"
    )
    assert response.status_code == 422
    assert "The end cannot be before the start." in response.content.decode()


def test_the_complications_list_pages_keep_the_filters(operated):
    world = operated
    for day in range(1, 29):
        record_event(
            actor=world.users["surgeon"],
            patient=world.patient,
            data={"limb": world.limb, "kind": "pain", "onset_on": dt.date(2025, 2, day)},
        )
        record_event(
            actor=world.users["surgeon"],
            patient=world.patient,
            data={"limb": world.limb, "kind": "pain", "onset_on": dt.date(2025, 3, day)},
        )
    page = client_for(world.users["surgeon"]).get("/complications/?kind=pain").content.decode()
    assert "56 complications." in page
    assert 'href="?kind=pain&amp;page=2"' in page
