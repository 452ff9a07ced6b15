"""`POST /api/v1/recordings/{id}/retry`: queue a stale or failed recording again. Time is frozen."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django_tasks_db.models import DBTaskResult

from osseo.audit.models import AuditEntry
from osseo.connectors.models import LoadRecording, RecordingResult
from tests.conftest import api_client
from tests.connectors.conftest import T0, after, run_worker
from tests.connectors.test_api_authorization import OUT_OF_SCOPE, PERSONAS, WRITERS


def retry(user, recording):
    client = api_client(user) if user is not None else Client()
    return client.post(f"/api/v1/recordings/{recording.uuid}/retry")


def snapshot():
    return (
        list(LoadRecording.objects.values()),
        DBTaskResult.objects.count(),
        AuditEntry.objects.exclude(
            action__in=["patients.patient.viewed", "accounts.token.issued"]
        ).count(),
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_surgeons_and_prosthetists_in_the_patients_care_retry(stale, world, persona):
    before = snapshot()
    response = retry(world.users[persona], stale)
    if persona in WRITERS:
        assert response.status_code == 202, response.content
        assert LoadRecording.objects.get().status == "queued"
    else:
        assert response.status_code == (404 if persona in OUT_OF_SCOPE else 403)
        assert response["Content-Type"] == "application/problem+json"
        assert snapshot() == before


def test_it_needs_a_signed_in_client(stale):
    before = snapshot()
    response = retry(None, stale)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert snapshot() == before


def test_a_stale_recording_is_queued_again_and_the_retry_audited(
    stale, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = retry(world.users["prosthetist"], stale)
    assert response.status_code == 202
    body = response.json()
    assert (body["id"], body["status"], body["progress"], body["problems"], body["result"]) == (
        str(stale.uuid),
        "queued",
        0.0,
        [],
        None,
    )
    stale.refresh_from_db()
    assert stale.progress_updated_at == T0.replace(minute=20)
    assert DBTaskResult.objects.get(id=stale.task_id).status == "READY"
    entry = AuditEntry.objects.get(action="connectors.recording.requeued")
    assert (entry.actor, entry.patient, entry.object_id, entry.changes) == (
        world.users["prosthetist"],
        world.patient,
        str(stale.uuid),
        {"status": ["running", "queued"]},
    )


def problem(response):
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["title"], body["status"], body["errors"]) == ("Conflict", 409, [])
    return body["detail"]


def test_a_recording_with_fresh_progress_is_not_retried(submit, world):
    recording = submit(killed=True)  # or still alive: its last progress was five minutes ago
    with after(5):
        before = snapshot()
        detail = problem(retry(world.users["prosthetist"], recording))
        assert snapshot() == before
    assert detail == (
        "The worker may still be processing this recording (last progress at 09:00:00); it can "
        "be retried once there has been none for 15 minutes."
    )


def test_a_recording_waiting_in_the_queue_is_not_retried_so_asking_twice_queues_once(
    stale, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert retry(world.users["prosthetist"], stale).status_code == 202
    again = retry(world.users["surgeon"], stale)
    assert problem(again) == "This recording is waiting in the queue for the worker (osseo worker)."
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert AuditEntry.objects.filter(action="connectors.recording.requeued").count() == 1


def test_a_processed_recording_is_not_retried(submit, world):
    recording = submit()
    run_worker()
    before = snapshot()
    assert problem(retry(world.users["prosthetist"], recording)) == (
        "This recording is already processed."
    )
    assert snapshot() == before


def test_a_recording_left_processing_is_retried_then_counted_once(
    stale, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert retry(world.users["prosthetist"], stale).status_code == 202

    run_worker()

    done = api_client(world.users["prosthetist"]).get(f"/api/v1/recordings/{stale.uuid}").json()
    assert (done["status"], done["progress"], done["result"]["samples"]) == ("done", 1.0, 3000)
    assert RecordingResult.objects.filter(recording=stale).count() == 1
    assert list(
        AuditEntry.objects.filter(object_id=str(stale.uuid))
        .exclude(action="patients.patient.viewed")
        .order_by("seq")
        .values_list("action", flat=True)
    ) == [
        "connectors.recording.submitted",
        "connectors.recording.requeued",
        "connectors.recording.processed",
    ]


def test_a_failed_recording_is_retried_at_once_and_counted_when_its_file_is_back(
    submit, world, django_capture_on_commit_callbacks
):
    recording = submit()
    name = recording.file.name
    content = default_storage.open(name).read()
    default_storage.delete(name)  # the storage is away
    run_worker()
    assert LoadRecording.objects.get().status == "failed"
    assert default_storage.save(name, ContentFile(content)) == name  # and back

    with django_capture_on_commit_callbacks(execute=True):
        response = retry(world.users["surgeon"], recording)
    assert (response.status_code, response.json()["problems"]) == (202, [])
    run_worker()

    recording.refresh_from_db()
    assert (recording.status, recording.problems) == ("done", [])
    assert RecordingResult.objects.filter(recording=recording).count() == 1
