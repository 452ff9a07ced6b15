"""Request bodies over the configured limits are answered 413 before Django reads them.

A WSGI middleware around Django (osseo/wsgi.py), so that nothing of the body is read first:

- a declared `Content-Length` over the path's limit is refused at once, unread (a client that
  declares 10 GB gets its 413 in a millisecond and the worker is free);
- a body without a length (`Transfer-Encoding: chunked`, streamed) is counted as it is read, at
  most the limit plus one byte, into a spooled file (memory up to `SPOOL_BYTES`, then a temporary
  file): over the limit, it is refused without reading the rest; within it, Django is handed the
  body with its length, as if it had been declared (Django reads no body without one).

The limits (settings.py): a load recording may be as large as OSSEO_RECORDING_MAX_MB; every other
body OSSEO_REQUEST_MAX_MB. Django's own DATA_UPLOAD_MAX_MEMORY_SIZE still bounds what it holds in
memory of a body that is not a file (a JSON body): the API answers that with 413 too.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Iterable
from typing import Any

SPOOL_BYTES = 1024 * 1024
# The pages and operations that take a load recording (connectors): the large limit.
RECORDING_PATHS = (
    re.compile(r"^/api/v1/patients/[^/]+/recordings/?$"),
    re.compile(r"^/patients/[^/]+/connectors/$"),
)
StartResponse = Callable[..., Any]


def limit_for(path: str) -> int:
    """The largest body, in bytes, the path takes."""
    from django.conf import settings

    if any(p.match(path) for p in RECORDING_PATHS):
        return int(settings.OSSEO_RECORDING_MAX_MB) * 1024 * 1024 + 1024 * 1024  # + form fields
    return int(settings.OSSEO_REQUEST_MAX_MB) * 1024 * 1024


def too_large(environ: dict[str, Any], start_response: StartResponse, limit: int) -> list[bytes]:
    """413, as problem+json for the API, as a short page otherwise. The connection closes: the
    body was not read."""
    megabytes = f"{limit / (1024 * 1024):g} MB"
    if environ.get("PATH_INFO", "").startswith("/api/"):
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Content too large",
                "status": 413,
                "detail": f"The request body is larger than the {megabytes} accepted; "
                "nothing was read or saved.",
                "errors": [],
                "missing": [],
            }
        ).encode()
        content_type = "application/problem+json"
    else:
        body = (
            "<!doctype html><html lang=en><meta charset=utf-8><title>Content too large</title>"
            f"<h1>Content too large</h1><p>The file or form sent is larger than the {megabytes}"
            " accepted; nothing was saved. Go back and send a smaller one.</p></html>"
        ).encode()
        content_type = "text/html; charset=utf-8"
    start_response(
        "413 Content Too Large",
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Connection", "close"),
        ],
    )
    return [body]


class BodyLimit:
    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        limit = limit_for(environ.get("PATH_INFO", ""))
        declared = environ.get("CONTENT_LENGTH") or ""
        if declared.strip():
            try:
                length = int(declared)
            except ValueError:
                length = -1
            if length < 0:
                return _bad_length(start_response)
            if length > limit:
                return too_large(environ, start_response, limit)
            return self.app(environ, start_response)
        if not _streamed(environ):
            return self.app(environ, start_response)
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed below
        stream = environ["wsgi.input"]
        size = 0
        while chunk := stream.read(min(64 * 1024, limit + 1 - size)):
            size += len(chunk)
            if size > limit:
                spool.close()
                return too_large(environ, start_response, limit)
            spool.write(chunk)
        spool.seek(0)
        environ = {**environ, "wsgi.input": spool, "CONTENT_LENGTH": str(size)}
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        result = self.app(environ, start_response)
        return _closing(result, spool)


def _streamed(environ: dict[str, Any]) -> bool:
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


def _bad_length(start_response: StartResponse) -> list[bytes]:
    body = b"Bad Request: the Content-Length is not a number of bytes."
    start_response(
        "400 Bad Request",
        [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))],
    )
    return [body]


def _closing(result: Iterable[bytes], spool: Any) -> Iterable[bytes]:
    try:
        yield from result
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
        spool.close()
