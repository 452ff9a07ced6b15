"""The recording's screen: staff who may import recordings see "Retry processing" on a stale or
failed recording, and the button queues it again. Time is frozen."""

import re

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from osseo.audit.models import AuditEntry
from osseo.connectors.models import LoadRecording
from tests.conftest import client_for
from tests.connectors.conftest import after, run_worker

BUTTON = ">Retry processing</button>"


def page(user, recording):
    return client_for(user).get(f"/recordings/{recording.uuid}/").content.decode()


def retry(client, recording, **data):
    return client.post(f"/recordings/{recording.uuid}/retry/", data)


def snapshot():
    return (
        list(LoadRecording.objects.values()),
        DBTaskResult.objects.count(),
        AuditEntry.objects.exclude(action="patients.patient.viewed").count(),
    )


def test_a_prosthetist_retries_a_stale_recording_from_its_screen(
    stale, world, django_capture_on_commit_callbacks
):
    client = client_for(world.users["prosthetist"])
    shown = client.get(f"/recordings/{stale.uuid}/").content.decode()
    assert "No progress since 2 Mar 2026 09:00: the worker that had this recording has" in shown
    assert BUTTON in shown
    assert 'hx-trigger="every 2s"' not in shown  # no polling under the button

    with django_capture_on_commit_callbacks(execute=True):
        response = retry(client, stale)

    assert response.status_code == 302
    assert response["Location"] == f"/recordings/{stale.uuid}/"
    shown = client.get(response["Location"]).content.decode()
    assert "Recording queued again for processing." in shown
    assert "waiting for the worker" in shown and BUTTON not in shown
    stale.refresh_from_db()
    assert stale.status == "queued"
    assert DBTaskResult.objects.get(id=stale.task_id).status == "READY"
    assert (
        AuditEntry.objects.get(action="connectors.recording.requeued").actor
        == (world.users["prosthetist"])
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 403),
        ("anaesthetist", 403),
        ("clinic_admin", 403),
        ("patient", 403),
        ("rehab_specialist", 404),
        ("outsider", 404),
    ],
)
def test_without_the_import_permission_there_is_no_button_and_nothing_changes(
    stale, world, persona, status
):
    user = world.users[persona]
    if status == 403 and persona != "patient":  # a patient has no staff page (osseo/me)
        shown = page(user, stale)
        assert "No progress since" in shown and BUTTON not in shown
    before = snapshot()
    assert retry(client_for(user), stale).status_code == status
    assert snapshot() == before


def test_a_recording_with_fresh_progress_has_no_button_and_is_not_retried(submit, world):
    recording = submit(killed=True)
    with after(5):
        client = client_for(world.users["prosthetist"])
        shown = page(world.users["prosthetist"], recording)
        assert BUTTON not in shown and 'hx-trigger="every 2s"' in shown
        before = snapshot()
        response = retry(client, recording)
        assert snapshot() == before
    assert response.status_code == 409
    shown = response.content.decode()
    assert "The worker may still be processing this recording" in shown
    assert BUTTON not in shown


def test_a_failed_recording_shows_why_and_the_button(submit, world, media):
    recording = submit()
    (media / recording.file.name).unlink()
    run_worker()
    shown = page(world.users["surgeon"], recording)
    assert "Processing failed" in shown
    assert "Processing stopped on an unexpected error (FileNotFoundError)." in shown
    assert BUTTON in shown
    assert "Retry processing" not in page(world.users["coordinator"], recording)


def test_the_retry_needs_the_forms_csrf_token(stale, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["prosthetist"])
    shown = client.get(f"/recordings/{stale.uuid}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', shown).group(1)
    before = snapshot()
    assert retry(client, stale).status_code == 403
    assert snapshot() == before
    assert retry(client, stale, csrfmiddlewaretoken=token).status_code == 302
    assert LoadRecording.objects.get().status == "queued"


def test_the_retry_is_a_post(stale, world):
    response = client_for(world.users["prosthetist"]).get(f"/recordings/{stale.uuid}/retry/")
    assert response.status_code == 405
