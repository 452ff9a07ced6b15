"""The WSGI middleware in front of Django (osseo/bodylimit.py): bodies over the path's limit are
answered 413 before they are read; a streamed body is counted and refused once over it."""

from __future__ import annotations

import io
import json

from osseo.bodylimit import BodyLimit, limit_for

MB = 1024 * 1024


class Stream(io.RawIOBase):
    """`size` bytes of body, made as they are read; counts what was read."""

    def __init__(self, size: int) -> None:
        self.size, self.read_bytes = size, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self.size - self.read_bytes if n < 0 else min(n, self.size - self.read_bytes)
        self.read_bytes += n
        return b"x" * n


class App:
    """Stands for Django: records the body it was given."""

    def __init__(self) -> None:
        self.body: bytes | None = None
        self.length: str | None = None

    def __call__(self, environ, start_response):
        self.length = environ.get("CONTENT_LENGTH")
        self.body = environ["wsgi.input"].read(int(self.length or 0))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


def _call(path: str, stream: Stream, **headers: str):
    app = App()
    answer: dict[str, object] = {}

    def start_response(status, response_headers):
        answer["status"], answer["headers"] = status, dict(response_headers)

    environ = {"PATH_INFO": path, "REQUEST_METHOD": "POST", "wsgi.input": stream, **headers}
    body = b"".join(BodyLimit(app)(environ, start_response))
    return answer["status"], answer["headers"], body, app


def test_a_declared_length_over_the_limit_is_a_413_and_nothing_is_read(settings):
    settings.OSSEO_REQUEST_MAX_MB = 20
    stream = Stream(10 * 1024 * MB)
    status, headers, body, app = _call(
        "/api/v1/patients", stream, CONTENT_LENGTH=str(10 * 1024 * MB)
    )
    assert status == "413 Content Too Large"
    assert headers["Content-Type"] == "application/problem+json"
    assert headers["Connection"] == "close"
    assert json.loads(body)["detail"] == (
        "The request body is larger than the 20 MB accepted; nothing was read or saved."
    )
    assert stream.read_bytes == 0 and app.body is None


def test_a_page_gets_its_413_as_a_page(settings):
    status, headers, body, _ = _call("/patients/new/", Stream(0), CONTENT_LENGTH=str(30 * MB))
    assert status == "413 Content Too Large"
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"larger than the 20 MB accepted" in body


def test_a_streamed_body_over_the_limit_is_refused_once_the_limit_is_passed(settings):
    stream = Stream(500 * MB)
    status, _, _, app = _call("/api/v1/patients", stream, HTTP_TRANSFER_ENCODING="chunked")
    assert status == "413 Content Too Large"
    assert stream.read_bytes == 20 * MB + 1
    assert app.body is None


def test_a_streamed_body_within_the_limit_reaches_django_with_its_length(settings):
    stream = Stream(3 * MB)
    status, _, body, app = _call("/api/v1/patients", stream, HTTP_TRANSFER_ENCODING="chunked")
    assert status == "200 OK" and body == b"ok"
    assert app.length == str(3 * MB) and app.body == b"x" * (3 * MB)


def test_a_load_recording_may_be_as_large_as_the_recording_limit(settings):
    settings.OSSEO_RECORDING_MAX_MB = 100
    assert limit_for("/api/v1/patients/0b6f/recordings") == 101 * MB
    assert limit_for("/patients/0b6f/connectors/") == 101 * MB
    assert limit_for("/api/v1/patients/0b6f/limbs") == 20 * MB
    status, *_ = _call("/api/v1/patients/0b6f/recordings", Stream(0), CONTENT_LENGTH=str(50 * MB))
    assert status == "200 OK"


def test_a_content_length_that_is_not_a_number_is_a_400(settings):
    status, *_ = _call("/api/v1/patients", Stream(0), CONTENT_LENGTH="-5")
    assert status == "400 Bad Request"


def test_the_upload_screens_and_the_api_document_state_the_limits(world, settings):
    from osseo.api import api
    from tests.conftest import client_for

    settings.OSSEO_RECORDING_MAX_MB = 4096
    page = client_for(world.users["prosthetist"]).get(f"/patients/{world.patient.uuid}/connectors/")
    assert "At most 4,096 MB" in page.content.decode()
    assert "At most 10 MB" in page.content.decode()
    description = api.get_openapi_schema()["info"]["description"]
    assert "a load recording at most OSSEO_RECORDING_MAX_MB" in description
    assert "answered 413 (problem+json) before it is read" in description
