"""The dashboard's worklist: ongoing complications, follow-up visits and parts due, recordings
to retry; each for the patients the user may see, each naming them an audited read."""

import datetime as dt

import time_machine

from osseo.audit.models import AuditEntry
from osseo.complications.actions import record_event, update_event
from osseo.complications.models import Grade, GradingSystem
from osseo.connectors.models import LoadRecording
from osseo.patients.worklist import SHOWN
from tests.complications.conftest import operate
from tests.conftest import client_for

TODAY = dt.date(2026, 11, 26)


def _infection(world, patient=None, limb=None, onset=dt.date(2026, 10, 1), grade="3"):
    system = GradingSystem.objects.get(code="radboud-infection")
    return record_event(
        actor=world.users["surgeon"],
        patient=patient or world.patient,
        data={
            "limb": limb or world.limb,
            "kind": "infection_bone",
            "onset_on": onset,
            "grading_system": system,
            "grade": Grade.objects.get(system=system, code=grade),
        },
    )


def _dashboard(user):
    with time_machine.travel(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC), tick=False):
        return client_for(user).get("/").content.decode()


def test_an_ongoing_complication_is_on_the_surgeons_worklist_until_it_resolves(world):
    operate(world)
    event = _infection(world)
    page = _dashboard(world.users["surgeon"])
    assert 'Ongoing complications <span class="count">(1)</span>' in page
    assert (
        "Infection: bone (Grade 3: deep bone infection), Left Femur (transfemoral): "
        "since 1 Oct 2026 (56 days)"
    ) in page
    assert f'href="/complications/{event.uuid}/"' in page

    update_event(
        actor=world.users["surgeon"],
        event=event,
        data={"outcome": "resolved", "resolved_on": dt.date(2026, 11, 20)},
    )
    page = _dashboard(world.users["surgeon"])
    assert "No complication is ongoing." in page


def test_the_worklist_shows_only_the_users_own_patients_and_audits_whom_it_names(world):
    operate(world)
    _infection(world)
    page = _dashboard(world.users["outsider"])
    assert "Quarrell" not in page
    assert "No complication is ongoing." in page

    _dashboard(world.users["surgeon"])
    entry = AuditEntry.objects.filter(action="patients.list.viewed").last()
    assert entry.actor == world.users["surgeon"]
    assert entry.changes["patients"] == [str(world.patient.uuid)]
    assert entry.changes["list"] == "dashboard worklist"


def test_a_long_list_shows_the_first_few_and_counts_the_rest(world):
    operate(world)
    for day in range(1, SHOWN + 3):
        _infection(world, onset=dt.date(2026, 10, day))
    page = _dashboard(world.users["surgeon"])
    assert f'Ongoing complications <span class="count">({SHOWN + 2})</span>' in page
    assert page.count("Infection: bone (Grade 3") == SHOWN
    assert "and 2 more" in page
    assert "since 7 Oct 2026" in page  # the most recent onset first
    assert "since 1 Oct 2026" not in page


def test_follow_up_visits_and_parts_due_are_listed_with_the_overdue_first(world):
    operate(world)  # signed single-stage operation on 10 Jan 2025: every visit since is due
    page = _dashboard(world.users["coordinator"])
    assert "Follow-up visits overdue or due in 30 days" in page
    assert 'class="urgent"' in page
    assert "overdue by" in page
    assert 'href="/follow-ups/"' in page


def test_a_failed_recording_appears_for_those_who_may_retry_it(world):
    operate(world)
    page = _dashboard(world.users["prosthetist"])
    assert "Load recordings to retry" not in page  # no panel when there is nothing
    recording = LoadRecording.objects.create(
        patient=world.patient,
        recorded_on=dt.date(2026, 11, 1),
        original_name="walk.csv",
        format="csv",
        size_bytes=10,
        sha256="0" * 64,
        channel="axial_force_N",
        status="failed",
        parameters={},
        submitted_by=world.users["prosthetist"],
    )
    page = _dashboard(world.users["prosthetist"])
    assert "Load recordings to retry" in page
    assert f'href="/recordings/{recording.uuid}/"' in page
    assert "Load recording walk.csv: failed" in page
    assert "Load recordings to retry" not in _dashboard(world.users["anaesthetist"])
