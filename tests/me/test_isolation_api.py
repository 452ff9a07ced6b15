"""A patient never reaches another patient's record through the API: every operation that names
a patient answers the other patient's id with 404 (its existence not revealed) or 403 (or 422
for a body refused before any lookup), and nothing of theirs is read or changed; their own list holds their own record only."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from osseo.audit.models import AuditEntry
from tests.conftest import api_client

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text())


def _patient_operations() -> list[tuple[str, str]]:
    found = []
    for path, operations in SCHEMA["paths"].items():
        if "{patient_id}" not in path:
            continue
        for method in operations:
            if method in ("get", "post", "put", "patch", "delete"):
                found.append((method, path))
    return found


def test_every_operation_on_another_patient_answers_404_or_403(world):
    client = api_client(world.users["patient"])
    operations = _patient_operations()
    assert len(operations) > 15  # the schema's patient operations were found
    before = AuditEntry.objects.filter(patient=world.other_patient).count()
    other = str(world.other_patient.uuid)
    for method, path in operations:
        url = re.sub(r"\{[a-z_]+\}", str(uuid.uuid4()), path.replace("{patient_id}", other))
        if method in ("get", "delete"):
            response = getattr(client, method)(url)
        else:
            response = getattr(client, method)(url, "{}", content_type="application/json")
        # 422: an empty body refused before any record is looked up, the same for any id.
        assert response.status_code in (403, 404, 405, 422), (method, url, response.status_code)
    assert AuditEntry.objects.filter(patient=world.other_patient).count() == before


def test_a_patients_list_holds_their_own_record_only(world):
    body = api_client(world.users["patient"]).get("/api/v1/patients").json()
    assert [p["id"] for p in body["items"]] == [str(world.patient.uuid)]
