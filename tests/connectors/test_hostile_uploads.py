"""Uploads that would stall a worker: headers behind many blank or `#` lines are found in linear
time, a line without end is refused after a bounded read, and each is a 422 naming the line."""

from __future__ import annotations

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from osseo.connectors.models import ActivityDay, LoadRecording
from osseo.fatigue.csvcheck import MAX_LINE_BYTES
from osseo.fatigue.errors import RecordingError
from osseo.fatigue.recordings import open_recording
from tests.conftest import api_client
from tests.connectors.conftest import policy

ROWS = b"time_s,axial_force_N\n" + b"".join(
    b"%.2f,%d\n" % (i / 100, 500 + i % 7) for i in range(300)
)


class Endless(io.RawIOBase):
    """A file of `size` bytes of one byte value, made as it is read; it counts what was read."""

    def __init__(self, size: int, byte: bytes = b"a") -> None:
        self.size, self.byte, self.read_bytes = size, byte, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.size - self.read_bytes)
        buffer[:n] = self.byte * n
        self.read_bytes += n
        return n


def test_a_header_after_many_blank_and_comment_lines_is_found_in_linear_time():
    # 1.6 MB of blank and `#` lines took 30 s when each line was added to the bytes read so far.
    padding = b"\n#\n" * 550_000
    started = time.monotonic()
    with open_recording(io.BytesIO(padding + ROWS), format="csv", rate_hz=100) as rec:
        assert rec.channels[0].header == "axial_force_N"
    assert time.monotonic() - started < 5


def test_a_header_line_without_end_is_refused_after_a_bounded_read():
    endless = Endless(300 * 1024 * 1024)  # a 300 MB "header" grew the process by 1.1 GB
    with pytest.raises(RecordingError) as refused:
        open_recording(io.BufferedReader(endless, buffer_size=8192), format="csv")
    assert refused.value.line == 1
    assert "longer than 64 KiB" in str(refused.value)
    assert endless.read_bytes < 4 * MAX_LINE_BYTES


@pytest.fixture
def clinic(fitted, world, media):
    policy(world)
    return world


def test_a_recording_with_a_1_mb_header_field_is_a_422_naming_the_line(clinic):
    before = LoadRecording.objects.count()
    body = b"time_s," + b"x" * 1_000_000 + b"\n0,1\n"
    response = api_client(clinic.users["prosthetist"]).post(
        f"/api/v1/patients/{clinic.patient.uuid}/recordings",
        {"file": SimpleUploadedFile("r.csv", body, "text/csv"), "recorded_on": "2026-02-10"},
    )
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert "line 1" in response.content.decode()
    assert "longer than 64 KiB" in response.content.decode()
    assert LoadRecording.objects.count() == before


def test_a_steps_file_with_a_1_mb_header_field_is_a_422_naming_the_line(world):
    body = b"date,steps," + b"x" * 1_000_000 + b"\n2026-01-01,5,a\n"
    response = api_client(world.users["prosthetist"]).post(
        f"/api/v1/patients/{world.patient.uuid}/activity/daily",
        body,
        content_type="text/csv",
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == [
        {"field": "file", "message": "line 1: the header is longer than 4096 characters"}
    ]
    assert ActivityDay.objects.count() == 0


def test_a_steps_file_with_many_comment_lines_imports_in_linear_time(world):
    body = b"#\n\n" * 500_000 + b"date,steps\n2026-01-01,5000\n"
    started = time.monotonic()
    response = api_client(world.users["prosthetist"]).post(
        f"/api/v1/patients/{world.patient.uuid}/activity/daily",
        body,
        content_type="text/csv",
    )
    assert response.status_code == 200, response.content
    assert time.monotonic() - started < 10
