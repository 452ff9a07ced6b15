"""Every GET of a patient's record over the API is audited: walked over the whole schema.

The demo cohort holds one of every kind of record; each GET path with an id in it is called for
a record of that kind, by a clinic surgeon (rehab plans: by the rehab partner's specialist too),
and must add a "viewed" entry naming the record's patient. A new endpoint is covered the day it
appears in the schema, or the test fails asking for its id.
"""

import json
import re
from pathlib import Path

import pytest

from osseo.accounts.models import User
from osseo.audit.models import AuditEntry
from osseo.complications.models import AdverseEvent
from osseo.connectors.models import LoadRecording
from osseo.outcomes.models import QuestionnaireResponse
from osseo.pathway.models import Episode
from osseo.patients.models import Patient
from osseo.rehab.models import RehabPlan
from osseo.scheduling.models import Appointment
from osseo.surgery.models import Device, Procedure, SurgicalPlan
from tests.conftest import api_client

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text())

# Path parameter (or path prefix for the ambiguous plan_id) -> the model of a patient's record.
RECORDS = {
    "/adverse-events/": AdverseEvent,
    "/appointments/": Appointment,
    "/devices/": Device,
    "/episodes/": Episode,
    "/patients/": Patient,
    "/plans/": SurgicalPlan,
    "/procedures/": Procedure,
    "/questionnaire-responses/": QuestionnaireResponse,
    "/recordings/": LoadRecording,
    "/rehab-plans/": RehabPlan,
}
# GET paths with an id that is not a patient's record (audited their own way, or reference data).
# An MDT meeting's agenda names patients: a list read of them (tests/scheduling).
NOT_PATIENT_RECORDS = {
    "/connectors/",
    "/enquiries/",
    "/mdt-meetings/",
    "/protocols/",
    "/questionnaires/",
}


def _patient_of(obj):
    for path in ("patient", "episode.patient"):
        target = obj
        for name in path.split("."):
            target = getattr(target, name, None)
        if isinstance(target, Patient):
            return target
    return obj if isinstance(obj, Patient) else None


# Values for required query parameters, by name.
QUERY_VALUES = {"date": "2026-01-15"}


def _query(path):
    parameters = SCHEMA["paths"]["/api/v1" + path]["get"].get("parameters", [])
    required = [p["name"] for p in parameters if p["in"] == "query" and p.get("required")]
    return {name: QUERY_VALUES[name] for name in required}


def _get_paths():
    for path, operations in SCHEMA["paths"].items():
        if "get" in operations and "{" in path:
            yield path.removeprefix("/api/v1")


def _patient_paths():
    for path in _get_paths():
        prefix = "/" + path.split("/")[1] + "/"
        if prefix in NOT_PATIENT_RECORDS:
            continue
        yield path, prefix


def test_every_get_path_with_an_id_is_classified():
    unknown = [
        path
        for path in _get_paths()
        if "/" + path.split("/")[1] + "/" not in {*RECORDS, *NOT_PATIENT_RECORDS}
    ]
    assert unknown == [], "name the record each new GET path reads, so its audit is checked"


@pytest.mark.parametrize(("path", "prefix"), list(_patient_paths()))
def test_reading_a_record_over_the_api_is_audited(seeded_demo, db, path, prefix):
    model = RECORDS[prefix]
    obj = model.objects.order_by("pk").first()
    assert obj is not None, f"the demo has no {model.__name__} to read through {path}"
    patient = _patient_of(obj)
    reader = User.objects.get(username="rehab" if prefix == "/rehab-plans/" else "surgeon")
    url = "/api/v1" + re.sub(r"{\w+}", str(obj.uuid), path, count=1)
    before = AuditEntry.objects.filter(patient=patient, action__endswith=".viewed").count()

    response = api_client(reader).get(url, _query(path))

    assert response.status_code in (200, 404), (url, response.status_code, response.content[:300])
    after = AuditEntry.objects.filter(patient=patient, action__endswith=".viewed").count()
    assert after > before, f"GET {url} read {patient}'s record without an audit entry"
