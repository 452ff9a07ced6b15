"""Background tasks (Django tasks, django-tasks-db backend); `osseo worker` runs them."""

from __future__ import annotations

from django.tasks import task


@task
def process_load_recording(recording_id: int) -> str:
    """Count a stored load recording with the wear engine and keep its results."""
    from .recordings import process_recording

    return process_recording(recording_id)
