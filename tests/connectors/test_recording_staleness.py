"""When a recording is stale (the worker that had it stopped) or failed, and so may be queued
again; time is frozen."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django_tasks_db.models import DBTaskResult

from osseo.connectors.models import LoadRecording
from osseo.connectors.requeue import retry_refusal, stale_recordings
from osseo.settings import env_int
from tests.connectors.conftest import T0, after, run_worker

STILL_PROCESSING = (
    "The worker may still be processing this recording (last progress at 09:00:00); it can be "
    "retried once there has been none for 15 minutes."
)


def test_a_recording_left_processing_is_stale_after_fifteen_minutes_without_progress(submit):
    recording = submit(killed=True)
    with after(14, 59):
        assert retry_refusal(recording) == STILL_PROCESSING
        assert stale_recordings() == []
    with after(15):
        assert retry_refusal(recording) is None
        assert stale_recordings() == [recording]


def test_the_threshold_is_the_setting(submit, settings):
    settings.OSSEO_RECORDING_STALE_MINUTES = 60
    recording = submit(killed=True)
    with after(59):
        assert retry_refusal(recording).endswith("none for 60 minutes.")
    with after(60):
        assert retry_refusal(recording) is None


def test_the_last_progress_counts_not_when_processing_began(submit):
    recording = submit(killed=True)
    with after(10):
        LoadRecording.objects.filter(pk=recording.pk).update(
            progress=0.6, progress_updated_at=T0.replace(minute=10)
        )
        recording.refresh_from_db()
    with after(20):
        assert retry_refusal(recording) is not None
    with after(25):
        assert retry_refusal(recording) is None


def test_a_recording_waiting_in_the_queue_is_never_stale(submit):
    recording = submit()
    with after(24 * 60):
        assert retry_refusal(recording) == (
            "This recording is waiting in the queue for the worker (osseo worker)."
        )
        assert stale_recordings() == []


def test_a_queued_recording_whose_task_was_lost_is_stale_after_fifteen_minutes(submit):
    recording = submit(queued=False)
    assert recording.task_id == ""
    with after(14):
        assert retry_refusal(recording) is not None
    with after(15):
        assert stale_recordings() == [recording]


def test_a_failed_recording_may_be_retried_at_once_but_only_the_failed_option_lists_it(
    submit, media
):
    recording = submit()
    (media / recording.file.name).rename(media / "elsewhere")
    with after(0):
        run_worker()
        recording.refresh_from_db()
        assert recording.status == "failed"
        assert retry_refusal(recording) is None
        assert stale_recordings() == []
        assert stale_recordings(failed=True) == [recording]


def test_a_processed_or_refused_recording_is_never_retried(submit):
    recording = submit()
    run_worker()
    recording.refresh_from_db()
    assert recording.status == "done"
    with after(60):
        assert retry_refusal(recording) == "This recording is already processed."
        LoadRecording.objects.filter(pk=recording.pk).update(status="refused")
        recording.refresh_from_db()
        assert retry_refusal(recording) == (
            "This recording was refused and its file not kept: import a corrected file."
        )
        assert stale_recordings(failed=True) == []


def test_the_threshold_setting_is_at_least_a_minute(monkeypatch):
    monkeypatch.setenv("OSSEO_RECORDING_STALE_MINUTES", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1, not '0'"):
        env_int("OSSEO_RECORDING_STALE_MINUTES", 15, minimum=1)
    monkeypatch.setenv("OSSEO_RECORDING_STALE_MINUTES", "30")
    assert env_int("OSSEO_RECORDING_STALE_MINUTES", 15, minimum=1) == 30


def test_a_recording_whose_task_failed_may_be_retried_at_once(submit):
    """Its run is over: the task raised, or its worker died and the task was failed for it."""
    recording = submit(killed=True)
    with after(1):
        assert retry_refusal(recording) == STILL_PROCESSING
        DBTaskResult.objects.filter(id=recording.task_id).update(status="FAILED")
        assert retry_refusal(recording) is None
