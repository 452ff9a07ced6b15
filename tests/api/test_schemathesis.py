"""Property-based fuzzing of every operation: as a clinician and as a patient, schemathesis sends
requests drawn from the API document (valid and invalid: wrong types, absurd dates, odd text)
and checks that no answer is a server error, every status is one the document lists, and every
body matches its documented schema. A fixed seed (derandomized) and a bounded number of examples
keep each run the same."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import keep_db_connection

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def _persona(role: str):
    """A surgeon at the fuzz clinic with a patient of theirs, or that patient signed in."""
    from osseo.accounts.actions import create_organisation
    from osseo.accounts.models import Organisation, User
    from tests.conftest import make_patient, make_user

    clinic = Organisation.objects.filter(slug="fuzz").first() or create_organisation(
        name="Fuzz", slug="fuzz", kind="oi_clinic"
    )
    surgeon = User.objects.filter(username="fuzz-surgeon").first() or make_user(
        "fuzz-surgeon", "surgeon", clinic
    )
    if role == "surgeon":
        if not clinic.care_teams.exists():
            make_patient(surgeon)
        return surgeon
    patient_user = User.objects.filter(username="fuzz-patient").first()
    if patient_user is None:
        patient = make_patient(surgeon, given_name="Pat", family_name="Fuzz")
        patient_user = make_user("fuzz-patient", "patient", clinic, patient=patient)
    return patient_user


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("role", ["surgeon", "patient"])
@schema.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_a_server_error_or_outside_its_document(case, role):
    from osseo.accounts.actions import issue_api_token

    user = _persona(role)
    with keep_db_connection():
        case.call_and_validate(
            headers={"Authorization": f"Bearer {issue_api_token(user=user)}"}, checks=CHECKS
        )
